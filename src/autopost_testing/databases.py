"""Databases for test worlds: a new PostgreSQL database on the local server, or an SQLite file."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import asyncpg

# The PostgreSQL server tests and benchmarks create their databases on (trust authentication).
PG_SERVER = os.environ.get("AUTOPOST_TEST_PG", "postgresql://postgres@127.0.0.1:5432")


async def _pg_admin(sql: str) -> None:
    connection = await asyncpg.connect(f"{PG_SERVER}/postgres")
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def create_postgres(prefix: str = "autopost_test") -> str:
    """An empty PostgreSQL database named `<prefix>_<random>`; its SQLAlchemy URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    await _pg_admin(f'CREATE DATABASE "{name}"')
    return f"postgresql+asyncpg://{PG_SERVER.removeprefix('postgresql://')}/{name}"


async def drop_postgres(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def sqlite_url(directory: Path) -> str:
    """A new SQLite database file in `directory` (created on first use)."""
    return f"sqlite+aiosqlite:///{directory / f'autopost-{uuid.uuid4().hex[:8]}.db'}"
