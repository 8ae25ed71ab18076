"""VK: a connection publishes to the user's page or to a community they administer."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx2

from autopost.sandbox_wiring import point_at_sandbox
from tests.conftest import Sandbox
from tests.support.api import run_worker_until_done, start_api
from tests.support.consent import allow


def test_publish_to_a_community_the_user_administers(
    tmp_path: Path, database_url: str, sandbox: Sandbox
) -> None:
    for api in start_api(tmp_path, database_url, None, sandbox_url=sandbox.url):
        # The connect flow and the target check come back to back, faster than a person clicks.
        httpx2.post(f"{sandbox.url}/_sandbox/config", json={"enforce_rate_limits": False}).raise_for_status()
        _, token = api.new_user()
        client = api.client(token)
        start = client.post("/api/v1/connections/oauth/vk/start").json()["authorize_url"]
        callback = allow(start)
        client.get(callback.split(api.url, 1)[1], follow_redirects=False)
        [connection] = client.get("/api/v1/connections").json()
        assert [c["id"] for c in connection["meta"]["communities"]] == [2001]

        foreign = client.patch(f"/api/v1/connections/{connection['id']}", json={"group_id": 2002})
        assert foreign.status_code == 422
        chosen = client.patch(f"/api/v1/connections/{connection['id']}", json={"group_id": 2001})
        assert chosen.status_code == 200, chosen.text
        assert chosen.json()["meta"]["target_name"] == "Курсы монтажа"

        clip = api.upload_clip(token)
        client.post(
            f"/api/v1/clips/{clip['id']}/publish", json={"targets": [{"connection_id": connection["id"]}]}
        ).raise_for_status()
        [published] = asyncio.run(
            run_worker_until_done(point_at_sandbox(api.settings, sandbox.url), client, 1)
        )
        assert published["status"] == "published", published["error_message"]
        [post] = httpx2.get(f"{sandbox.url}/_sandbox/state").json()["posts"]
        assert post["owner"] == "-2001"

        back = client.patch(f"/api/v1/connections/{connection['id']}", json={"group_id": None})
        assert "group_id" not in back.json()["meta"]
