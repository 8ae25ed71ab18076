"""What `autopost serve` prints, uvicorn's access and error lines included, carries no secret."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx2

from autopost.clips.media import sign_media_token
from tests.support.serve_process import serve_process

BOT_TOKEN = "7000000001:AAHb3vQm2Xk9LpR4tZs8YwNc1DfGj6UeKoA"
MEDIA_TOKEN = sign_media_token("some-secret-key", uuid.uuid4())
OAUTH_CODE = "c0de-4f9a2b7e1d"
OAUTH_STATE = "st4te-Qm2Xk9LpR4tZs8YwNc1DfGj6Ue"
DEVICE_ID = "dev1ce-7b3e5a90"
VK_TOKEN = "vk2.a.Hb3vQm2Xk9LpR4tZs8YwNc1DfGj6UeKoAxyz"
RUTUBE_JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlLXZhbHVl"
DRF_TOKEN = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b"


def test_serve_logs_requests_without_their_secrets(tmp_path: Path) -> None:
    with serve_process(tmp_path) as served, httpx2.Client(base_url=served.url, timeout=10) as client:
        client.get(f"/media/{MEDIA_TOKEN}")
        client.get(f"/oauth/vk/callback?code={OAUTH_CODE}&state={OAUTH_STATE}&device_id={DEVICE_ID}")
        client.get(f"/bot{BOT_TOKEN.replace(':', '%3A')}/getMe")
        client.get(f"/api/v1/me?t={VK_TOKEN}", headers={"Authorization": f"Bearer {VK_TOKEN}"})
        client.get(f"/api/v1/me?jwt={RUTUBE_JWT}&drf={DRF_TOKEN}")
        client.get("/api/v1/me", headers={"Authorization": f"Token {DRF_TOKEN}"})
    logged = served.output()
    # The request lines themselves are logged, so their absence below means they were scrubbed.
    for line in ("GET /media/", "GET /oauth/vk/callback?", "/getMe", "GET /api/v1/me?"):
        assert line in logged, logged
    secrets = (MEDIA_TOKEN, OAUTH_CODE, OAUTH_STATE, DEVICE_ID, VK_TOKEN, RUTUBE_JWT, DRF_TOKEN)
    for secret in (*secrets, BOT_TOKEN.split(":")[1]):
        assert secret not in logged, (secret, logged)
