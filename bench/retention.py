"""Stats retention on PostgreSQL: the first thinning pass over a year of snapshots, then the hourly one.

Setup (not timed): a database of its own (autopost_retention_<random>, dropped at the end), migrated;
--workspaces workspaces in different time zones, each with --publications VK publications spread
over the past year, each read every 5 hours for its 30 tracked days (as the collector appends
them, about 1M snapshots at the defaults), bulk-inserted by INSERT ... SELECT; VACUUM ANALYZE.

Timed, each beside the same run's baselines: a plain `SELECT count(*)` of the snapshots (a
sequential scan of the table) and a bare `DELETE` of exactly the rows the first pass removed, from
a copy of the table, in one statement (what deleting them costs with their ids already known):
- the first pass (no progress yet: every day older than 90 days, in batches of publications);
- the next hour's pass (nothing newly past the cut-off) and the next day's (one day in each zone);
- a full pass again (what `autopost stats thin` does) over the thinned table.
Checked: the dashboard's totals of each workspace's last year are the same before and after.

    .venv/bin/python -m bench.retention [--workspaces 4] [--publications 1750]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import tempfile
import time
import uuid
from collections.abc import Awaitable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncEngine

from autopost.db import transaction, utcnow
from autopost.migrations import runner
from autopost.runtime import Runtime
from autopost.security.vault import generate_key
from autopost.settings import Settings
from autopost.stats.period import Period, zone_of
from autopost.stats.queries import GroupBy, stats_reports
from autopost.stats.retention import (
    BATCH_PUBLICATIONS,
    _delete_the_rest,
    days_window,
    progress_key,
    thin_snapshots,
    thin_stats,
)
from autopost.workspaces.access import Member
from autopost_testing.databases import create_postgres, drop_postgres
from autopost_testing.world import REDIS_URL
from bench.stats_report import _member

T = TypeVar("T")
ZONES = ("Europe/Moscow", "Asia/Yekaterinburg", "Asia/Vladivostok", "Europe/Kaliningrad")
SNAPSHOTS_SQL = """
INSERT INTO stats_snapshots (id, publication_id, taken_at, views, likes, shares, comments)
SELECT gen_random_uuid(), p.id, p.published_at + interval '1 hour' + k * interval '5 hours',
    k * 37 + (k % 7) * 3, k * 3, k, k / 4
FROM publications p, generate_series(0, 143) k
WHERE p.published_at + interval '1 hour' + k * interval '5 hours' < now()
"""
COPY_SQL = (
    "CREATE TABLE snapshots_copy AS SELECT * FROM stats_snapshots",
    "ALTER TABLE snapshots_copy ADD PRIMARY KEY (id)",
    "CREATE INDEX ON snapshots_copy (publication_id, taken_at)",
)
REMOVED_SQL = """
CREATE TABLE removed AS SELECT c.id FROM snapshots_copy c
WHERE NOT EXISTS (SELECT 1 FROM stats_snapshots s WHERE s.id = c.id)
"""


async def _timed(work: Awaitable[T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = await work
    return result, time.perf_counter() - started


async def _sql(engine: AsyncEngine, sql: str) -> Any:
    async with engine.begin() as db:
        found = await db.execute(text(sql))
        return found.scalar() if found.returns_rows else None


async def _vacuum(engine: AsyncEngine) -> None:
    async with engine.connect() as db:
        await (await db.execution_options(isolation_level="AUTOCOMMIT")).execute(text("VACUUM ANALYZE"))


async def _dashboards(runtime: Runtime, members: list[Member], now: datetime) -> list[Any]:
    """Each workspace's last year (367 days up to today), by day: its totals and rows."""
    shown = []
    async with transaction(runtime.session_factory) as session:
        for member in members:
            zone = zone_of(member.workspace.time_zone)
            today = now.astimezone(zone).date()
            period = Period(today - timedelta(days=366), today, zone)
            [report] = await stats_reports(session, member, period, [GroupBy.DAY])
            shown.append((report.totals, [(row.key, row.totals) for row in report.rows]))
    return shown


async def _seed(engine: AsyncEngine, workspaces: int, count: int) -> list[Member]:
    members = [await _member(engine, n, count) for n in range(workspaces)]
    async with engine.begin() as db:
        for member, zone in zip(members, ZONES * workspaces, strict=False):
            member.workspace.time_zone = zone
            await db.execute(
                text("UPDATE workspaces SET time_zone = :zone WHERE id = :id"),
                {"zone": zone, "id": member.workspace_id},
            )
        await db.execute(text(SNAPSHOTS_SQL))
    await _vacuum(engine)
    return members


