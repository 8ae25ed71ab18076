"""GET /api/v1/stats and /api/v1/stats.csv over real HTTP, on each database.

The CSV, parsed with the csv module, holds exactly the JSON's rows; a workspace of someone else's is
not found; a reversed period is refused with its code.
"""

from __future__ import annotations

import asyncio
import csv
import io
import uuid

import pytest

from autopost.db import make_engine, make_session_factory, transaction
from autopost.platforms.catalog import Platform
from tests.stats.seed import Seed, december, utc
from tests.support.api import Api

DECEMBER = {"from": "2026-12-01", "to": "2026-12-03"}


def _seed(api: Api, workspace_id: str, *, stranger: bool = False, series: bool = False) -> None:
    async def write() -> None:
        engine = make_engine(api.settings.resolved_database_url)
        try:
            async with transaction(make_session_factory(engine)) as session:
                seed = Seed(session, uuid.UUID(workspace_id))
                if not stranger:
                    await december(seed)
                    if series:
                        await _series_of_two(seed)
                    return
                theirs = await seed.published(
                    await seed.clip("Чужой"), await seed.connection(Platform.VK), utc(1, 9)
                )
                await seed.snapshot(theirs, utc(2, 9), 9999)
        finally:
            await engine.dispose()

    asyncio.run(write())


async def _series_of_two(seed: Seed) -> None:
    """A series from 1 December of two clips; one published on Rutube gained 900 views on the 2nd."""
    lesson, other = await seed.clip("Урок 1"), await seed.clip("Урок 2")
    series = await seed.series("2026-12-01", [lesson, other])
    planned = await seed.published(lesson, await seed.connection(Platform.RUTUBE), utc(1, 18), series)
    await seed.snapshot(planned, utc(2, 18), 900)


def _workspace_of(api: Api, token: str) -> str:
    with api.client(token) as client:
        return str(client.get("/api/v1/workspaces").json()[0]["id"])


def _csv_rows(body: bytes) -> tuple[list[str], list[dict[str, str | int]]]:
    assert body.startswith("\ufeff".encode()), body[:10]  # the BOM Excel needs for Cyrillic
    reader = csv.DictReader(io.StringIO(body.decode("utf-8-sig")))
    rows = [{k: int(v) if v.isdigit() else v for k, v in row.items()} for row in reader]
    return list(reader.fieldnames or []), rows


@pytest.mark.parametrize("group_by", ["platform", "clip", "series", "day"])
def test_the_csv_holds_the_rows_of_the_json(api: Api, group_by: str) -> None:
    _, token = api.new_user()
    _seed(api, _workspace_of(api, token))
    with api.client(token) as client:
        answer = client.get("/api/v1/stats", params={**DECEMBER, "group_by": group_by})
        download = client.get("/api/v1/stats.csv", params={**DECEMBER, "group_by": group_by})
    assert answer.status_code == 200, answer.text
    stats = answer.json()
    assert (stats["from"], stats["to"], stats["time_zone"]) == ("2026-12-01", "2026-12-03", "Europe/Moscow")
    assert stats["totals"] == {"views": 670, "likes": 10, "shares": 5, "comments": 0, "publications": 2}
    assert download.status_code == 200, download.text
    assert download.headers["content-type"] == "text/csv; charset=utf-8"
    assert download.headers["content-disposition"] == (
        f'attachment; filename="stats-2026-12-01-2026-12-03-{group_by}.csv"'
    )
    headers, rows = _csv_rows(download.content)
    assert headers == list(stats["rows"][0])
    assert rows == stats["rows"]


def test_rows_name_their_group(api: Api) -> None:
    _, token = api.new_user()
    _seed(api, _workspace_of(api, token))
    with api.client(token) as client:
        by_platform = client.get("/api/v1/stats", params=DECEMBER).json()["rows"]
        by_clip = client.get("/api/v1/stats", params={**DECEMBER, "group_by": "clip"}).json()["rows"]
        by_day = client.get("/api/v1/stats", params={**DECEMBER, "group_by": "day"}).json()["rows"]
    views = {"likes": 10, "shares": 5, "comments": 0, "publications": 1}
    assert by_platform == [
        {"platform": "vk", "views": 600, **views},
        {"platform": "telegram", "views": 70, "likes": 0, "shares": 0, "comments": 0, "publications": 1},
    ]
    assert [(row["title"], row["views"]) for row in by_clip] == [("Второй", 500), ("Склейка", 170)]
    assert [(row["date"], row["views"]) for row in by_day] == [
        ("2026-12-01", 550),
        ("2026-12-02", 40),
        ("2026-12-03", 80),
    ]


def test_a_foreign_workspace_is_not_found_and_its_numbers_never_count(api: Api) -> None:
    _, token = api.new_user()
    _, stranger = api.new_user()
    mine, theirs = _workspace_of(api, token), _workspace_of(api, stranger)
    _seed(api, mine)
    _seed(api, theirs, stranger=True)
    with api.client(stranger, **{"X-Workspace-Id": mine}) as client:
        assert client.get("/api/v1/stats", params=DECEMBER).status_code == 404
        assert client.get("/api/v1/stats.csv", params=DECEMBER).status_code == 404
    with api.client(token) as client:
        assert client.get("/api/v1/stats", params=DECEMBER).json()["totals"]["views"] == 670
    with api.client(stranger) as client:
        assert client.get("/api/v1/stats", params=DECEMBER).json()["totals"]["views"] == 9999


def test_bad_periods_and_anonymous_callers_are_refused(api: Api) -> None:
    _, token = api.new_user()
    with api.client(token) as client:
        reversed_period = client.get("/api/v1/stats", params={"from": "2026-12-03", "to": "2026-12-01"})
        assert reversed_period.status_code == 422
        assert reversed_period.json()["error"]["code"] == "stats_period_reversed"
        assert client.get("/api/v1/stats", params={"group_by": "week"}).status_code == 422
        assert client.get("/api/v1/stats.csv", params={"from": "2020-01-01"}).status_code == 200
    with api.client() as anonymous:
        assert anonymous.get("/api/v1/stats").status_code == 401
