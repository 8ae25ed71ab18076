"""Rutube has no "who am I": reconnecting after the first video keeps one connection."""

from __future__ import annotations

from pathlib import Path

import httpx2

from tests.conftest import Sandbox
from tests.support.api import start_api


def _rutube_token(sandbox: Sandbox) -> str:
    accounts = httpx2.get(f"{sandbox.url}/_sandbox/accounts").json()
    return str(next(a for a in accounts if a["platform"] == "rutube")["credentials"]["token"])


def test_reconnecting_after_the_first_video_renames_the_connection(
    tmp_path: Path, database_url: str, sandbox: Sandbox
) -> None:
    httpx2.post(f"{sandbox.url}/_sandbox/config", json={"enforce_rate_limits": False}).raise_for_status()
    token = _rutube_token(sandbox)
    for api in start_api(tmp_path, database_url, None, sandbox_url=sandbox.url):
        _, api_token = api.new_user()
        client = api.client(api_token)
        first = client.post("/api/v1/connections", json={"platform": "rutube", "token": token})
        assert first.status_code == 201, first.text
        assert first.json()["account_id"].startswith("token-")

        created = httpx2.post(
            f"{sandbox.url}/rutube/api/video/",
            json={"url": f"{api.url}/healthz", "title": "Первое видео"},
            headers={"Authorization": f"Token {token}", "Accept": "application/json"},
        )
        assert created.status_code in (200, 201), created.text

        again = client.post("/api/v1/connections", json={"platform": "rutube", "token": token})
        assert again.status_code == 201, again.text
        assert again.json()["id"] == first.json()["id"]
        assert not again.json()["account_id"].startswith("token-")
        assert len(client.get("/api/v1/connections").json()) == 1
