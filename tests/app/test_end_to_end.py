"""The whole product through the sandbox: a user connects all four platforms (VK through OAuth,
Дзен through a dzen.ru browser session), uploads a generated clip, publishes to all four and
schedules one more; every post lands exactly once with the clip's bytes."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2

from autopost.sandbox_wiring import point_at_sandbox
from autopost_sandbox.dzen.accounts import cookie_export
from tests.conftest import Sandbox
from tests.support.api import run_worker_until_done, start_api
from tests.support.consent import allow, query_of

TELEGRAM = {
    "platform": "telegram",
    "bot_token": "7000000001:AAHb3vQm2Xk9LpR4tZs8YwNc1DfGj6UeKoA",
    "channel": "@clipmaker_demo",
}
RUTUBE = {"platform": "rutube", "username": "kursy-montazha@rutube.sandbox", "password": "rutube-demo"}


def _connect_oauth(client: httpx2.Client, platform: str) -> str:
    start = client.post(f"/api/v1/connections/oauth/{platform}/start")
    assert start.status_code == 200, start.text
    callback = allow(start.json()["authorize_url"])
    assert "/oauth/" in callback and "code=" in callback
    landed = client.get(callback.replace(str(client.base_url).rstrip("/"), ""), follow_redirects=False)
    assert landed.status_code == 303
    assert landed.headers["location"] == f"/settings/platforms?connected={platform}"
    # The same state cannot be used twice.
    again = client.get(callback.replace(str(client.base_url).rstrip("/"), ""), follow_redirects=False)
    assert query_of(again.headers["location"])["error"] == "oauth_state_invalid"
    [connection] = [c for c in client.get("/api/v1/connections").json() if c["platform"] == platform]
    return str(connection["id"])


def test_connect_all_four_upload_publish_and_schedule(
    tmp_path: Path, database_url: str, sandbox: Sandbox
) -> None:
    for api in start_api(tmp_path, database_url, None, sandbox_url=sandbox.url):
        httpx2.post(f"{sandbox.url}/_sandbox/config", json={"enforce_rate_limits": False}).raise_for_status()
        _, token = api.new_user()
        client = api.client(token)
        connections = {
            "vk": _connect_oauth(client, "vk"),
        }
        for body in (TELEGRAM, RUTUBE, {"platform": "dzen", "session": cookie_export()}):
            response = client.post("/api/v1/connections", json=body)
            assert response.status_code == 201, response.text
            connections[body["platform"]] = response.json()["id"]
        names = {c["platform"]: c["account_name"] for c in client.get("/api/v1/connections").json()}
        assert names["vk"] == "Анна Смирнова" and "Курсы монтажа" in names["dzen"]

        clip = api.upload_clip(token, title="Урок монтажа")
        targets = [{"connection_id": cid} for cid in connections.values()]
        now = client.post(f"/api/v1/clips/{clip['id']}/publish", json={"targets": targets})
        assert now.status_code == 201, now.text
        later_clip = api.upload_clip(token, title="Анонс")
        scheduled_at = (datetime.now(UTC) + timedelta(seconds=3)).isoformat()
        later = client.post(
            f"/api/v1/clips/{later_clip['id']}/publish",
            json={"targets": [{"connection_id": connections["telegram"]}], "scheduled_at": scheduled_at},
        )
        assert later.status_code == 201, later.text

        settings = point_at_sandbox(api.settings, sandbox.url)
        published = asyncio.run(run_worker_until_done(settings, client, 5))
        assert {p["status"] for p in published} == {"published"}, [
            (p["platform"], p["error_message"]) for p in published
        ]
        assert {p["platform"] for p in published} == {"vk", "dzen", "telegram", "rutube"}

        posts = httpx2.get(f"{sandbox.url}/_sandbox/state").json()["posts"]
        digest = hashlib.sha256(api.clip_file.read_bytes()).hexdigest()
        assert len(posts) == 5
        assert {p["sha256"] for p in posts} == {digest}
        assert sorted(p["platform"] for p in posts) == ["dzen", "rutube", "telegram", "telegram", "vk"]
