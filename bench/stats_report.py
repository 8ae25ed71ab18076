"""The stats dashboard's query on PostgreSQL over a year of snapshots: its plan and its time.

Setup (not timed): a fresh PostgreSQL database migrated to head; --workspaces workspaces, each with
--publications VK publications spread over the past year (one every 365 days / n), each read twice a
day for its 30 tracked days (as the collector appends them); then VACUUM ANALYZE (what autovacuum
does on a live database).

Timed: stats_reports (the page's three groupings from one pass) for the last 7, 30 and 90 days of
one workspace, --runs times each, best and median. Printed beside it: the plan's scans of the
readings query — the snapshots must be read by index (an index-only scan), never sequentially.

    .venv/bin/python -m bench.stats_report [--workspaces 3] [--publications 8000] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import time

from sqlalchemy import text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncEngine

from autopost.clips.models import Clip, ClipStatus
from autopost.connections.models import Connection
from autopost.db import make_engine, make_session_factory, transaction, utcnow
from autopost.migrations import runner
from autopost.platforms.catalog import ConnectionKind, Platform
from autopost.stats.period import last_days, zone_of
from autopost.stats.queries import GroupBy, _daily_gains, stats_reports
from autopost.users.plans import Plan
from autopost.users.service import create_user
from autopost.workspaces.access import Member, resolve_member
from autopost_testing.databases import create_postgres, drop_postgres

PUBLICATIONS_SQL = """
INSERT INTO publications (id, workspace_id, clip_id, connection_id, platform, generation, status, phase,
    progress, attempts, title, description, checkpoint, published_at, created_at, updated_at)
SELECT gen_random_uuid(), :workspace, :clip, :connection, 'vk', g, 'published', 'done', 100, 1, '', '',
    '{}', now() - g * (interval '365 days' / :count), now(), now()
FROM generate_series(1, :count) g
"""
SNAPSHOTS_SQL = """
INSERT INTO stats_snapshots (id, publication_id, taken_at, views, likes, shares, comments)
SELECT gen_random_uuid(), p.id, p.published_at + k * interval '12 hours', k * 37, k * 3, k, k / 4
FROM publications p, generate_series(1, 60) k
WHERE p.published_at + k * interval '12 hours' < now()
"""


async def _member(engine: AsyncEngine, n: int, count: int) -> Member:
    async with transaction(make_session_factory(engine)) as session:
        user, _ = await create_user(session, f"bench-{n}@example.com", plan=Plan.PRO, password="bench-pass-1")
        member = await resolve_member(session, user, None)
        clip = Clip(workspace_id=member.workspace_id, title=f"clip {n}", status=ClipStatus.READY)
        connection = Connection(
            workspace_id=member.workspace_id,
            platform=Platform.VK,
            kind=ConnectionKind.TOKEN,
            account_id=str(n),
            account_name="bench",
        )
        session.add_all([clip, connection])
        await session.flush()
        workspace, clip_id, connection_id = member.workspace_id, clip.id, connection.id
    async with engine.begin() as db:
        await db.execute(
            text(PUBLICATIONS_SQL),
            {"workspace": workspace, "clip": clip_id, "connection": connection_id, "count": count},
        )
    return member


async def _scans(engine: AsyncEngine, member: Member, days: int) -> list[str]:
    period = last_days(zone_of(member.workspace.time_zone), utcnow(), days)
    compiled = _daily_gains(member, period).compile(
        dialect=postgresql.dialect(),  # type: ignore[no-untyped-call]
        compile_kwargs={"literal_binds": True},
    )
    async with engine.connect() as db:
        plan = (await db.execute(text(f"EXPLAIN {compiled}"))).scalars().all()
    return [
        m.group(0)
        for line in plan
        if (m := re.search(r"(Seq|Index Only|Index|Bitmap Heap) Scan.* on \w+", line))
    ]


async def _time(engine: AsyncEngine, member: Member, days: int, runs: int) -> list[float]:
    period = last_days(zone_of(member.workspace.time_zone), utcnow(), days)
    taken = []
    for _ in range(runs):
        async with transaction(make_session_factory(engine)) as session:
            started = time.perf_counter()
            await stats_reports(session, member, period, list(GroupBy))
            taken.append(time.perf_counter() - started)
    return taken


async def main(workspaces: int, count: int, runs: int) -> None:
    url = await create_postgres()
    engine = make_engine(url)
    try:
        await asyncio.to_thread(runner.upgrade, url)
        members = [await _member(engine, n, count) for n in range(workspaces)]
        async with engine.begin() as db:
            await db.execute(text(SNAPSHOTS_SQL))
            snapshots = (await db.execute(text("SELECT count(*) FROM stats_snapshots"))).scalar_one()
        async with engine.connect() as db:
            await (await db.execution_options(isolation_level="AUTOCOMMIT")).execute(text("VACUUM ANALYZE"))
        print(f"{workspaces} workspaces × {count} publications over a year, {snapshots} snapshots")
        for days in (7, 30, 90):
            taken = await _time(engine, members[0], days, runs)
            scans = "; ".join(await _scans(engine, members[0], days))
            print(
                f"last {days:>2} days: best {min(taken):.3f} s, median {statistics.median(taken):.3f} s  [{scans}]"
            )
    finally:
        await engine.dispose()
        await drop_postgres(url)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspaces", type=int, default=3)
    parser.add_argument("--publications", type=int, default=8000, help="per workspace")
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    asyncio.run(main(options.workspaces, options.publications, options.runs))
