"""Rutube emulator's studio flow and SSO over real HTTP: multipass rotation, Bearer auth, the
upload session, TUS on the upload host behind its anti-bot gateway, the v2 publish PATCH."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from autopost_sandbox.rutube.multipass import seeded_refresh_token
from autopost_sandbox.rutube.store import SEEDED_ACCOUNTS
from tests.conftest import Sandbox
from tests.support.media import make_clip

CLASSIC, _, SSO = SEEDED_ACCOUNTS
BROWSER = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/143.0 Safari/537.36",
    "Origin": "https://studio.rutube.ru",
    "Referer": "https://studio.rutube.ru/",
}


@pytest.fixture
def rutube(sandbox: Sandbox) -> Iterator[httpx2.Client]:
    with sandbox.control() as control:
        control.post("/config", json={"enforce_rate_limits": False}).raise_for_status()
    with httpx2.Client(base_url=f"{sandbox.url}/rutube", timeout=10) as client:
        yield client


def exchange(rutube: httpx2.Client, refresh: str) -> httpx2.Response:
    return rutube.post("/multipass/api/v3/accounts/token/", headers={"Cookie": f"refreshToken={refresh}"})


def claims(jwt: str) -> dict[str, int]:
    payload = jwt.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def test_a_refresh_token_is_spent_by_its_exchange_and_the_rotated_one_works(rutube: httpx2.Client) -> None:
    first = exchange(rutube, seeded_refresh_token(SSO.id))
    assert first.status_code == 200
    tokens = first.json()
    assert claims(tokens["access_token"])["user_id"] == SSO.id

    again = exchange(rutube, seeded_refresh_token(SSO.id))
    rotated = exchange(rutube, tokens["refresh_token"])

    assert again.status_code == 401
    assert rotated.status_code == 200 and rotated.json()["refresh_token"] != tokens["refresh_token"]
    counters = rutube.get("/_sandbox/multipass").json()
    assert counters == {"exchanges": 2, "spent_reused": 1, "refused": 1}


def test_bearer_auth_works_until_the_access_token_expires(rutube: httpx2.Client, sandbox: Sandbox) -> None:
    access = exchange(rutube, seeded_refresh_token(SSO.id)).json()["access_token"]
    bearer = {"Authorization": f"Bearer {access}"}

    assert rutube.get("/api/video/person/", headers=bearer).status_code == 200
    with sandbox.control() as control:
        control.post("/clock", json={"advance": 15 * 24 * 3600}).raise_for_status()
    expired = rutube.get("/api/video/person/", headers=bearer)

    assert expired.status_code == 401 and "detail" in expired.json()


def test_the_studio_flow_uploads_by_tus_and_the_v2_patch_publishes(
    rutube: httpx2.Client, sandbox: Sandbox, tmp_path: Path
) -> None:
    clip = make_clip(tmp_path / "clip.mp4", seconds=1.0).read_bytes()
    auth = {"Authorization": f"Token {CLASSIC.token}"}
    session = rutube.post(
        "/api/uploader/upload_session/",
        params={"client": "vulp", "batch_id": "7d1c3a52-5f59-4d6e-9f1a-2b1f0a3c4d5e"},
        json={"title": "Клип"},
        headers=auth,
    ).json()
    sid, video_id = session["sid"], session["video"]
    metadata = ",".join(
        f"{k} {base64.b64encode(v.encode()).decode()}"
        for k, v in {"sessionId": sid, "videoId": video_id, "userId": str(CLASSIC.id)}.items()
    )
    tus = {"Tus-Resumable": "1.0.0", "Upload-Length": str(len(clip)), "Upload-Metadata": metadata}
    with httpx2.Client(base_url=f"{sandbox.url}/rutube-upload", timeout=10) as host:
        bot = host.post(f"/upload/{sid}", headers=tus)
        created = host.post(f"/upload/{sid}", headers={**tus, **BROWSER})
        location = str(created.url.join(created.headers["location"]))
        bot_patch = host.patch(location, headers={"Tus-Resumable": "1.0.0"})
        patched = host.patch(
            location,
            content=clip,
            headers={
                **BROWSER,
                "Tus-Resumable": "1.0.0",
                "Upload-Offset": "0",
                "Content-Type": "application/offset+octet-stream",
            },
        )

    # The anti-bot gateway answers a non-browser request as such gateways do: 403 and an HTML page.
    for refused in (bot, bot_patch):
        assert refused.status_code == 403 and refused.headers["content-type"].startswith("text/html")
    assert created.status_code == 201 and patched.status_code == 204
    published = rutube.patch(
        f"/api/v2/video/{video_id}/",
        params={"client": "vulp"},
        json={"title": "Клип", "description": "Описание", "category": "13", "is_hidden": False},
        headers=auth,
    )
    assert published.status_code == 200 and published.json()["is_hidden"] is False
    with sandbox.control() as control:
        control.post("/clock", json={"advance": 60}).raise_for_status()
        [post] = [p for p in control.get("/state").json()["posts"] if p["remote_id"] == video_id]
    state = rutube.get(f"/api/v2/video/{video_id}/", headers=auth).json()
    progress = rutube.get(f"/api/uploader/{video_id}/progress/", headers=auth).json()
    assert state["status"] == "ready" and progress["upload_progress"] == 100
    assert (post["sha256"], post["bytes"]) == (hashlib.sha256(clip).hexdigest(), len(clip))
