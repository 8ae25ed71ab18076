"""The calendar's month query on a year of a 30-client agency (product.md: calendar month < 300 ms).

Setup (not timed): a fresh PostgreSQL database at the head migration; --workspaces workspaces with
4 connections and --publications publications in all, spread evenly over the past 11 months
(published) and the next month (scheduled), bulk-inserted.

Timed: autopost.web.calendar_grid.period_chips (the page's one query and its Python) for the
current month and for a past month of one workspace, --runs times each; p50 and p95. The plan
PostgreSQL chose for the month is printed (EXPLAIN ANALYZE).

    .venv/bin/python -m bench.calendar [--publications 1000000] [--workspaces 30] [--runs 30]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.dialects.postgresql.base import PGDialect

from autopost.clips.models import Clip, ClipStatus
from autopost.connections.models import Connection
from autopost.db import make_engine, make_session_factory, transaction, utcnow
from autopost.migrations import runner
from autopost.platforms.catalog import ConnectionKind, Platform
from autopost.publications.models import Publication, PublicationStatus
from autopost.users.models import User
from autopost.web.calendar_grid import Span, period_chips, period_of, period_query
from autopost.web.formatting import user_zone
from autopost.workspaces.access import Member
from autopost.workspaces.models import Role, Workspace
from autopost.workspaces.usecases import create_workspace
from autopost_testing.databases import create_postgres, drop_postgres
from bench import harness

BATCH = 5_000
YEAR = timedelta(days=365)


async def _workspace(
    session: Any, n: int, clip_count: int
) -> tuple[User, list[uuid.UUID], list[tuple[uuid.UUID, Platform]]]:
    user = User(email=f"bench{n}-{uuid.uuid4().hex[:6]}@example.com", password_hash="-")
    session.add(user)
    await session.flush()
    await create_workspace(session, user, f"Client {n}", workspace_id=user.id)
    clips = [uuid.uuid4() for _ in range(clip_count)]
    for start in range(0, clip_count, BATCH):
        await session.execute(
            insert(Clip),
            [
                {"id": c, "workspace_id": user.id, "title": f"Clip {i}", "status": ClipStatus.READY}
                for i, c in enumerate(clips[start : start + BATCH], start)
            ],
        )
    connections = [(uuid.uuid4(), platform) for platform in Platform]
    await session.execute(
        insert(Connection),
        [
            {
                "id": c,
                "workspace_id": user.id,
                "platform": p,
                "kind": ConnectionKind.TOKEN,
                "account_id": p.value,
            }
            for c, p in connections
        ],
    )
    return user, clips, connections


def _rows(
    user: User, clips: list[uuid.UUID], connections: list[tuple[uuid.UUID, Platform]], count: int
) -> list[dict[str, Any]]:
    now, rng = utcnow(), random.Random(user.email)
    rows = []
    for i in range(count):
        at = now - YEAR + YEAR * rng.random() + timedelta(days=30)
        connection, platform = connections[i % len(connections)]
        published = at < now
        rows.append(
            {
                "id": uuid.uuid4(),
                "workspace_id": user.id,
                # Each clip once per account: one live publication per clip and account.
                "clip_id": clips[i // len(connections)],
                "connection_id": connection,
                "platform": platform,
                "status": PublicationStatus.PUBLISHED if published else PublicationStatus.SCHEDULED,
                "scheduled_at": None if published else at,
                "published_at": at if published else None,
                "created_at": at - timedelta(hours=1),
                "updated_at": at,
            }
        )
    return rows


async def _fill(factory: Any, workspaces: int, publications: int) -> list[User]:
    users = []
    for n in range(workspaces):
        async with transaction(factory) as session:
            count = publications // workspaces
            user, clips, connections = await _workspace(session, n, -(-count // len(Platform)))
            rows = _rows(user, clips, connections, count)
            for start in range(0, len(rows), BATCH):
                await session.execute(insert(Publication), rows[start : start + BATCH])
        users.append(user)
    # Committed: the planner's statistics are transactional like everything else.
    async with transaction(factory) as session:
        await session.execute(text("ANALYZE"))
    return users


async def _time(factory: Any, member: Member, anchor: Any, runs: int) -> list[float]:
    period = period_of(Span.MONTH, anchor, member_zone(member))
    took = []
    for _ in range(runs):
        async with factory() as session:
            started = time.perf_counter()
            chips = await period_chips(session, member, period)
            took.append((time.perf_counter() - started) * 1000)
    print(f"  month of {anchor:%Y-%m}: {len(chips)} chips")
    return took


def member_zone(member: Member) -> Any:
    return user_zone(member.workspace.time_zone)


async def _explain(factory: Any, member: Member, anchor: Any) -> None:
    period = period_of(Span.MONTH, anchor, member_zone(member))
    query = period_query(member, period)
    dialect = PGDialect()  # type: ignore[no-untyped-call]
    sql = str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    async with factory() as session:
        for (line,) in await session.execute(text(f"EXPLAIN ANALYZE {sql}")):
            print("   ", line)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--publications", type=int, default=1_000_000)
    parser.add_argument("--workspaces", type=int, default=30)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    url = await create_postgres("autopost_bench_calendar")
    engine = make_engine(url)
    try:
        await asyncio.to_thread(runner.upgrade, url)
        factory = make_session_factory(engine)
        started = time.perf_counter()
        users = await _fill(factory, args.workspaces, args.publications)
        print(
            f"setup: {args.publications} publications in {args.workspaces} workspaces, {time.perf_counter() - started:.0f} s"
        )
        async with factory() as session:
            workspace = await session.get(Workspace, users[0].id)
            assert workspace is not None
        member = Member(users[0], workspace, Role.OWNER)
        today = utcnow().astimezone(member_zone(member)).date()
        for anchor in (today, (today.replace(day=1) - timedelta(days=120)).replace(day=1)):
            took = await _time(factory, member, anchor, args.runs)
            print(f"  p50 {harness.percentile(took, 50):.1f} ms, p95 {harness.percentile(took, 95):.1f} ms")
        await _explain(factory, member, today)
    finally:
        await engine.dispose()
        await drop_postgres(url)


if __name__ == "__main__":
    asyncio.run(main())
