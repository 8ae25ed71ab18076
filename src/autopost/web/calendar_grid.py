"""The calendar's period, its one query, and the grid of days with publication chips.

Days and hours are the workspace's: a publication at 23:30 Moscow on 30 November is
on 30 November even though it is 20:30 UTC. A "slot" is one hour of that clock on one
account: two different clips in the same slot are a conflict (they would go out back to
back on one account).
"""

from __future__ import annotations

import calendar
import uuid
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from autopost.clips.models import Clip
from autopost.connections.models import Connection
from autopost.platforms.catalog import Platform
from autopost.publications.models import TAKEN_STATUSES, WAITING_STATUSES, Publication, PublicationStatus
from autopost.workspaces.access import Member

WEEK_DAYS = 7


class Span(StrEnum):
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class Period:
    """The days a calendar view shows, first to last inclusive, in the workspace's zone."""

    span: Span
    first: date
    last: date
    zone: ZoneInfo

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), self.zone)

    @property
    def end(self) -> datetime:
        """The first moment after the period (exclusive)."""
        return datetime.combine(self.last + timedelta(days=1), time(), self.zone)

    @property
    def previous(self) -> date:
        if self.span is Span.WEEK:
            return self.first - timedelta(days=WEEK_DAYS)
        return (self.first - timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> date:
        return self.last + timedelta(days=1)


def period_of(span: Span, anchor: date, zone: ZoneInfo) -> Period:
    """The week (Monday to Sunday) or the calendar month holding `anchor`."""
    if span is Span.WEEK:
        first = anchor - timedelta(days=anchor.weekday())
        return Period(span, first, first + timedelta(days=WEEK_DAYS - 1), zone)
    days = calendar.monthrange(anchor.year, anchor.month)[1]
    return Period(span, anchor.replace(day=1), anchor.replace(day=days), zone)


@dataclass(frozen=True)
class Chip:
    """One publication on the calendar: only what the chip shows and what a move needs."""

    publication_id: uuid.UUID
    clip_id: uuid.UUID
    connection_id: uuid.UUID
    clip_title: str
    account: str
    platform: Platform
    status: PublicationStatus
    local: datetime
    movable: bool
    conflict: bool = False


def is_movable(status: PublicationStatus, scheduled_at: datetime | None, error_code: str | None) -> bool:
    """Scheduled (or awaiting approval) for a time and not waiting for a retry: what reschedule moves."""
    return status in WAITING_STATUSES and scheduled_at is not None and error_code is None


def _in(
    column: QueryableAttribute[datetime] | QueryableAttribute[datetime | None], period: Period
) -> ColumnElement[bool]:
    return and_(column >= period.start, column < period.end)


def period_query(member: Member, period: Period) -> Select[*tuple[Any, ...]]:
    """The one query: the workspace's publications in the period but the cancelled ones, with only
    the columns a chip shows. A publication's moment is when it went out if it did, else when it
    is scheduled for, else when it was made ("now" publications)."""
    p = Publication
    unpublished = p.published_at.is_(None)
    return (
        select(
            p.id,
            p.clip_id,
            p.connection_id,
            p.platform,
            p.status,
            p.error_code,
            p.scheduled_at,
            p.published_at,
            p.created_at,
            Clip.title,
            Connection.display_name,
            Connection.account_name,
        )
        # The clip's workspace too (always the same): its clips come from their index range, not a
        # hash of every clip.
        .join(Clip, and_(Clip.id == p.clip_id, Clip.workspace_id == member.workspace_id))
        .join(Connection, Connection.id == p.connection_id)
        .where(
            p.workspace_id == member.workspace_id,
            p.status != PublicationStatus.CANCELLED,
            or_(
                _in(p.published_at, period),
                and_(unpublished, _in(p.scheduled_at, period)),
                and_(unpublished, p.scheduled_at.is_(None), _in(p.created_at, period)),
            ),
        )
    )


async def period_chips(session: AsyncSession, member: Member, period: Period) -> list[Chip]:
    """The period's chips in time order, conflicts marked."""
    rows = await session.execute(period_query(member, period))
    chips = []
    for row in rows:
        moment = row.published_at or row.scheduled_at or row.created_at
        chips.append(
            Chip(
                publication_id=row.id,
                clip_id=row.clip_id,
                connection_id=row.connection_id,
                clip_title=row.title,
                account=row.display_name or row.account_name,
                platform=row.platform,
                status=row.status,
                local=moment.astimezone(period.zone),
                movable=is_movable(row.status, row.scheduled_at, row.error_code),
            )
        )
    chips.sort(key=lambda c: (c.local, c.platform.value, c.account, c.publication_id))
    return mark_conflicts(chips)


def slot_of(chip: Chip) -> tuple[uuid.UUID, date, int]:
    """One account, one hour of the workspace's clock."""
    return chip.connection_id, chip.local.date(), chip.local.hour


def mark_conflicts(chips: list[Chip]) -> list[Chip]:
    """Chips of two or more different clips in one slot are marked; a failed one posts nothing."""
    clips_in_slot: dict[tuple[uuid.UUID, date, int], set[uuid.UUID]] = defaultdict(set)
    for chip in chips:
        if chip.status in TAKEN_STATUSES:
            clips_in_slot[slot_of(chip)].add(chip.clip_id)
    return [
        replace(chip, conflict=True)
        if chip.status in TAKEN_STATUSES and len(clips_in_slot[slot_of(chip)]) > 1
        else chip
        for chip in chips
    ]


@dataclass
class Day:
    day: date
    # False for the days of the neighbouring months that fill a month's first and last weeks.
    in_period: bool
    today: bool
    chips: list[Chip] = field(default_factory=list)


@dataclass
class Grid:
    period: Period
    weeks: list[list[Day]]

    @property
    def chip_count(self) -> int:
        return sum(len(day.chips) for week in self.weeks for day in week)

    @property
    def conflicts(self) -> int:
        return sum(chip.conflict for week in self.weeks for day in week for chip in day.chips)


def grid_of(period: Period, chips: list[Chip], today: date) -> Grid:
    """Whole weeks, Monday first; chips go to their local day."""
    by_day: dict[date, list[Chip]] = defaultdict(list)
    for chip in chips:
        by_day[chip.local.date()].append(chip)
    day = period.first - timedelta(days=period.first.weekday())
    weeks = []
    while day <= period.last:
        week = []
        for _ in range(WEEK_DAYS):
            inside = period.first <= day <= period.last
            week.append(Day(day, inside, day == today, by_day.get(day, []) if inside else []))
            day += timedelta(days=1)
        weeks.append(week)
    return Grid(period, weeks)


def moved_to_day(current: datetime, day: date, zone: ZoneInfo) -> datetime:
    """The same time of the workspace's day, on another day (a chip dropped on a day)."""
    local = current.astimezone(zone)
    return datetime.combine(day, local.time().replace(tzinfo=None), zone)
