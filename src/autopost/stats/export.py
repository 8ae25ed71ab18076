"""Stats reports as CSV, written row by row as the response goes out.

UTF-8 with a byte order mark: without it Excel reads the file as the system's ANSI code page and
Cyrillic titles come out garbled. The API's CSV has machine-friendly English headers (the JSON
field names) and commas; the dashboard's download names its columns in the reader's language and,
for Russian, separates them with semicolons, the list separator Russian Excel splits on.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence

from autopost.stats.queries import COUNTERS, GroupBy, StatsReport, StatsRow

BOM = "\ufeff"


def key_columns(group_by: GroupBy) -> tuple[str, ...]:
    """The JSON fields (and API CSV headers) that name a row's group."""
    if group_by is GroupBy.CLIP:
        return ("clip_id", "title")
    if group_by is GroupBy.SERIES:
        return ("series_id", "start_date", "clips")
    return ("date",) if group_by is GroupBy.DAY else ("platform",)


def columns(group_by: GroupBy) -> tuple[str, ...]:
    return (*key_columns(group_by), *COUNTERS, "publications")


def row_fields(group_by: GroupBy, row: StatsRow) -> dict[str, str | int]:
    """A row as the API answers it: its group's fields, then the counters it gained."""
    named: dict[str, str | int] = {}
    if group_by is GroupBy.CLIP:
        named = {"clip_id": row.key, "title": row.title or ""}
    elif group_by is GroupBy.SERIES:
        # Publications outside any series: an empty id, start date and clip count.
        named = {
            "series_id": row.key,
            "start_date": row.start_date.isoformat() if row.start_date else "",
            "clips": row.clips or "",
        }
    else:
        named = {key_columns(group_by)[0]: row.key}
    totals = row.totals
    counters = {name: getattr(totals, name) for name in (*COUNTERS, "publications")}
    return named | counters


def csv_chunks(
    report: StatsReport,
    headers: Sequence[str],
    *,
    delimiter: str = ",",
    cell: Callable[[str, str | int], str | int] = lambda _name, value: value,
) -> Iterator[str]:
    """The BOM and header line, then one line per row; `cell` may reword a value (a platform's name)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")

    def line(values: Sequence[str | int]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    yield BOM + line(headers)
    names = columns(report.group_by)
    for row in report.rows:
        fields = row_fields(report.group_by, row)
        yield line([cell(name, fields[name]) for name in names])


def csv_filename(report: StatsReport) -> str:
    period = report.period
    return f"stats-{period.first.isoformat()}-{period.last.isoformat()}-{report.group_by.value}.csv"
