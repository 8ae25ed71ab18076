"""A workspace's stats over a period: what its publications gained, per platform, clip, series or day.

Snapshots hold cumulative counters. What a day gained is the day's highest reading less the
highest reading before it (the last snapshot before the period is the baseline; a publication's
first reading counts from zero), never negative: a platform recounting downwards gains nothing.
Every total is a sum of such gains, so per-platform, per-clip, per-series and per-day rows add up
the same (publications planned outside a series share the row NO_SERIES).

Index-friendly shape: the workspace's publications that could have snapshots in the period
(published before its end, and tracked at most TRACK_FOR) by (workspace_id, published_at), then each
one's snapshots by (publication_id, taken_at). The daily readings stream from a server-side cursor
in day order into one accumulator per group; memory follows the groups and the publications of the
period, never the number of snapshots.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, case, func, literal, select
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


def _daily_readings(member: Member, period: Period) -> Select[Any]:
    """Each tracked publication's highest readings per local day, and before the period, in order."""
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
        .where(
            Publication.workspace_id == member.workspace_id,
            Publication.published_at >= period.start - TRACK_FOR - TRACKING_SLACK,
            Publication.published_at < period.end,
            StatsSnapshot.taken_at < period.end,
        )
        .subquery()
    )
    keys = (
        readings.c.publication_id,
        readings.c.platform,
        readings.c.clip_id,
        readings.c.series_id,
        readings.c.bucket,
    )
    return (
        select(*keys, *(func.max(readings.c[name]).label(name) for name in COUNTERS))
        .group_by(*keys)
        # Day order only (the baseline first): ordering by publication would walk the whole primary
        # key of publications instead of the workspace's range.
        .order_by(readings.c.bucket)
    )


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
    """Folds the daily readings, in day order, into gains per group.

    It remembers each publication's highest readings so far (memory follows the publications in
    the period, not the snapshots); plain lists of ints, as a year's dashboard folds many rows.
    """

    def __init__(self, groupings: Sequence[GroupBy], period: Period) -> None:
        self.groups: dict[GroupBy, dict[str, list[int]]] = {group_by: {} for group_by in groupings}
        if GroupBy.DAY in self.groups:
            self.groups[GroupBy.DAY] = {day.isoformat(): [0] * 5 for day in period.days()}
        self.seen: dict[uuid.UUID, list[int]] = {}

    def add(self, source: _Source, amounts: Sequence[int]) -> None:
        for group_by, rows in self.groups.items():
            key = source.key(group_by)
            found = rows.get(key)
            if found is None:
                found = rows[key] = [0] * 5
            for i, amount in enumerate(amounts):
                found[i] += amount

    def reading(self, row: Any) -> None:
        publication_id, platform, clip_id, series_id, bucket, *values = row
        seen = self.seen.get(publication_id)
        if seen is None:
            seen = self.seen[publication_id] = [0] * len(COUNTERS)
        gained = [0] * 5
        for i, value in enumerate(values):
            if value is not None and value > seen[i]:
                gained[i], seen[i] = value - seen[i], value
        if bucket != BASELINE:
            self.add(_Source(platform, clip_id, series_id, bucket), gained)


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
    readings = await session.stream(_daily_readings(member, period).execution_options(yield_per=2000))
    async for chunk in readings.partitions():
        for row in chunk:
            fold.reading(row)
    for platform, clip_id, series_id, day, count in await session.execute(_published_counts(member, period)):
        fold.add(_Source(platform, clip_id, series_id, day), (0, 0, 0, 0, count))
    reports = []
    for group_by, found in fold.groups.items():
        rows = await _ordered(session, group_by, [StatsRow(k, _totals(v)) for k, v in found.items()])
        totals = Totals()
        for each in rows:
            totals.add(each.totals)
        reports.append(StatsReport(period, group_by, rows, totals))
    return reports


async def _ordered(session: AsyncSession, group_by: GroupBy, rows: Iterable[StatsRow]) -> list[StatsRow]:
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
    found_titles = await session.execute(select(Clip.id, Clip.title).where(Clip.id.in_(ids)))
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
