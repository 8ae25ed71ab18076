import asyncio

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from autopost.db import make_engine
from autopost.migrations import runner
from autopost.models import Base

TABLES = {
    "users",
    "api_tokens",
    "clips",
    "connections",
    "oauth_states",
    "publications",
    "publication_events",
    "stats_snapshots",
    "user_sessions",
}


async def _inspect(url: str) -> tuple[set[str], list[object]]:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:

            def read(sync_connection):
                tables = set(inspect(sync_connection).get_table_names())
                context = MigrationContext.configure(sync_connection, opts={"compare_type": True})
                return tables, compare_metadata(context, Base.metadata)

            return await connection.run_sync(read)
    finally:
        await engine.dispose()


def test_migrations_up_down_up_and_match_the_models(fresh_database_url: str) -> None:
    runner.upgrade(fresh_database_url)
    tables, diff = asyncio.run(_inspect(fresh_database_url))
    assert tables >= TABLES
    assert diff == [], f"models and migrations disagree: {diff}"

    runner.downgrade(fresh_database_url, "base")
    tables, _ = asyncio.run(_inspect(fresh_database_url))
    assert tables & TABLES == set()

    runner.upgrade(fresh_database_url)
    tables, _ = asyncio.run(_inspect(fresh_database_url))
    assert tables >= TABLES
