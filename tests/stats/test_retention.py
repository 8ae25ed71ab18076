"""Stats retention (autopost.stats.retention) on PostgreSQL and SQLite.

The passes run at a `now` in 2011, so the cut-off (90 days before it) lies before anything other
tests leave in the shared database: what a pass removes is this test's alone.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select

from autopost.db import transaction, utcnow
from autopost.migrations import runner
from autopost.platforms.catalog import Platform
from autopost.publications.models import Publication
from autopost.stats.export import columns, csv_chunks
from autopost.stats.models import StatsSnapshot
from autopost.stats.period import Period
from autopost.stats.queries import GroupBy, stats_reports
from autopost.stats.retention import progress_key, thin_snapshots, thin_stats
from autopost.users.plans import Plan
from autopost.users.service import create_user
from autopost.workspaces.access import Member, resolve_member
from autopost_testing.world import REDIS_URL, World, world_settings
from tests.stats.seed import Seed

NOW = datetime(2011, 6, 1, 12, tzinfo=UTC)  # the cut-off: 3 March 2011, 12:00 UTC
Reading = tuple[datetime, int | None, int | None, int | None, int | None]


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2011, month, day, hour, minute, tzinfo=UTC)


class Scene(World):
    """A world whose workspaces' publications (and so their snapshots) are deleted at the end:
    the next test's pass on the shared database finds none of them."""

    workspaces: list[uuid.UUID]

    async def close(self) -> None:
        async with transaction(self.runtime.session_factory) as session:
            await session.execute(delete(Publication).where(Publication.workspace_id.in_(self.workspaces)))
        await super().close()


def scene(tmp_path: Path, database_url: str, detail_days: int) -> Scene:
    made = Scene(world_settings(tmp_path, database_url, stats_detail_days=detail_days), REDIS_URL)
    made.workspaces = []
    return made


@pytest.fixture
async def world(tmp_path: Path, database_url: str) -> AsyncIterator[Scene]:
    made = scene(tmp_path, database_url, 90)
    yield made
    await made.close()


async def workspace(world: Scene, zone: str = "UTC") -> Member:
    async with transaction(world.runtime.session_factory) as session:
        email = f"retention-{uuid.uuid4().hex[:8]}@example.com"
        user, _ = await create_user(session, email, plan=Plan.PRO, password="correct-horse-1")
        member = await resolve_member(session, user, None)
        member.workspace.time_zone = zone
    world.workspaces.append(member.workspace_id)
    return member


async def published(world: Scene, member: Member, when: datetime, readings: list[Reading]) -> uuid.UUID:
    """A publication of its own clip, with snapshots (taken_at, views, likes, shares, comments)."""
    async with transaction(world.runtime.session_factory) as session:
        seed = Seed(session, member.workspace_id)
        publication = await seed.published(await seed.clip("Клип"), await seed.connection(Platform.VK), when)
        for taken_at, *counters in readings:
            await seed.snapshot(publication, taken_at, *counters)  # type: ignore[arg-type]
    return publication.id


async def readings(world: Scene, publication_id: uuid.UUID) -> list[Reading]:
    async with transaction(world.runtime.session_factory) as session:
        rows = await session.scalars(
            select(StatsSnapshot)
            .where(StatsSnapshot.publication_id == publication_id)
            .order_by(StatsSnapshot.taken_at)
        )
        return [(r.taken_at, r.views, r.likes, r.shares, r.comments) for r in rows]


async def test_an_old_day_keeps_its_latest_point_with_the_days_highest_readings(world: Scene) -> None:
    member = await workspace(world, "Europe/Moscow")  # UTC+3: 21:30 UTC is already the next day
    day_before = (at(1, 10, 20), 90, 4, None, 1)
    first = (at(1, 10, 21, 30), 100, 5, None, 1)
    recounted = (at(1, 11, 6), 150, 4, 2, None)  # likes recounted down; comments not read
    latest = (at(1, 11, 20), 140, 6, None, 1)  # 23:00 in Moscow: still the 11th
    next_day = (at(1, 11, 21, 30), 160, 6, 2, 1)
    publication = await published(
        world, member, at(1, 10, 9), [day_before, first, recounted, latest, next_day]
    )

    assert await thin_stats(world.runtime, now=NOW) == 2

    assert await readings(world, publication) == [day_before, (at(1, 11, 20), 150, 6, 2, 1), next_day]


async def test_days_are_the_workspace_zones(world: Scene) -> None:
    """03:00 and 07:00 UTC are one day in UTC, two in New York (22:00 the day before, and 02:00)."""
    evening, morning = (at(1, 20, 3), 10, None, None, None), (at(1, 20, 7), 20, None, None, None)
    in_utc = await published(world, await workspace(world, "UTC"), at(1, 19, 1), [evening, morning])
    in_new_york = await published(
        world, await workspace(world, "America/New_York"), at(1, 19, 1), [evening, morning]
    )

    assert await thin_stats(world.runtime, now=NOW) == 1

    assert await readings(world, in_utc) == [morning]
    assert await readings(world, in_new_york) == [evening, morning]


async def test_recent_days_and_the_cut_off_day_stay_as_taken(world: Scene) -> None:
    """Only days that ended before the cut-off are thinned; another workspace's recent data is not touched."""
    old = [(at(3, 2, hour), hour, None, None, None) for hour in (1, 9, 17)]
    cut_off_day = [(at(3, 3, hour), 20 + hour, None, None, None) for hour in (1, 9)]  # before 12:00
    recent = [(at(5, 30, hour), 100 + hour, None, None, None) for hour in (1, 9, 17)]
    publication = await published(world, await workspace(world), at(3, 1, 9), old + cut_off_day)
    theirs = await published(world, await workspace(world, "Asia/Tokyo"), at(5, 29, 9), recent)

    assert await thin_stats(world.runtime, now=NOW) == 2

    assert await readings(world, publication) == [old[-1], *cut_off_day]
    assert await readings(world, theirs) == recent


