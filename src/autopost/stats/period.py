"""The period a stats question covers: whole days in the workspace's time zone, and its UTC bounds."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from autopost.refusals import Kind, Refused
from autopost.workspaces.models import DEFAULT_TIME_ZONE

DEFAULT_DAYS = 30
# A year and a day: a leap year's whole year still fits, a decade's table scan does not.
MAX_DAYS = 367
# Dates a stats period may name: wide of any publication, narrow enough that day arithmetic never
# leaves the calendar (year 1 less 30 days is no date at all).
EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)


@dataclass(frozen=True)
class Period:
    """From `first` to `last`, both included, as the workspace's calendar counts days."""

    first: date
    last: date
    zone: ZoneInfo

    @property
    def start(self) -> datetime:
        """The first day's local midnight, in UTC (a DST day's midnight is found by the zone)."""
        return datetime.combine(self.first, time(), self.zone).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The local midnight after the last day, in UTC: the period is [start, end)."""
        return datetime.combine(self.last + timedelta(days=1), time(), self.zone).astimezone(UTC)

    def days(self) -> Iterator[date]:
        day = self.first
        while day <= self.last:
            yield day
            day += timedelta(days=1)


def period_of(zone: ZoneInfo, today: date, first: date | None, last: date | None) -> Period:
    """The asked period; without bounds the last 30 days up to today, either bound alone 30 days wide."""
    for bound in (first, last):
        if bound is not None and not EARLIEST <= bound <= LATEST:
            raise Refused(
                "stats_date_out_of_range",
                Kind.INVALID,
                earliest=EARLIEST.isoformat(),
                latest=LATEST.isoformat(),
            )
    if last is None:
        last = first + timedelta(days=DEFAULT_DAYS - 1) if first else today
    if first is None:
        first = last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise Refused("stats_period_reversed", Kind.INVALID, first=first.isoformat(), last=last.isoformat())
    if (last - first).days + 1 > MAX_DAYS:
        raise Refused("stats_period_too_long", Kind.INVALID, max_days=MAX_DAYS)
    return Period(first, last, zone)


def zone_of(name: str) -> ZoneInfo:
    """A workspace's zone (checked when it was set; Moscow, the default, for one this system lacks)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIME_ZONE)


def last_days(zone: ZoneInfo, now: datetime, count: int) -> Period:
    """The `count` days up to and including today in `zone`."""
    today = now.astimezone(zone).date()
    return Period(today - timedelta(days=count - 1), today, zone)
