"""Retention: stats snapshots older than AUTOPOST_STATS_DETAIL_DAYS are thinned to daily points.

A day is a day of the workspace's calendar (what the dashboard counts by), thinned once it has
ended before the cut-off, whole. Its latest snapshot of each publication stays, raised to the
day's highest readings (counters only grow, and the dashboard reads a day's highest), and the
others go: every report and CSV export reads the same after thinning as before.

The work goes in batches of publications, one transaction each, so a first pass over millions of
rows never holds one long transaction. Progress is the cut-off of the last finished pass, kept in
Redis: the next pass starts from the day before it (a workspace whose zone changed meanwhile
misses no hour), so the hourly pass reads only the days newly past the cut-off. Without it (the
first pass, a flushed Redis) a pass reads every older day: longer, with the same result.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Delete, Select, and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from autopost.db import local_date, transaction, utcnow
from autopost.publications.models import Publication
from autopost.runtime import Runtime
from autopost.stats.models import StatsSnapshot
from autopost.stats.period import zone_of
from autopost.stats.queries import COUNTERS, TRACKING_SLACK
from autopost.stats.tasks import TRACK_FOR
from autopost.workspaces.models import Workspace

# Publications per transaction: at a reading every 5 hours for 30 days, about 30,000 snapshots.
BATCH_PUBLICATIONS = 200


def progress_key(runtime: Runtime) -> str:
    return f"{runtime.queues.prefix}:stats:thinned-before"


async def thin_stats(runtime: Runtime, *, now: datetime | None = None) -> int:
    """The worker's pass: thin the days newly past the cut-off; the number of snapshots removed."""
    detail_days = runtime.settings.stats_detail_days
    if detail_days == 0:
        return 0
    cut = (now or utcnow()) - timedelta(days=detail_days)
    stored = await runtime.redis.get(progress_key(runtime))
    since = datetime.fromisoformat(stored if isinstance(stored, str) else stored.decode()) if stored else None
    removed = await thin_snapshots(runtime.session_factory, cut, since=since)
    await runtime.redis.set(progress_key(runtime), cut.isoformat())
    return removed


async def thin_snapshots(
    factory: async_sessionmaker[AsyncSession], cut: datetime, *, since: datetime | None = None
) -> int:
    """Thin every workspace's days that ended before `cut`: from the day before `since`, or all."""
    async with transaction(factory) as session:
        # In one order, so two passes at once (the CLI beside a worker) meet rows in the same order.
        workspaces = (
            await session.execute(select(Workspace.id, Workspace.time_zone).order_by(Workspace.id))
        ).all()
    removed = 0
    for workspace_id, zone_name in workspaces:
        zone = zone_of(zone_name)
        start, until = days_window(zone, cut, since)
        if start is None or start < until:
            removed += await _thin_workspace(factory, workspace_id, zone.key, start, until)
    return removed


def days_window(zone: ZoneInfo, cut: datetime, since: datetime | None) -> tuple[datetime | None, datetime]:
    """The UTC bounds of the whole local days to thin: up to the cut-off's day, from the day before `since`'s."""
    until = _midnight(cut.astimezone(zone).date(), zone)
    if since is None:
        return None, until
    return _midnight(since.astimezone(zone).date() - timedelta(days=1), zone), until


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), zone).astimezone(UTC)


async def _thin_workspace(
    factory: async_sessionmaker[AsyncSession],
    workspace_id: uuid.UUID,
    zone: str,
    start: datetime | None,
    until: datetime,
) -> int:
    removed = 0
    after: tuple[datetime, uuid.UUID] | None = None
    while True:
        async with transaction(factory) as session:
            batch = (await session.execute(_publications(workspace_id, start, until, after))).all()
            if batch:
                removed += await _thin_batch(session, [row.id for row in batch], zone, start, until)
        if len(batch) < BATCH_PUBLICATIONS:
            return removed
        after = (batch[-1].published_at, batch[-1].id)


def _publications(
    workspace_id: uuid.UUID, start: datetime | None, until: datetime, after: tuple[datetime, uuid.UUID] | None
) -> Select[uuid.UUID, datetime | None]:
    """The next batch of the workspace's publications that can have snapshots in the window.

    Snapshots are taken while a publication is tracked (TRACK_FOR after publishing), so a window
    from `start` needs only the publications published since TRACK_FOR before it. Keyset order by
    (published_at, id), bounded below by published_at so the index range, not a filter, skips
    what earlier batches did.
    """
    query = select(Publication.id, Publication.published_at).where(
        Publication.workspace_id == workspace_id, Publication.published_at < until
    )
    if start is not None:
        query = query.where(Publication.published_at >= start - TRACK_FOR - TRACKING_SLACK)
    if after is not None:
        last_at, last_id = after
        query = query.where(
            Publication.published_at >= last_at,
            or_(Publication.published_at > last_at, Publication.id > last_id),
        )
    return query.order_by(Publication.published_at, Publication.id).limit(BATCH_PUBLICATIONS)


def _in_window(ids: Sequence[uuid.UUID], start: datetime | None, until: datetime) -> ColumnElement[bool]:
    found = and_(StatsSnapshot.publication_id.in_(ids), StatsSnapshot.taken_at < until)
    return found if start is None else and_(found, StatsSnapshot.taken_at >= start)


def _ranked(ids: Sequence[uuid.UUID], zone: str, start: datetime | None, until: datetime) -> Any:
    """The window's snapshots, each with its rank in its publication's local day (1: the latest)
    and the day's highest readings."""
    day = (StatsSnapshot.publication_id, local_date(StatsSnapshot.taken_at, zone))
    columns: list[Any] = [
        StatsSnapshot.id,
        func.row_number()
        .over(partition_by=day, order_by=(StatsSnapshot.taken_at.desc(), StatsSnapshot.id.desc()))
        .label("rank"),
    ]
    for name in COUNTERS:
        counter = getattr(StatsSnapshot, name)
        columns += [counter, func.max(counter).over(partition_by=day).label(f"max_{name}")]
    return select(*columns).where(_in_window(ids, start, until)).subquery()


async def _thin_batch(
    session: AsyncSession, ids: Sequence[uuid.UUID], zone: str, start: datetime | None, until: datetime
) -> int:
    """Keep each day's latest snapshot with the day's highest readings; delete the rest."""
    ranked = _ranked(ids, zone, start, until)
    lower = or_(*(ranked.c[name].is_distinct_from(ranked.c[f"max_{name}"]) for name in COUNTERS))
    found = await session.execute(
        select(ranked.c.id, *(ranked.c[f"max_{name}"] for name in COUNTERS)).where(ranked.c.rank == 1, lower)
    )
    raised = [{"id": row[0], **dict(zip(COUNTERS, row[1:], strict=True))} for row in found]
    if raised:
        await session.execute(update(StatsSnapshot), raised)
    deleted = await session.execute(_delete_the_rest(ids, zone, start, until))
    return int(deleted.rowcount)  # type: ignore[attr-defined]


def _delete_the_rest(ids: Sequence[uuid.UUID], zone: str, start: datetime | None, until: datetime) -> Delete:
    """Every snapshot of the window but each day's latest (read by the (publication_id, taken_at) index)."""
    ranked = _ranked(ids, zone, start, until)
    doomed = select(ranked.c.id).where(ranked.c.rank > 1)
    return (
        delete(StatsSnapshot)
        .where(_in_window(ids, start, until), StatsSnapshot.id.in_(doomed))
        .execution_options(synchronize_session=False)
    )
