"""No token in any log line (ours or a library's), Redis key or job payload, even at DEBUG."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
import redis
import structlog

from autopost.logs import configure_logging
from autopost.sandbox_wiring import point_at_sandbox
from tests.conftest import Sandbox
from tests.support.api import run_worker_until_done, start_api
from tests.support.engine import REDIS_URL

BOT_TOKEN = "7000000001:AAHb3vQm2Xk9LpR4tZs8YwNc1DfGj6UeKoA"
RUTUBE_PASSWORD = "rutube-demo"


def test_tokens_never_reach_logs_or_redis(
    tmp_path: Path, database_url: str, sandbox: Sandbox, capfd: pytest.CaptureFixture[str]
) -> None:
    configure_logging(json=True, level=logging.DEBUG)
    for noisy in ("httpx2", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.DEBUG)  # the worst case: every request line logged
    try:
        for api in start_api(tmp_path, database_url, None, sandbox_url=sandbox.url):
            _, token = api.new_user()
            client = api.client(token)
            telegram = client.post(
                "/api/v1/connections",
                json={"platform": "telegram", "bot_token": BOT_TOKEN, "channel": "@clipmaker_demo"},
            )
            rutube = client.post(
                "/api/v1/connections",
                json={
                    "platform": "rutube",
                    "username": "kursy-montazha@rutube.sandbox",
                    "password": RUTUBE_PASSWORD,
                },
            )
            assert telegram.status_code == rutube.status_code == 201, (telegram.text, rutube.text)
            clip = api.upload_clip(token)
            targets = [{"connection_id": telegram.json()["id"]}, {"connection_id": rutube.json()["id"]}]
            client.post(f"/api/v1/clips/{clip['id']}/publish", json={"targets": targets}).raise_for_status()
            rutube_token = _rutube_token(sandbox)
            redis_dump = _namespace_dump(api.settings.redis_namespace)
            published = asyncio.run(
                run_worker_until_done(point_at_sandbox(api.settings, sandbox.url), client, 2)
            )
            assert {p["status"] for p in published} == {"published"}
            redis_dump += _namespace_dump(api.settings.redis_namespace)
    finally:
        logging.getLogger().handlers.clear()
        structlog.reset_defaults()  # its logger factory holds this test's captured stderr
    out, err = capfd.readouterr()
    logged = out + err
    assert "HTTP Request" in logged or "publication_published" in logged  # the logs were really captured
    for secret in (BOT_TOKEN, BOT_TOKEN.split(":")[1], RUTUBE_PASSWORD, rutube_token, token):
        assert secret not in logged
        assert secret not in redis_dump
    assert "publication_id" in redis_dump  # job payloads were really read


def _rutube_token(sandbox: Sandbox) -> str:
    import httpx2

    accounts = httpx2.get(f"{sandbox.url}/_sandbox/accounts").json()
    return str(next(a for a in accounts if a["platform"] == "rutube")["credentials"]["token"])


def _namespace_dump(namespace: str) -> str:
    client = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    parts = []
    for key in client.scan_iter(match=f"{namespace}:*"):
        kind = client.type(key)
        if kind == "hash":
            parts.append(str(client.hgetall(key)))
        elif kind == "string":
            parts.append(str(client.get(key)))
        elif kind == "list":
            parts.append(str(client.lrange(key, 0, -1)))
        elif kind == "zset":
            parts.append(str(client.zrange(key, 0, -1)))
        elif kind == "stream":
            parts.append(str(client.xrange(key)))
        parts.append(key)
    return "\n".join(parts)
