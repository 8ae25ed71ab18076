"""A workspace's stats over a period: what its publications gained, per platform, clip, series or day.

Snapshots hold cumulative counters. What a day gained is the day's highest reading less the
highest reading before it (the last snapshot before the period is the baseline; a publication's
first reading counts from zero), never negative: a platform recounting downwards gains nothing.
Every total is a sum of such gains, so per-platform, per-clip, per-series and per-day rows add up
the same (publications planned outside a series share the row NO_SERIES).

Index-friendly shape: the workspace's publications that could have snapshots in the period
(published before its end, and tracked at most TRACK_FOR) by (workspace_id, published_at), then each
one's snapshots by (publication_id, taken_at). The database does the arithmetic: each publication's
highest readings per local day, their gains over its running highest (window functions, on
PostgreSQL and SQLite alike), summed per platform, clip, series and day. Python receives one row
per such source (not one per publication and day) and adds them into each grouping asked.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.clips.models import Clip
from autopost.db import local_date
from autopost.platforms.catalog import Platform
from autopost.publications.models import Publication
from autopost.series.models import Series
from autopost.stats.models import StatsSnapshot
from autopost.stats.period import Period
from autopost.stats.tasks import TRACK_FOR
from autopost.workspaces.access import Member

COUNTERS = ("views", "likes", "shares", "comments")
# Snapshots are taken up to TRACK_FOR after publishing; a job that ran late may add a little.
TRACKING_SLACK = timedelta(days=1)
BASELINE = ""  # the bucket of the readings before the period (sorts before every 'YYYY-MM-DD')
NO_SERIES = ""  # the series row of the publications planned one by one


class GroupBy(StrEnum):
    PLATFORM = "platform"
    CLIP = "clip"
    SERIES = "series"
    DAY = "day"


@dataclass
class Totals:
    views: int = 0
    likes: int = 0
    shares: int = 0
    comments: int = 0
    publications: int = 0

    def add(self, other: Totals) -> None:
        for name in (*COUNTERS, "publications"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class StatsRow:
    """One group: a platform value, a clip id (with its title), a series id or a day ('YYYY-MM-DD').

    A series row names the series by its first day and how many clips it planned.
    """

    key: str
    totals: Totals = field(default_factory=Totals)
    title: str | None = None
    start_date: date | None = None
    clips: int | None = None


@dataclass
class StatsReport:
    period: Period
    group_by: GroupBy
    rows: list[StatsRow]
    totals: Totals


@dataclass(frozen=True)
class _Source:
    """What a reading or a count belongs to, whichever way it is grouped."""

    platform: Platform
    clip_id: uuid.UUID
    series_id: uuid.UUID | None
    day: str

    def key(self, group_by: GroupBy) -> str:
        if group_by is GroupBy.PLATFORM:
            return self.platform.value
        if group_by is GroupBy.SERIES:
            return str(self.series_id) if self.series_id else NO_SERIES
        return str(self.clip_id) if group_by is GroupBy.CLIP else self.day


def _daily_gains(member: Member, period: Period) -> Select[Any]:
    """What each platform, clip, series and local day of the period gained, summed over publications."""
    zone = period.zone.key
    bucket = case(
        (StatsSnapshot.taken_at < period.start, literal(BASELINE)),
        else_=local_date(StatsSnapshot.taken_at, zone),
    )
    readings = (
        select(
            StatsSnapshot.publication_id,
            Publication.platform,
            Publication.clip_id,
            Publication.series_id,
            bucket.label("bucket"),
            *(getattr(StatsSnapshot, name) for name in COUNTERS),
        )
        .join(Publication, Publication.id == StatsSnapshot.publication_id)
        .where(*_tracked(member, period))
        .subquery()
    )
    keys = (
        readings.c.publication_id,
        readings.c.platform,
        readings.c.clip_id,
        readings.c.series_id,
        readings.c.bucket,
    )
    daily = (
        select(*keys, *(func.max(readings.c[name]).label(name) for name in COUNTERS))
        .group_by(*keys)
        .subquery()
    )
    # A day's gain is the publication's highest reading so far less its highest before that day
    # (from zero: a first reading counts whole; a recount downwards gains nothing).
    gains = select(
        daily.c.platform,
        daily.c.clip_id,
        daily.c.series_id,
        daily.c.bucket,
        *((_highest(daily.c[name], 0) - _highest(daily.c[name], -1)).label(name) for name in COUNTERS),
    ).subquery()
    group = (gains.c.platform, gains.c.clip_id, gains.c.series_id, gains.c.bucket)
    return (
        select(*group, *(func.sum(gains.c[name]).label(name) for name in COUNTERS))
        .where(gains.c.bucket != BASELINE)
        .group_by(*group)
    )


def _period_gains(member: Member, period: Period) -> Select[Any]:
    """The same gains without days (a report not grouped by day): each publication's highest reading
    by the period's end less its highest before the period, summed per platform, clip and series."""
    highest = (
        select(
            Publication.platform,
            Publication.clip_id,
            Publication.series_id,
            *(func.max(getattr(StatsSnapshot, name)).label(name) for name in COUNTERS),
            *(
                func.max(case((StatsSnapshot.taken_at < period.start, getattr(StatsSnapshot, name)))).label(
                    f"before_{name}"
                )
                for name in COUNTERS
            ),
        )
        .join(Publication, Publication.id == StatsSnapshot.publication_id)
        .where(*_tracked(member, period))
        .group_by(
            StatsSnapshot.publication_id, Publication.platform, Publication.clip_id, Publication.series_id
        )
        # Only publications read in the period have a row (as by day: the baseline alone has none).
        .having(func.max(StatsSnapshot.taken_at) >= period.start)
        .subquery()
    )
    group = (highest.c.platform, highest.c.clip_id, highest.c.series_id)
    gained = (_positive(highest.c[name]) - _positive(highest.c[f"before_{name}"]) for name in COUNTERS)
    sums = (func.sum(each).label(name) for each, name in zip(gained, COUNTERS, strict=True))
    # No day: the row's day is the baseline's, which no grouping but DAY reads.
    return select(*group, literal(BASELINE).label("bucket"), *sums).group_by(*group)


