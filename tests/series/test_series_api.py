"""POST /api/v1/series: the plan (dry run) and its confirmation, all at once or not at all."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx2
from sqlalchemy import func, select

from autopost.db import make_engine
from autopost.platforms.catalog import Platform
from autopost.publications.models import IdempotencyKey, Publication
from autopost.series.models import Series
from tests.support.api import Api
from tests.web.support import new_user
from tests.workspaces.support import add_member, workspace_of

MOSCOW = ZoneInfo("Europe/Moscow")
PLATFORMS = (Platform.VK, Platform.TELEGRAM, Platform.RUTUBE, Platform.DZEN)
TIMES = ("18:00", "19:00", "12:30", "09:15")


def _week(api: Api, clips: int = 10) -> tuple[str, list[str], dict[str, str]]:
    """A user with four accounts and `clips` clips; returns (token, clip ids, connection id -> time)."""
    email, token = api.new_user()
    times = {api.add_connection(email, p): t for p, t in zip(PLATFORMS, TIMES, strict=True)}
    ids = [str(api.upload_clip(token, title=f"Клип {n}")["id"]) for n in range(1, clips + 1)]
    return token, ids, times


def _body(ids: list[str], times: dict[str, str], **extra: Any) -> dict[str, Any]:
    tomorrow = (datetime.now(MOSCOW) + timedelta(days=1)).date()
    return {
        "clip_ids": ids,
        "start_date": tomorrow.isoformat(),
        "cadence": {"every_days": 1},
        "times": times,
        **extra,
    }


def _counts(api: Api) -> tuple[int, int, int]:
    """Publications, series and idempotency keys in the whole database."""

    async def count() -> tuple[int, int, int]:
        engine = make_engine(api.settings.resolved_database_url)
        try:
            async with engine.connect() as connection:
                return tuple(  # type: ignore[return-value]
                    [
                        (await connection.execute(select(func.count()).select_from(table))).scalar_one()
                        for table in (Publication, Series, IdempotencyKey)
                    ]
                )
        finally:
            await engine.dispose()

    return asyncio.run(count())


def test_a_dry_run_answers_the_whole_plan_and_writes_nothing(api: Api) -> None:
    token, ids, times = _week(api, clips=3)
    before = _counts(api)
    with api.client(token, **{"Idempotency-Key": "plan-1"}) as client:
        answer = client.post("/api/v1/series", json=_body(ids, times, dry_run=True))
    assert answer.status_code == 200, answer.text
    plan = answer.json()
    assert len(plan) == 12
    start = (datetime.now(MOSCOW) + timedelta(days=1)).date()
    for n, clip_id in enumerate(ids):
        rows = [p for p in plan if p["clip_id"] == clip_id]
        assert {r["date"] for r in rows} == {(start + timedelta(days=n)).isoformat()}
        for row in rows:
            local = datetime.fromisoformat(row["scheduled_at"]).astimezone(MOSCOW)
            assert local.strftime("%H:%M") == times[row["connection_id"]]
            assert row["problem"] is None and row["conflict"] is False
    assert _counts(api) == before


def test_confirming_creates_forty_publications_once_under_a_repeated_request(api: Api) -> None:
    token, ids, times = _week(api)
    before = _counts(api)
    with api.client(token, **{"Idempotency-Key": "week-49"}) as client:
        first = client.post("/api/v1/series", json=_body(ids, times))
        again = client.post("/api/v1/series", json=_body(ids, times))
        listed = client.get("/api/v1/publications", params={"limit": 200}).json()
    assert first.status_code == 201, first.text
    assert again.status_code == 201, again.text
    made = first.json()
    assert len(made) == 40
    assert [p["id"] for p in again.json()] == [p["id"] for p in made]
    assert len(listed) == 40 and {p["status"] for p in listed} == {"scheduled"}
    assert len({p["series_id"] for p in made}) == 1 and made[0]["series_id"] is not None
    assert {(p["clip_id"], p["connection_id"]) for p in made} == {(c, k) for c in ids for k in times}
    assert _counts(api) == (before[0] + 40, before[1] + 1, before[2] + 1)
    # The same key for another series is a mistake, not a replay.
    with api.client(token, **{"Idempotency-Key": "week-49"}) as client:
        other = client.post("/api/v1/series", json=_body(ids[:2], times))
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_conflict"
    # Without a key, the same series again is refused by "a clip goes to an account once".
    with api.client(token) as client:
        twice = client.post("/api/v1/series", json=_body(ids, times))
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "already_live"
    assert _counts(api)[0] == before[0] + 40


def test_one_refused_target_refuses_the_whole_series_and_changes_nothing(api: Api) -> None:
    token, ids, times = _week(api, clips=3)
    vk = next(iter(times))
    with api.client(token) as client:
        # The second clip's VK title is too long: VK takes 128 characters.
        long_title = str(api.upload_clip(token, title="х" * 129)["id"])
        before = _counts(api)
        refused = client.post("/api/v1/series", json=_body([ids[0], long_title, ids[1]], times))
        assert refused.status_code == 422, refused.text
        error = refused.json()["error"]
        assert error["code"] == "title_too_long"
        # Every refused entry is listed (Rutube's and Дзен's titles are shorter still), all of that clip.
        abouts = [p["about"] for p in error["problems"]]
        assert abouts[0] == f"{long_title}:{vk}" and {a.split(":")[0] for a in abouts} == {long_title}
        assert _counts(api) == before
        assert client.get("/api/v1/publications").json() == []
        # A past start refuses every entry, with the same rule publish has.
        yesterday = (datetime.now(MOSCOW) - timedelta(days=1)).date().isoformat()
        past = client.post("/api/v1/series", json={**_body(ids, times), "start_date": yesterday})
        assert past.status_code == 422 and past.json()["error"]["code"] == "scheduled_too_soon"
        # The dry run shows the problem beside its entry instead.
        plan = client.post("/api/v1/series", json=_body([long_title], times, dry_run=True)).json()
        assert plan[0]["problem"]["code"] == "title_too_long" and plan[1]["problem"] is None  # Telegram
        assert plan[0]["problem"]["message"] == "Название для VK: 129 символов, можно не больше 128"
    assert _counts(api) == before


def test_weekdays_skip_dates_and_a_conflict_in_the_plan(api: Api) -> None:
    token, ids, times = _week(api, clips=3)
    vk = next(iter(times))
    monday = _next_monday()
    with api.client(token) as client:
        # Another clip already holds VK at Wednesday 18:00: the plan marks it, it does not refuse.
        other = str(api.upload_clip(token, title="Другой")["id"])
        wednesday = datetime.combine(monday + timedelta(days=2), datetime.min.time(), MOSCOW).replace(hour=18)
        held = client.post(
            f"/api/v1/clips/{other}/publish",
            json={"targets": [{"connection_id": vk}], "scheduled_at": wednesday.isoformat()},
        )
        assert held.status_code == 201, held.text
        body = {
            "clip_ids": ids,
            "start_date": monday.isoformat(),
            "cadence": {"weekdays": [0, 2, 4]},
            "times": {vk: "18:00"},
            "skip_dates": [monday.isoformat()],
            "dry_run": True,
        }
        plan = client.post("/api/v1/series", json=body).json()
    assert [p["date"] for p in plan] == [(monday + timedelta(days=d)).isoformat() for d in (2, 4, 7)]
    assert [p["conflict"] for p in plan] == [True, False, False]


def _next_monday() -> date:
    today = datetime.now(MOSCOW).date()
    return today + timedelta(days=7 - today.weekday())


def test_foreign_ids_are_not_found_and_a_viewer_is_forbidden(api: Api) -> None:
    token, ids, times = _week(api, clips=1)
    stranger_email, stranger = api.new_user()
    foreign_account = api.add_connection(stranger_email, Platform.VK)
    own_clip = str(api.upload_clip(stranger)["id"])
    with api.client(stranger) as client:
        theirs = client.post("/api/v1/series", json=_body(ids, {foreign_account: "18:00"}))
        assert theirs.status_code == 404
        accounts = client.post("/api/v1/series", json=_body([own_clip], times, dry_run=True))
        assert accounts.status_code == 404
        for action in ("cancel", "retry"):
            assert client.post(f"/api/v1/clips/{ids[0]}/{action}").status_code == 404
        later = (datetime.now(UTC) + timedelta(days=2)).isoformat()
        assert (
            client.post(f"/api/v1/clips/{ids[0]}/reschedule", json={"scheduled_at": later}).status_code == 404
        )
        assert client.get(f"/api/v1/connections/{next(iter(times))}/slots").status_code == 404
    viewer_email, viewer = new_user(api)
    workspace = workspace_of(api, token)
    add_member(api, token, workspace, viewer_email, "viewer")
    with api.client(viewer, **{"X-Workspace-Id": workspace}) as client:
        for dry_run in (True, False):
            forbidden = client.post("/api/v1/series", json=_body(ids, times, dry_run=dry_run))
            assert forbidden.status_code == 403 and forbidden.json()["error"]["code"] == "role_forbids"
        slots = client.put(
            f"/api/v1/connections/{next(iter(times))}/slots", json={"weekdays": [0], "times": ["18:00"]}
        )
        assert slots.status_code == 403
    assert _counts_of(api, token) == 0


def _counts_of(api: Api, token: str) -> int:
    with api.client(token) as client:
        return len(client.get("/api/v1/publications").json())


def test_posting_slots_and_the_next_free_one(api: Api) -> None:
    email, token = api.new_user()
    vk = api.add_connection(email, Platform.VK)
    clip = str(api.upload_clip(token)["id"])
    with api.client(token) as client:
        assert client.get(f"/api/v1/connections/{vk}/next-slot").json() == {"scheduled_at": None}
        put = client.put(
            f"/api/v1/connections/{vk}/slots", json={"weekdays": [0, 1, 2, 3, 4], "times": ["18:00", "09:30"]}
        )
        assert put.status_code == 200, put.text
        assert len(put.json()) == 10 and put.json()[:2] == [
            {"weekday": 0, "time": "09:30"},
            {"weekday": 0, "time": "18:00"},
        ]
        assert client.get(f"/api/v1/connections/{vk}/slots").json() == put.json()
        first = _next_slot(client, vk)
        local = first.astimezone(MOSCOW)
        assert local.weekday() < 5 and local.strftime("%H:%M") in ("09:30", "18:00")
        assert first > datetime.now(UTC)
        # Taken by a live publication: the next slot is the one after it.
        taken = client.post(
            f"/api/v1/clips/{clip}/publish",
            json={"targets": [{"connection_id": vk}], "scheduled_at": first.isoformat()},
        )
        assert taken.status_code == 201, taken.text
        second = _next_slot(client, vk)
        assert second > first and second.astimezone(MOSCOW).weekday() < 5
        # Cancelled, it is free again.
        assert client.post(f"/api/v1/clips/{clip}/cancel").json()[0]["status"] == "cancelled"
        assert _next_slot(client, vk) == first
        bad = client.put(f"/api/v1/connections/{vk}/slots", json={"weekdays": [7], "times": ["18:00"]})
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "slot_weekday_invalid"
        cleared = client.put(f"/api/v1/connections/{vk}/slots", json={"weekdays": [], "times": []})
        assert cleared.json() == []


def _next_slot(client: httpx2.Client, connection: str) -> datetime:
    answer = client.get(f"/api/v1/connections/{connection}/next-slot").json()["scheduled_at"]
    assert answer is not None
    return datetime.fromisoformat(answer)


def test_an_unknown_id_in_the_body_is_not_found(api: Api) -> None:
    token, _, times = _week(api, clips=1)
    with api.client(token) as client:
        missing = client.post("/api/v1/series", json=_body([str(uuid.uuid4())], times))
    assert missing.status_code == 404
