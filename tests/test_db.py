"""The database layer's transactions behave the same on SQLite as on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from autopost.db import make_engine, make_session_factory
from autopost_testing.databases import sqlite_url


async def test_a_released_savepoint_is_undone_with_its_transaction_on_sqlite(tmp_path: Path) -> None:
    # Python's sqlite3 used to commit a savepoint that held a transaction's first write.
    engine = make_engine(sqlite_url(tmp_path))
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE notes (body TEXT)"))
        sessions = make_session_factory(engine)
        async with sessions() as session, session.begin():
            async with session.begin_nested():
                await session.execute(text("INSERT INTO notes VALUES ('inside a savepoint')"))
            await session.rollback()
        async with sessions() as session:
            assert (await session.execute(text("SELECT count(*) FROM notes"))).scalar() == 0
    finally:
        await engine.dispose()
