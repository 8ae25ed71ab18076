"""The stats report (autopost.stats.queries) from stored snapshots, on PostgreSQL and SQLite.

Snapshots hold cumulative counters; a day gains its highest reading less the highest before it, in
the workspace's time zone (Moscow here: 22:00 UTC is already the next day), never less than zero.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.platforms.catalog import Platform
from autopost.refusals import Refused
from autopost.stats.period import Period, period_of
from autopost.stats.queries import GroupBy, StatsReport, Totals, stats_report, stats_reports
from autopost.users.plans import Plan
from autopost.users.service import create_user
from autopost.workspaces.access import Member, resolve_member
from tests.stats.seed import Seed, december, utc

MOSCOW = ZoneInfo("Europe/Moscow")
PERIOD = Period(date(2026, 12, 1), date(2026, 12, 3), MOSCOW)


async def _member(session: AsyncSession, email: str) -> Member:
    user, _ = await create_user(session, email, plan=Plan.PRO, password="correct-horse-1")
    return await resolve_member(session, user, None)


async def _world(session: AsyncSession) -> Member:
    """Three publications of two clips on VK and Telegram, and a foreign workspace's big numbers."""
    member = await _member(session, "stats-owner@example.com")
    await december(Seed(session, member.workspace_id))
    stranger = await _member(session, "stats-stranger@example.com")
    other = Seed(session, stranger.workspace_id)
    theirs = await other.published(await other.clip("Чужой"), await other.connection(Platform.VK), utc(1, 9))
    await other.snapshot(theirs, utc(2, 9), 9999, likes=999)
    return member


def _rows(report: StatsReport) -> list[tuple[str, Totals]]:
    return [(row.key, row.totals) for row in report.rows]


async def test_gains_per_day_in_the_workspace_zone(session: AsyncSession) -> None:
    member = await _world(session)
    report = await stats_report(session, member, PERIOD, GroupBy.DAY)
    assert _rows(report) == [
        ("2026-12-01", Totals(views=550, likes=2, shares=5, publications=1)),
        ("2026-12-02", Totals(views=40, publications=1)),
        ("2026-12-03", Totals(views=80, likes=8)),
    ]
    assert report.totals == Totals(views=670, likes=10, shares=5, publications=2)


async def test_per_platform_and_per_clip_add_up_to_the_same_totals(session: AsyncSession) -> None:
    member = await _world(session)
    by_platform = await stats_report(session, member, PERIOD, GroupBy.PLATFORM)
    assert _rows(by_platform) == [
        ("vk", Totals(views=600, likes=10, shares=5, publications=1)),
        ("telegram", Totals(views=70, publications=1)),
    ]
    by_clip = await stats_report(session, member, PERIOD, GroupBy.CLIP)
    assert [(row.title, row.totals) for row in by_clip.rows] == [
        ("Второй", Totals(views=500, shares=5, publications=1)),
        ("Склейка", Totals(views=170, likes=10, publications=1)),
    ]
    assert by_platform.totals == by_clip.totals == Totals(views=670, likes=10, shares=5, publications=2)


async def test_per_series_rows_name_the_series_and_add_up_to_the_same_totals(session: AsyncSession) -> None:
    member = await _world(session)
    seed = Seed(session, member.workspace_id)
    lesson, other = await seed.clip("Урок 1"), await seed.clip("Урок 2")
    series = await seed.series("2026-12-01", [lesson, other])
    planned = await seed.published(lesson, await seed.connection(Platform.RUTUBE), utc(1, 18), series)
    await seed.snapshot(planned, utc(2, 18), 900, likes=30)
    by_series = await stats_report(session, member, PERIOD, GroupBy.SERIES)
    assert [(row.key, row.start_date, row.clips, row.totals) for row in by_series.rows] == [
        (str(series.id), date(2026, 12, 1), 2, Totals(views=900, likes=30, publications=1)),
        ("", None, None, Totals(views=670, likes=10, shares=5, publications=2)),
    ]
    by_platform = await stats_report(session, member, PERIOD, GroupBy.PLATFORM)
    assert by_series.totals == by_platform.totals == Totals(views=1570, likes=40, shares=5, publications=3)


async def test_a_day_without_readings_is_a_row_of_zeros_and_a_foreign_workspace_counts_nothing(
    session: AsyncSession,
) -> None:
    await _world(session)
    nobody = await _member(session, "stats-nobody@example.com")
    report = await stats_report(session, nobody, PERIOD, GroupBy.DAY)
    assert _rows(report) == [(day.isoformat(), Totals()) for day in PERIOD.days()]
    assert (await stats_report(session, nobody, PERIOD, GroupBy.CLIP)).rows == []


async def test_a_later_period_starts_from_the_last_reading_before_it(session: AsyncSession) -> None:
    member = await _world(session)
    december_3 = Period(date(2026, 12, 3), date(2026, 12, 4), MOSCOW)
    report = await stats_report(session, member, december_3, GroupBy.DAY)
    assert _rows(report) == [
        ("2026-12-03", Totals(views=80, likes=8)),
        ("2026-12-04", Totals(views=300, likes=70)),
    ]


async def test_a_report_without_days_sums_the_same_as_one_split_by_day(session: AsyncSession) -> None:
    """Grouped by day the gains come day by day; without days, from each publication's highest
    readings at the period's two ends. Both count the baseline, recounts and late readings alike."""
    member = await _world(session)
    for period in (PERIOD, Period(date(2026, 12, 3), date(2026, 12, 4), MOSCOW)):
        with_days = await stats_reports(
            session, member, period, [GroupBy.DAY, GroupBy.PLATFORM, GroupBy.CLIP]
        )
        for group_by, split in zip((GroupBy.PLATFORM, GroupBy.CLIP), with_days[1:], strict=True):
            alone = await stats_report(session, member, period, group_by)
            assert _rows(alone) == _rows(split) and alone.totals == with_days[0].totals


def test_periods_default_to_30_days_and_refuse_reversed_or_overlong_ones() -> None:
    today = date(2026, 12, 3)
    assert period_of(MOSCOW, today, None, None) == Period(date(2026, 11, 4), today, MOSCOW)
    assert period_of(MOSCOW, today, date(2026, 1, 1), None).last == date(2026, 1, 30)
    assert period_of(MOSCOW, today, None, date(2026, 1, 30)).first == date(2026, 1, 1)
    with pytest.raises(Refused) as reversed_period:
        period_of(MOSCOW, today, date(2026, 12, 3), date(2026, 12, 1))
    assert reversed_period.value.code == "stats_period_reversed"
    with pytest.raises(Refused) as overlong:
        period_of(MOSCOW, today, date(2025, 1, 1), date(2026, 12, 1))
    assert overlong.value.code == "stats_period_too_long"
    assert PERIOD.start == utc(30, 21, month=11) and PERIOD.end == utc(3, 21)