def _tracked(member: Member, period: Period) -> tuple[ColumnElement[bool], ...]:
    """The readings of the workspace's publications that count for the period, up to its end."""
    return (
        Publication.workspace_id == member.workspace_id,
        Publication.published_at >= period.start - TRACK_FOR - TRACKING_SLACK,
        Publication.published_at < period.end,
        StatsSnapshot.taken_at < period.end,
    )


def _positive(value: Any) -> ColumnElement[int]:
    return case((value > 0, value), else_=0)


def _highest(counter: Any, last_row: int) -> ColumnElement[int]:
    """The publication's highest reading of `counter` up to its day (0) or its day before (-1); 0 for none."""
    highest = func.max(counter).over(
        partition_by=counter.table.c.publication_id, order_by=counter.table.c.bucket, rows=(None, last_row)
    )
    return _positive(highest)


def _published_counts(member: Member, period: Period) -> Select[Any]:
    """How many publications went out per platform, clip, series and local day of the period."""
    published = (
        select(
            Publication.platform,
            Publication.clip_id,
            Publication.series_id,
            local_date(Publication.published_at, period.zone.key).label("day"),
        )
        .where(
            Publication.workspace_id == member.workspace_id,
            Publication.published_at >= period.start,
            Publication.published_at < period.end,
        )
        .subquery()
    )
    keys = (published.c.platform, published.c.clip_id, published.c.series_id, published.c.day)
    return select(*keys, func.count().label("count")).group_by(*keys)


