"""Database fixtures: every test that takes `session` runs on PostgreSQL and on SQLite.

A migrated database per backend per test session; each test runs inside a
transaction that is rolled back. Tests that must commit (CLI, rotation,
migrations) take `fresh_database_url`: a new, empty database of their own.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.pool import NullPool

from autopost.db import make_engine
from autopost.migrations import runner
from autopost_testing.databases import create_postgres, drop_postgres, sqlite_url

__all__ = ["database_url", "engine", "fresh_database_url", "make_database", "session"]

BACKENDS = ["postgresql", "sqlite"]


def make_database(backend: str, tmp_dir: Path) -> tuple[str, object]:
    """Create an empty database; returns its SQLAlchemy URL and a handle for drop_database."""
    if backend == "sqlite":
        url = sqlite_url(tmp_dir)
        return url, url
    url = asyncio.run(create_postgres())
    return url, url


def drop_database(backend: str, handle: object) -> None:
    if backend == "postgresql":
        asyncio.run(drop_postgres(str(handle)))


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
