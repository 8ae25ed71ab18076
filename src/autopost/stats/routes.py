"""GET /api/v1/stats and /api/v1/stats.csv: what the workspace's publications gained in a period."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from autopost.db import utcnow
from autopost.deps import CurrentMember, Work
from autopost.stats.export import columns, csv_chunks, csv_filename, row_fields
from autopost.stats.period import period_of, zone_of
from autopost.stats.queries import GroupBy, StatsReport, Totals, stats_report
from autopost.workspaces.access import Member

router = APIRouter(prefix="/api/v1", tags=["stats"])

From = Annotated[
    date | None,
    Query(alias="from", description="First day (workspace time zone); default 29 days before `to`"),
]
To = Annotated[date | None, Query(description="Last day, included; default today (workspace time zone)")]


class TotalsOut(BaseModel):
    views: int
    likes: int
    shares: int
    comments: int
    publications: int

    @classmethod
    def of(cls, totals: Totals) -> TotalsOut:
        return cls(**vars(totals))


class StatsOut(BaseModel):
    from_: date = Field(serialization_alias="from")
    to: date
    time_zone: str
    group_by: GroupBy
    # Each row: its group's fields (platform | clip_id and title | date), then the counters it gained.
    rows: list[dict[str, str | int]]
    totals: TotalsOut


async def _report(
    work: Work, member: Member, first: date | None, last: date | None, group_by: GroupBy
) -> StatsReport:
    zone = zone_of(member.workspace.time_zone)
    period = period_of(zone, utcnow().astimezone(zone).date(), first, last)
    return await stats_report(work.session, member, period, group_by)


@router.get("/stats", response_model_by_alias=True)
async def stats(
    member: CurrentMember, work: Work, first: From = None, to: To = None, group_by: GroupBy = GroupBy.PLATFORM
) -> StatsOut:
    report = await _report(work, member, first, to, group_by)
    return StatsOut(
        from_=report.period.first,
        to=report.period.last,
        time_zone=report.period.zone.key,
        group_by=group_by,
        rows=[row_fields(group_by, row) for row in report.rows],
        totals=TotalsOut.of(report.totals),
    )


@router.get("/stats.csv", response_class=StreamingResponse, responses={200: {"content": {"text/csv": {}}}})
async def stats_csv(
    member: CurrentMember, work: Work, first: From = None, to: To = None, group_by: GroupBy = GroupBy.PLATFORM
) -> StreamingResponse:
    """The same rows as GET /stats, as CSV (UTF-8 with BOM, English headers: the JSON field names)."""
    report = await _report(work, member, first, to, group_by)
    return csv_response(report, csv_chunks(report, columns(group_by)))


def csv_response(report: StatsReport, chunks: Iterator[str]) -> StreamingResponse:
    disposition = f'attachment; filename="{csv_filename(report)}"'
    return StreamingResponse(
        chunks,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": disposition},
    )
