"""The series arithmetic: which date each clip gets, and what a local time means in a zone."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from autopost.refusals import Refused
from autopost.series.plan import Cadence, local_instant, parse_clock, series_dates

MONDAY = date(2026, 12, 7)


def test_every_day_gives_consecutive_dates() -> None:
    assert series_dates(MONDAY, 3, Cadence(every_days=1)) == [
        date(2026, 12, 7),
        date(2026, 12, 8),
        date(2026, 12, 9),
    ]


def test_every_two_days_steps_from_the_start() -> None:
    assert series_dates(MONDAY, 3, Cadence(every_days=2)) == [
        date(2026, 12, 7),
        date(2026, 12, 9),
        date(2026, 12, 11),
    ]


def test_weekdays_take_only_the_chosen_days() -> None:
    # Monday, Wednesday, Friday from a Monday: the fourth clip goes to the next Monday.
    dates = series_dates(MONDAY, 4, Cadence(weekdays=frozenset({0, 2, 4})))
    assert dates == [date(2026, 12, 7), date(2026, 12, 9), date(2026, 12, 11), date(2026, 12, 14)]


def test_weekdays_from_a_start_that_is_not_one_of_them() -> None:
    # Starting on a Tuesday, Mon–Fri: Tuesday to Friday, then Monday.
    dates = series_dates(date(2026, 12, 8), 5, Cadence(weekdays=frozenset(range(5))))
    assert [d.isoformat() for d in dates] == [
        "2026-12-08",
        "2026-12-09",
        "2026-12-10",
        "2026-12-11",
        "2026-12-14",
    ]


def test_a_skipped_date_moves_the_rest_to_the_next_dates_of_the_cadence() -> None:
    every_day = series_dates(MONDAY, 3, Cadence(every_days=1), {date(2026, 12, 8)})
    assert every_day == [date(2026, 12, 7), date(2026, 12, 9), date(2026, 12, 10)]
    every_two = series_dates(MONDAY, 3, Cadence(every_days=2), {date(2026, 12, 9)})
    assert every_two == [date(2026, 12, 7), date(2026, 12, 11), date(2026, 12, 13)]
    weekdays = series_dates(MONDAY, 2, Cadence(weekdays=frozenset({0})), {MONDAY})
    assert weekdays == [date(2026, 12, 14), date(2026, 12, 21)]


def test_new_year_holidays_skipped() -> None:
    start = date(2026, 12, 30)
    skip = {date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 2)}
    assert series_dates(start, 2, Cadence(every_days=1), skip) == [date(2026, 12, 30), date(2027, 1, 3)]


@pytest.mark.parametrize(
    "cadence",
    [
        {"every_days": 0},
        {"every_days": 31},
        {"weekdays": frozenset()},
        {"weekdays": frozenset({7})},
        {"every_days": 1, "weekdays": frozenset({1})},
        {},
    ],
)
def test_a_cadence_that_makes_no_sense_is_refused(cadence: dict[str, object]) -> None:
    with pytest.raises(Refused) as refused:
        Cadence(**cadence)  # type: ignore[arg-type]
    assert refused.value.code == "series_cadence_invalid"


def test_a_plan_that_never_ends_is_refused() -> None:
    # Every Monday skipped for years: refused, not an endless loop.
    mondays = {date.fromordinal(MONDAY.toordinal() + 7 * week) for week in range(400)}
    with pytest.raises(Refused) as refused:
        series_dates(MONDAY, 2, Cadence(weekdays=frozenset({0})), mondays)
    assert refused.value.code == "series_too_long"


@pytest.mark.parametrize("value", ["18", "24:00", "18:60", "1800", "ab:cd", "8:00", " 18:00"])
def test_a_clock_time_is_hh_mm(value: str) -> None:
    with pytest.raises(Refused) as refused:
        parse_clock(value)
    assert refused.value.code == "series_time_invalid"


def test_moscow_has_no_daylight_saving() -> None:
    zone = ZoneInfo("Europe/Moscow")
    for day in (date(2026, 1, 15), date(2026, 7, 15), date(2026, 3, 29), date(2026, 10, 25)):
        assert local_instant(day, time(18, 0), zone) == datetime.combine(day, time(15, 0), tzinfo=UTC)


def test_a_zone_with_daylight_saving_keeps_the_wall_clock() -> None:
    zone = ZoneInfo("Europe/Berlin")
    # 18:00 in Berlin is 17:00 UTC in winter and 16:00 UTC in summer, across the 29 March change.
    days = series_dates(date(2026, 3, 28), 3, Cadence(every_days=1))
    instants = [local_instant(day, time(18, 0), zone) for day in days]
    assert instants == [
        datetime(2026, 3, 28, 17, 0, tzinfo=UTC),
        datetime(2026, 3, 29, 16, 0, tzinfo=UTC),
        datetime(2026, 3, 30, 16, 0, tzinfo=UTC),
    ]
    assert {i.astimezone(zone).hour for i in instants} == {18}


def test_a_time_the_clocks_skip_or_repeat() -> None:
    zone = ZoneInfo("Europe/Berlin")
    # 02:30 does not exist on 29 March (02:00 → 03:00): read with the winter offset, 03:30 CEST.
    skipped = local_instant(date(2026, 3, 29), time(2, 30), zone)
    assert skipped == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert skipped.astimezone(zone).strftime("%H:%M") == "03:30"
    # 02:30 happens twice on 25 October: the first one (still summer time).
    assert local_instant(date(2026, 10, 25), time(2, 30), zone) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
