"""The arithmetic of a series: which date each clip gets, and the instant a local time means.

Pure functions, no database: the preview, the confirmed series and the tests all use them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from autopost.refusals import Refused

# A plan reaching further than this is a typo (every 30 days for 100 clips is ~8 years).
MAX_SPAN_DAYS = 3 * 366
MAX_EVERY_DAYS = 30


@dataclass(frozen=True)
class Cadence:
    """Every N days from the start date, or on chosen weekdays (0 = Monday); exactly one is set."""

    every_days: int | None = None
    weekdays: frozenset[int] | None = None

    def __post_init__(self) -> None:
        if (self.every_days is None) == (self.weekdays is None):
            raise Refused("series_cadence_invalid")
        if self.every_days is not None and not 1 <= self.every_days <= MAX_EVERY_DAYS:
            raise Refused("series_cadence_invalid")
        if self.weekdays is not None and (not self.weekdays or not self.weekdays <= set(range(7))):
            raise Refused("series_cadence_invalid")

    def candidates(self, start: date) -> Iterator[date]:
        """The dates the cadence offers, from the start date on (a skipped one is not made up for)."""
        step = self.every_days or 1
        day = start
        while True:
            if self.weekdays is None or day.weekday() in self.weekdays:
                yield day
            day += timedelta(days=step)


def series_dates(start: date, count: int, cadence: Cadence, skip: Collection[date] = ()) -> list[date]:
    """One date per clip, in order: the cadence's dates from `start`, without the skipped ones."""
    dates: list[date] = []
    for day in cadence.candidates(start):
        if len(dates) == count:
            break
        if (day - start).days > MAX_SPAN_DAYS:
            raise Refused("series_too_long", days=MAX_SPAN_DAYS)
        if day not in skip:
            dates.append(day)
    return dates


def parse_clock(value: str) -> time:
    """ "HH:MM" (24 h) as a time of day, else refused."""
    hours, sep, minutes = value.partition(":")
    if not (sep and len(hours) == 2 and len(minutes) == 2 and hours.isdigit() and minutes.isdigit()):
        raise Refused("series_time_invalid", value=value[:10])
    if int(hours) > 23 or int(minutes) > 59:
        raise Refused("series_time_invalid", value=value[:10])
    return time(int(hours), int(minutes))


def local_instant(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time in the zone.

    A time the clocks skip (spring forward) is read with the offset before the change, as
    zoneinfo does (02:30 in a 02:00 → 03:00 jump is 03:30 by the new clock); a time that occurs
    twice (fall back) is its first occurrence.
    """
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)
