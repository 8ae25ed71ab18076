from datetime import UTC, datetime, timedelta

import pytest

from autopost.platforms.catalog import Platform
from autopost.users.plans import Plan
from tests.support.api import Api


def _later(minutes: int = 60) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).astimezone().isoformat()


@pytest.mark.parametrize(
    ("plan", "platform", "allowed"),
    [
        (Plan.FREE, Platform.VK, False),
        (Plan.START, Platform.VK, True),
        (Plan.START, Platform.TELEGRAM, False),
        (Plan.PRO, Platform.DZEN, True),
        (Plan.BUSINESS, Platform.RUTUBE, True),
    ],
)
def test_plan_gating(api: Api, plan: Plan, platform: Platform, allowed: bool) -> None:
    email, token = api.new_user(plan)
    connection_id = api.add_connection(email, platform)
    clip_id = api.upload_clip(token)["id"]
    with api.client(token) as client:
        response = client.post(
            f"/api/v1/clips/{clip_id}/publish",
            json={"targets": [{"connection_id": connection_id}], "scheduled_at": _later()},
        )
        if allowed:
            assert response.status_code == 201, response.text
        else:
            assert response.status_code == 422
            assert response.json()["error"]["code"] == "plan_excludes_platform"
            assert "повысьте тариф" in response.json()["error"]["message"]
            assert client.get("/api/v1/publications").json() == []
        platforms = {p["platform"]: p for p in client.get("/api/v1/platforms").json()}
        assert platforms[platform.value]["allowed"] is allowed


def test_every_failing_target_is_refused_up_front_and_nothing_is_created(api: Api) -> None:
    email, token = api.new_user()
    telegram = api.add_connection(email, Platform.TELEGRAM)
    vk = api.add_connection(email, Platform.VK)
    clip_id = api.upload_clip(token)["id"]
    cases = [
        ({"connection_id": telegram, "title": "x" * 500, "description": "y" * 600}, "caption_too_long"),
        ({"connection_id": vk, "title": "x" * 129}, "title_too_long"),
    ]
    with api.client(token) as client:
        for target, code in cases:
            response = client.post(f"/api/v1/clips/{clip_id}/publish", json={"targets": [target]})
            assert response.status_code == 422 and response.json()["error"]["code"] == code, response.text
        too_soon = client.post(
            f"/api/v1/clips/{clip_id}/publish",
            json={"targets": [{"connection_id": vk}], "scheduled_at": datetime.now(UTC).isoformat()},
        )
        assert too_soon.json()["error"]["code"] == "scheduled_too_soon"
        twice = client.post(
            f"/api/v1/clips/{clip_id}/publish",
            json={"targets": [{"connection_id": vk}, {"connection_id": vk}]},
        )
        assert twice.json()["error"]["code"] == "duplicate_target"
        # Both targets and the time at once: the first problem is the error, every one is listed.
        both = client.post(
            f"/api/v1/clips/{clip_id}/publish",
            json={"targets": [case[0] for case in cases], "scheduled_at": datetime.now(UTC).isoformat()},
        )
        error = both.json()["error"]
        assert both.status_code == 422 and error["code"] == "scheduled_too_soon"
        assert [(p["code"], p["about"]) for p in error["problems"]] == [
            ("scheduled_too_soon", None),
            ("caption_too_long", telegram),
            ("title_too_long", vk),
        ]
        assert error["problems"][2]["message"] == "Название для VK: 129 символов, можно не больше 128"
        assert client.get("/api/v1/publications").json() == []


def test_idempotency_key_replays_the_same_publications(api: Api) -> None:
    email, token = api.new_user()
    connection = api.add_connection(email, Platform.TELEGRAM)
    clip_id = api.upload_clip(token)["id"]
    body = {"targets": [{"connection_id": connection}], "scheduled_at": _later()}
    with api.client(token, **{"Idempotency-Key": "order-42"}) as client:
        first = client.post(f"/api/v1/clips/{clip_id}/publish", json=body)
        second = client.post(f"/api/v1/clips/{clip_id}/publish", json=body)
        assert first.status_code == 201 and second.status_code == 201
        assert [p["id"] for p in first.json()] == [p["id"] for p in second.json()]
        other = client.post(f"/api/v1/clips/{clip_id}/publish", json={**body, "scheduled_at": _later(90)})
        assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_conflict"
        assert len(client.get("/api/v1/publications").json()) == 1


def test_cancel_reschedule_retry_and_events(api: Api) -> None:
    email, token = api.new_user()
    connection = api.add_connection(email, Platform.TELEGRAM)
    clip_id = api.upload_clip(token)["id"]
    with api.client(token) as client:
        [publication] = client.post(
            f"/api/v1/clips/{clip_id}/publish",
            json={"targets": [{"connection_id": connection}], "scheduled_at": _later()},
        ).json()
        path = f"/api/v1/publications/{publication['id']}"
        moved = client.patch(path, json={"scheduled_at": "2031-05-01T10:00:00+03:00"})
        assert moved.status_code == 200
        assert moved.json()["scheduled_at"].startswith("2031-05-01T07:00:00")
        assert client.post(f"{path}/retry").json()["error"]["code"] == "not_retryable"
        cancelled = client.post(f"{path}/cancel")
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
        again = client.post(f"{path}/cancel")
        assert again.status_code == 409 and again.json()["error"]["code"] == "not_cancellable"
        detail = client.get(path).json()
        assert [e["kind"] for e in detail["events"]] == ["scheduled", "rescheduled", "cancelled"]
        assert (
            client.get("/api/v1/publications", params={"status": "cancelled"}).json()[0]["id"]
            == publication["id"]
        )
        assert client.get("/api/v1/publications", params={"platform": "vk"}).json() == []


def test_disconnect_cancels_scheduled_publications_and_forgets_tokens(api: Api) -> None:
    email, token = api.new_user()
    connection = api.add_connection(email, Platform.TELEGRAM)
    clip_id = api.upload_clip(token)["id"]
    other_clip = api.upload_clip(token)["id"]
    with api.client(token) as client:
        for clip in (clip_id, other_clip):
            client.post(
                f"/api/v1/clips/{clip}/publish",
                json={"targets": [{"connection_id": connection}], "scheduled_at": _later()},
            ).raise_for_status()
        response = client.delete(f"/api/v1/connections/{connection}")
        assert response.json() == {"cancelled_publications": 2}
        assert {p["status"] for p in client.get("/api/v1/publications").json()} == {"cancelled"}
        assert client.get(f"/api/v1/connections/{connection}").status_code == 404