async def _delete_scans(engine: AsyncEngine, member: Member, now: datetime) -> list[str]:
    """The scans in the plan of one batch's DELETE (the first 200 publications of a workspace)."""
    zone = zone_of(member.workspace.time_zone)
    until = days_window(zone, now - timedelta(days=90), None)[1]
    async with engine.connect() as db:
        found = await db.execute(
            text("SELECT id FROM publications WHERE workspace_id = :id ORDER BY published_at LIMIT :n"),
            {"id": member.workspace_id, "n": BATCH_PUBLICATIONS},
        )
        statement = _delete_the_rest(list(found.scalars()), zone.key, None, until)
        compiled = statement.compile(
            dialect=postgresql.dialect(),  # type: ignore[no-untyped-call]
            compile_kwargs={"literal_binds": True},
        )
        plan = (await db.execute(text(f"EXPLAIN {compiled}"))).scalars().all()
    return [
        m.group(0)
        for line in plan
        if (m := re.search(r"(Seq|Index Only|Index|Bitmap Heap) Scan.* on \w+", line))
    ]


def _line(name: str, removed: int | None, taken: float, baselines: dict[str, float]) -> str:
    ratios = "  ".join(f"{taken / base:8.2f} × {label}" for label, base in baselines.items())
    rows = f"{removed:>9,}" if removed is not None else " " * 9
    return f"{name:<34} {rows}  {taken:8.3f} s  {ratios}"


async def main(workspaces: int, count: int) -> None:
    url = await create_postgres("autopost_retention")
    settings = Settings(
        _env_file=None,
        database_url=url,
        data_dir=Path(tempfile.mkdtemp(prefix="autopost-bench-retention-")),
        token_keys=generate_key(),
        redis_namespace=f"bench-retention-{uuid.uuid4().hex[:8]}",
        stats_detail_days=90,
    )
    runtime = Runtime.create(settings, REDIS_URL)
    engine = runtime.engine
    try:
        await asyncio.to_thread(runner.upgrade, url)
        members = await _seed(engine, workspaces, count)
        total = await _sql(engine, "SELECT count(*) FROM stats_snapshots")
        for sql in COPY_SQL:
            await _sql(engine, sql)
        await _vacuum(engine)
        now = utcnow()
        before = await _dashboards(runtime, members, now)
        print(f"{workspaces} workspaces × {count} publications over a year, {total:,} snapshots")

        print("plan of a first-pass batch's DELETE:", "; ".join(await _delete_scans(engine, members[0], now)))
        scans = [(await _timed(_sql(engine, "SELECT count(*) FROM stats_snapshots")))[1] for _ in range(3)]
        scan = min(scans)
        first, first_s = await _timed(thin_stats(runtime, now=now))
        await _sql(engine, REMOVED_SQL)
        bare = "DELETE FROM snapshots_copy USING removed r WHERE snapshots_copy.id = r.id"
        _, bare_s = await _timed(_sql(engine, bare))
        baselines = {"count(*) scan": scan, "bare DELETE": bare_s}
        print(f"{'':<34} {'removed':>9}  {'time':>10}  ratios to the baselines")
        print(_line("baseline: SELECT count(*)", None, scan, baselines))
        print(_line("baseline: bare DELETE of the rows", first, bare_s, baselines))
        print(_line("first pass (every old day)", first, first_s, baselines))
        for name, later in (("next hour's pass", timedelta(hours=1)), ("next day's pass", timedelta(days=1))):
            removed, taken = await _timed(thin_stats(runtime, now=now + later))
            print(_line(name, removed, taken, baselines))
        cut = now + timedelta(days=1) - timedelta(days=settings.stats_detail_days)
        removed, taken = await _timed(thin_snapshots(runtime.session_factory, cut))
        print(_line("full pass again (autopost stats thin)", removed, taken, baselines))

        left = await _sql(engine, "SELECT count(*) FROM stats_snapshots")
        same = await _dashboards(runtime, members, now) == before
        print(f"snapshots left: {left:,} of {total:,}; dashboard totals unchanged: {'yes' if same else 'NO'}")
    finally:
        await runtime.redis.delete(progress_key(runtime))
        await runtime.close()
        await drop_postgres(url)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspaces", type=int, default=4)
    parser.add_argument("--publications", type=int, default=1750, help="per workspace")
    options = parser.parse_args()
    asyncio.run(main(options.workspaces, options.publications))
