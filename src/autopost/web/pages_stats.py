"""The Stats page: a period's totals per platform, views per day as a chart, top clips, totals per
series, and its CSV."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response, StreamingResponse

from autopost.i18n import N_, gettext
from autopost.i18n import render as i18n_render
from autopost.platforms.catalog import Platform
from autopost.refusals import Kind, Refused
from autopost.stats.export import columns, csv_chunks
from autopost.stats.period import DEFAULT_DAYS, Period, last_days, period_of
from autopost.stats.queries import GroupBy, StatsReport, stats_report, stats_reports
from autopost.stats.routes import csv_response
from autopost.web.auth import Page, Viewer
from autopost.web.formatting import format_count
from autopost.web.marks import platform_name
from autopost.web.sparkline import bar_chart
from autopost.web.templating import render

router = APIRouter(include_in_schema=False)

PRESETS = (7, 30, 90)
TOP_CLIPS = 10
CHART_WIDE, CHART_NARROW = 880, 340
# The dashboard's download speaks the reader's language; the API's CSV keeps the field names.
HEADERS = {
    "platform": N_("Platform"),
    "clip_id": N_("Clip ID"),
    "title": N_("Clip"),
    "series_id": N_("Series ID"),
    "start_date": N_("Series start"),
    "clips": N_("Clips"),
    "date": N_("Date"),
    "views": N_("Views"),
    "likes": N_("Likes"),
    "shares": N_("Shares"),
    "comments": N_("Comments"),
    "publications": N_("Publications"),
}

First = Annotated[str | None, Query(alias="from", max_length=20)]
Last = Annotated[str | None, Query(alias="to", max_length=20)]
Days = Annotated[int, Query(ge=1, le=366)]


def _day(value: str | None, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Refused("stats_date_invalid", Kind.INVALID, value=value, field=field) from None


def _period(viewer: Viewer, days: int, first: str | None, last: str | None) -> Period:
    """A preset (the last N days up to today) unless a custom from/to is given."""
    if first or last:
        today = viewer.now.astimezone(viewer.zone).date()
        return period_of(viewer.zone, today, _day(first, "from"), _day(last, "to"))
    return last_days(viewer.zone, viewer.now, days)


@router.get("/stats", name="stats")
async def stats_page(
    request: Request, viewer: Page, days: Days = DEFAULT_DAYS, first: First = None, last: Last = None
) -> Response:
    problem = None
    try:
        period = _period(viewer, days, first, last)
    except Refused as exc:
        problem = {"kind": "error", "text": i18n_render(exc.code, viewer.lang, **exc.params)}
        period, days = last_days(viewer.zone, viewer.now, DEFAULT_DAYS), DEFAULT_DAYS
    platforms, by_day, by_clip, by_series = await stats_reports(
        viewer.work.session,
        viewer.member,
        period,
        [GroupBy.PLATFORM, GroupBy.DAY, GroupBy.CLIP, GroupBy.SERIES],
    )
    preset = None if (first or last) and problem is None else days
    return render(
        request,
        viewer,
        "stats.html",
        section="stats",
        notice=problem,
        period=period,
        preset=preset,
        presets=PRESETS,
        platforms=[(Platform(row.key), row.totals) for row in platforms.rows],
        totals=platforms.totals,
        top=by_clip.rows[:TOP_CLIPS],
        series=by_series.rows,
        charts=_charts(viewer, by_day),
        groupings=list(GroupBy),
    )


def _charts(viewer: Viewer, by_day: StatsReport) -> dict[str, object]:
    views = [row.totals.views for row in by_day.rows]
    days = [date.fromisoformat(row.key).strftime("%d.%m") for row in by_day.rows]
    label = gettext(viewer.lang, "Views per day")

    def number(value: int) -> str:
        return format_count(value, viewer.lang)

    return {
        "wide": bar_chart(views, days, label, number, width=CHART_WIDE),
        "narrow": bar_chart(views, days, label, number, width=CHART_NARROW),
        "any": any(views),
    }


@router.get("/stats.csv", name="stats_csv")
async def stats_csv(
    viewer: Page,
    days: Days = DEFAULT_DAYS,
    first: First = None,
    last: Last = None,
    group_by: GroupBy = GroupBy.DAY,
) -> StreamingResponse:
    period = _period(viewer, days, first, last)
    report = await stats_report(viewer.work.session, viewer.member, period, group_by)
    return csv_response(report, _localized(report, viewer.lang))


def _localized(report: StatsReport, lang: str) -> Iterator[str]:
    headers = [gettext(lang, HEADERS[name]) for name in columns(report.group_by)]

    def cell(name: str, value: str | int) -> str | int:
        return platform_name(Platform(str(value)), lang) if name == "platform" else value

    # Russian Excel splits a CSV on semicolons (its list separator), not on commas.
    delimiter = ";" if lang == "ru" else ","
    return csv_chunks(report, headers, delimiter=delimiter, cell=cell)