class _Fold:
    """Adds the gains and counts of each source into one row per group, for every grouping asked."""

    def __init__(self, groupings: Sequence[GroupBy], period: Period) -> None:
        self.groups: dict[GroupBy, dict[str, list[int]]] = {group_by: {} for group_by in groupings}
        if GroupBy.DAY in self.groups:
            self.groups[GroupBy.DAY] = {day.isoformat(): [0] * 5 for day in period.days()}

    def add(self, source: _Source, amounts: Sequence[int]) -> None:
        for group_by, rows in self.groups.items():
            key = source.key(group_by)
            found = rows.get(key)
            if found is None:
                found = rows[key] = [0] * 5
            for i, amount in enumerate(amounts):
                found[i] += amount


def _totals(amounts: Sequence[int]) -> Totals:
    views, likes, shares, comments, publications = amounts
    return Totals(views, likes, shares, comments, publications)


async def stats_report(
    session: AsyncSession, member: Member, period: Period, group_by: GroupBy
) -> StatsReport:
    """What the member's workspace gained in the period, grouped; every day has a row by day."""
    [report] = await stats_reports(session, member, period, [group_by])
    return report


async def stats_reports(
    session: AsyncSession, member: Member, period: Period, groupings: Sequence[GroupBy]
) -> list[StatsReport]:
    """Several groupings of the same period from one pass over the snapshots (the dashboard's four)."""
    fold = _Fold(groupings, period)
    # Not split by day, the same sums need no window over the days.
    gains = _daily_gains if GroupBy.DAY in groupings else _period_gains
    for platform, clip_id, series_id, day, *gained in await session.execute(gains(member, period)):
        fold.add(_Source(platform, clip_id, series_id, day), [int(v or 0) for v in gained] + [0])
    for platform, clip_id, series_id, day, count in await session.execute(_published_counts(member, period)):
        fold.add(_Source(platform, clip_id, series_id, day), (0, 0, 0, 0, count))
    reports = []
    for group_by, found in fold.groups.items():
        rows = await _ordered(session, member, group_by, [StatsRow(k, _totals(v)) for k, v in found.items()])
        totals = Totals()
        for each in rows:
            totals.add(each.totals)
        reports.append(StatsReport(period, group_by, rows, totals))
    return reports


async def _ordered(
    session: AsyncSession, member: Member, group_by: GroupBy, rows: Iterable[StatsRow]
) -> list[StatsRow]:
    """Days in order, platforms in the catalog's order, clips and series by views gained (top first)."""
    found = list(rows)
    if group_by is GroupBy.DAY:
        return sorted(found, key=lambda r: r.key)
    if group_by is GroupBy.PLATFORM:
        order = [p.value for p in Platform]
        return sorted(found, key=lambda r: order.index(r.key))
    if group_by is GroupBy.SERIES:
        await _name_series(session, found)
        return sorted(
            found, key=lambda r: (-r.totals.views, -r.totals.likes, r.start_date or date.max, r.key)
        )
    ids = [uuid.UUID(r.key) for r in found]
    # The workspace's clips by their index, then the ids among them (not every clip for a long list).
    found_titles = await session.execute(
        select(Clip.id, Clip.title).where(Clip.workspace_id == member.workspace_id, Clip.id.in_(ids))
    )
    titles: dict[uuid.UUID, str] = {clip_id: title for clip_id, title in found_titles}
    for row in found:
        row.title = titles.get(uuid.UUID(row.key), "")
    return sorted(found, key=lambda r: (-r.totals.views, -r.totals.likes, r.title or "", r.key))


async def _name_series(session: AsyncSession, rows: list[StatsRow]) -> None:
    """A series has no name: its rows show the first day planned and how many clips it holds."""
    ids = [uuid.UUID(r.key) for r in rows if r.key != NO_SERIES]
    found = await session.execute(select(Series.id, Series.spec).where(Series.id.in_(ids)))
    specs: dict[uuid.UUID, dict[str, Any]] = {series_id: spec for series_id, spec in found}
    for row in rows:
        spec = specs.get(uuid.UUID(row.key), {}) if row.key != NO_SERIES else {}
        row.start_date = date.fromisoformat(spec["start_date"]) if spec else None
        row.clips = len(spec.get("clip_ids", ())) if spec else None