async def test_a_pass_reads_only_the_days_newly_past_the_cut_off(world: Scene) -> None:
    member = await workspace(world)
    twice = [(at(2, 1, 6), 1, None, None, None), (at(2, 1, 18), 2, None, None, None)]
    then = [(at(3, 3, 6), 3, None, None, None), (at(3, 3, 18), 4, None, None, None)]
    publication = await published(world, member, at(1, 30, 9), twice + then)
    assert await thin_stats(world.runtime, now=NOW) == 1
    assert await thin_stats(world.runtime, now=NOW) == 0, "a second pass removes nothing"
    assert await thin_stats(world.runtime, now=NOW + timedelta(hours=1)) == 0

    # Rows written into long-thinned days after the pass (a restored backup) are not looked at again
    # by the hourly pass, which reads from where the last one stopped; a full pass takes them.
    late = await published(world, member, at(1, 30, 9), twice)
    assert await thin_stats(world.runtime, now=NOW + timedelta(days=1)) == 1  # 3 March ended
    assert await readings(world, publication) == [twice[1], then[1]]
    assert await readings(world, late) == twice
    assert (
        await thin_snapshots(world.runtime.session_factory, NOW + timedelta(days=1) - timedelta(days=90)) == 1
    )
    assert await readings(world, late) == [twice[1]]

    stored = await world.runtime.redis.get(progress_key(world.runtime))
    assert stored is not None and datetime.fromisoformat(stored.decode()) == NOW + timedelta(days=-89)


async def test_detail_days_0_keeps_every_snapshot(tmp_path: Path, database_url: str) -> None:
    keeping = scene(tmp_path, database_url, 0)
    try:
        member = await workspace(keeping)
        taken = [(at(1, 5, hour), hour, None, None, None) for hour in (1, 2, 3)]
        publication = await published(keeping, member, at(1, 4, 9), taken)
        assert await thin_stats(keeping.runtime, now=NOW) == 0
        assert await readings(keeping, publication) == taken
        assert await keeping.runtime.redis.get(progress_key(keeping.runtime)) is None
    finally:
        await keeping.close()


def _growing(start: datetime, days: int, every_hours: int, step: Callable[[int], int]) -> list[Reading]:
    """Readings every few hours, counters growing by `step(n)` (a negative step: a recount)."""
    made, views = [], 0
    for n in range(days * 24 // every_hours):
        views = max(0, views + step(n))
        made.append((start + timedelta(hours=n * every_hours), views, views // 10, views // 50, n // 7))
    return made


async def test_the_dashboard_and_its_csv_read_the_same_after_thinning(world: Scene) -> None:
    member = await workspace(world, "Asia/Yekaterinburg")  # UTC+5, and +6 from 27 March 2011
    zone = ZoneInfo(member.workspace.time_zone)
    taken = {}
    for n, start in enumerate((at(1, 3, 7), at(1, 20, 13), at(2, 14, 2), at(2, 27, 22))):
        # One reading every 5 hours for 30 days; now and then the platform recounts downwards.
        made = _growing(start, 30, 5, lambda k, n=n: -15 if k % 9 == 4 else 40 + n)
        taken[await published(world, member, start, made)] = made
    periods = [
        Period(date(2011, 1, 1), date(2011, 5, 31), zone),
        Period(date(2011, 2, 10), date(2011, 3, 10), zone),
    ]

    async def dashboards() -> list[tuple[object, ...]]:
        async with transaction(world.runtime.session_factory) as session:
            shown = []
            for period in periods:
                for report in await stats_reports(session, member, period, list(GroupBy)):
                    csv = "".join(csv_chunks(report, columns(report.group_by)))
                    shown.append((report.totals, [(r.key, r.totals) for r in report.rows], csv))
            return shown

    before = await dashboards()
    removed = await thin_stats(world.runtime, now=NOW)
    assert await dashboards() == before

    kept = {publication: await readings(world, publication) for publication in taken}
    assert removed == sum(len(taken[p]) - len(kept[p]) for p in taken) > 0
    for publication, left in kept.items():
        assert left[-1] == taken[publication][-1], "the latest reading survives"
        old_days = [r[0].astimezone(zone).date() for r in left if r[0] < datetime(2011, 3, 3, tzinfo=zone)]
        assert len(old_days) == len(set(old_days)), "one point per day before the cut-off's day"


async def test_the_worker_thins_hourly(tmp_path: Path, fresh_database_url: str) -> None:
    """A periodic worker's pass, on a database of the test's own (the pass runs at the real time)."""
    await runner.upgrade_async(fresh_database_url)
    world = scene(tmp_path, fresh_database_url, 90)
    try:
        day = datetime.combine((utcnow() - timedelta(days=200)).date(), time(), UTC)
        taken = [(day + timedelta(hours=hour), hour, None, None, None) for hour in (1, 5, 9)]
        publication = await published(world, await workspace(world), day, taken)
        await world.start_worker(platforms=[])
        deadline = asyncio.get_running_loop().time() + 30
        while len(await readings(world, publication)) > 1:
            assert asyncio.get_running_loop().time() < deadline, "no retention pass"
            await asyncio.sleep(0.2)
        assert await readings(world, publication) == taken[-1:]
    finally:
        await world.close()
