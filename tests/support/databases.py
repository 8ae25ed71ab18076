"""Database fixtures: every test that takes `session` runs on PostgreSQL and on SQLite.

A migrated database per backend per test session; each test runs inside a
transaction that is rolled back. Tests that must commit (CLI, rotation,
migrations) take `fresh_database_url`: a new, empty database of their own.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.pool import NullPool

from autopost.db import make_engine
from autopost.migrations import runner

__all__ = ["database_url", "engine", "fresh_database_url", "make_database", "session"]

PG_SERVER = os.environ.get("AUTOPOST_TEST_PG", "postgresql://postgres@127.0.0.1:5432")
BACKENDS = ["postgresql", "sqlite"]


async def _pg_admin(sql: str) -> None:
    connection = await asyncpg.connect(f"{PG_SERVER}/postgres")
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def make_database(backend: str, tmp_dir: Path) -> tuple[str, object]:
    """Create an empty database; returns its SQLAlchemy URL and a handle for drop_database."""
    if backend == "sqlite":
        path = tmp_dir / f"autopost-{uuid.uuid4().hex[:8]}.db"
        return f"sqlite+aiosqlite:///{path}", path
    name = f"autopost_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    host = PG_SERVER.removeprefix("postgresql://")
    return f"postgresql+asyncpg://{host}/{name}", name


def drop_database(backend: str, handle: object) -> None:
    if backend == "postgresql":
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{handle}" WITH (FORCE)'))


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    backend = request.param
    url, handle = make_database(backend, tmp_path_factory.mktemp(backend))
    runner.upgrade(url)
    yield url
    drop_database(backend, handle)


@pytest.fixture(params=BACKENDS)
def fresh_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database (no schema) used by one test alone."""
    backend = request.param
    url, handle = make_database(backend, tmp_path)
    yield url
    drop_database(backend, handle)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url, poolclass=NullPool)
    yield engine
    await engine.dispose()


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session whose commits are savepoints inside a transaction rolled back after the test."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        session = AsyncSession(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        try:
            yield session
        finally:
            await session.close()
            await transaction.rollback()
