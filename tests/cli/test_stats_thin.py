"""`autopost stats thin` as an operator runs it: a subprocess against a fresh database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import func, select

from autopost.db import make_engine, make_session_factory, transaction, utcnow
from autopost.platforms.catalog import Platform
from autopost.security.vault import generate_key
from autopost.stats.models import StatsSnapshot
from autopost.users.plans import Plan
from autopost.users.service import create_user
from autopost.workspaces.access import resolve_member
from tests.cli.test_cli import _autopost, _env
from tests.stats.seed import Seed


async def _seed(database_url: str) -> None:
    """One publication read three times on a day 200 days ago, and three times today."""
    engine = make_engine(database_url)
    try:
        async with transaction(make_session_factory(engine)) as session:
            user, _ = await create_user(
                session, "thin@example.com", plan=Plan.PRO, password="correct-horse-1"
            )
            member = await resolve_member(session, user, None)
            member.workspace.time_zone = "UTC"
            seed = Seed(session, member.workspace_id)
            old = datetime.combine((utcnow() - timedelta(days=200)).date(), time(), UTC)
            publication = await seed.published(
                await seed.clip("Клип"), await seed.connection(Platform.VK), old
            )
            for hour in (1, 5, 9):
                await seed.snapshot(publication, old + timedelta(hours=hour), hour)
                await seed.snapshot(publication, utcnow() - timedelta(hours=hour), 100 + hour)
    finally:
        await engine.dispose()


async def _count(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        async with engine.connect() as connection:
            return int(
                (await connection.execute(select(func.count()).select_from(StatsSnapshot))).scalar_one()
            )
    finally:
        await engine.dispose()


def test_stats_thin_removes_old_points_and_says_how_many(fresh_database_url: str, tmp_path: Path) -> None:
    env = _env(fresh_database_url, tmp_path, generate_key())
    assert _autopost(["migrate"], env).returncode == 0
    asyncio.run(_seed(fresh_database_url))
    cut = (utcnow() - timedelta(days=90)).date().isoformat()

    thinned = _autopost(["stats", "thin"], env)
    assert thinned.returncode == 0, thinned.stderr
    assert thinned.stdout == f"2 stats snapshots from days before {cut} removed; one a day is kept.\n"
    assert asyncio.run(_count(fresh_database_url)) == 4

    again = _autopost(["stats", "thin"], _env(fresh_database_url, tmp_path, generate_key(), "ru_RU.UTF-8"))
    assert again.stdout == f"Удалено 0 снимков статистики за дни до {cut}; за каждый день оставлен один.\n"

    keeping = _autopost(["stats", "thin"], env | {"AUTOPOST_STATS_DETAIL_DAYS": "0"})
    assert keeping.returncode == 0
    assert keeping.stdout == "Every stats snapshot is kept (AUTOPOST_STATS_DETAIL_DAYS=0).\n"
