"""Alembic environment: runs migrations over the async engine (PostgreSQL or SQLite)."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from autopost.db import make_engine
from autopost.models import Base

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch mode rebuilds a table by DROP + RENAME; with foreign keys on, dropping
        # `connections` would cascade-delete every publication. The pragma only takes
        # effect outside a transaction, so it goes first; the check after proves the
        # rebuilt tables still reference rows that exist.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode rebuilds tables instead.
        render_as_batch=sqlite,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    if sqlite:
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"migration left rows pointing at missing rows: {broken[:5]}")


async def _run_async(url: str) -> None:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


def run_online() -> None:
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database URL given to Alembic")
    asyncio.run(_run_async(url))


if context.is_offline_mode():
    raise RuntimeError("offline migrations are not supported; run `autopost migrate`")
run_online()
