"""`autopost up --sandbox` as a newcomer runs it: a subprocess on the embedded default."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2

from tests.support.servers import free_port

RUTUBE_LOGIN = {"platform": "rutube", "username": "kursy-montazha@rutube.sandbox", "password": "rutube-demo"}


def _start(workdir: Path, port: int) -> tuple[subprocess.Popen[str], Path]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOPOST_")}
    env["AUTOPOST_MIN_SCHEDULE_LEAD_SECONDS"] = "1"
    env["AUTOPOST_PROCESSING_POLL_SECONDS"] = "0.3"
    log = workdir / f"up-{time.monotonic_ns()}.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "autopost", "up", "--sandbox", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx2.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return process, log
        except httpx2.HTTPError:
            pass
        assert process.poll() is None, log.read_text()
        time.sleep(0.2)
    raise AssertionError(log.read_text())


def _stop(process: subprocess.Popen[str]) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=30)


def _wait_status(
    client: httpx2.Client, publication_id: str, status: str, timeout: float = 30
) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while True:
        publication = client.get(f"/api/v1/publications/{publication_id}").json()
        if publication["status"] == status:
            return dict(publication)
        assert time.monotonic() < deadline, publication
        time.sleep(0.2)


def test_up_publishes_and_keeps_a_scheduled_publication_across_a_restart(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process, log = _start(tmp_path, port)
    try:
        token = re.search(r"ap_[A-Za-z0-9_-]+", log.read_text())
        assert token, log.read_text()
        client = httpx2.Client(
            base_url=base, headers={"Authorization": f"Bearer {token.group(0)}"}, timeout=30
        )
        connection = client.post("/api/v1/connections", json=RUTUBE_LOGIN)
        assert connection.status_code == 201, connection.text
        [clip] = client.get("/api/v1/clips").json()
        target = {"targets": [{"connection_id": connection.json()["id"]}]}
        [now] = client.post(f"/api/v1/clips/{clip['id']}/publish", json=target).json()
        published = _wait_status(client, now["id"], "published")
        assert str(published["remote_url"]).startswith("https://rutube.ru/video/")

        later = (datetime.now(UTC) + timedelta(seconds=6)).isoformat()
        # The clip is published to this account already: once more needs `again`.
        again = {"targets": [{"connection_id": connection.json()["id"], "again": True}]}
        [scheduled] = client.post(
            f"/api/v1/clips/{clip['id']}/publish",
            json={**again, "scheduled_at": later},
            headers={"Idempotency-Key": "k1"},
        ).json()
        assert scheduled["status"] == "scheduled"
    finally:
        assert _stop(process) == 0
    assert "autopost_stopped" in log.read_text()

    time.sleep(3)  # it falls due while the service is down
    process, log = _start(tmp_path, port)
    try:
        client = httpx2.Client(base_url=base, headers=client.headers, timeout=30)
        fired = _wait_status(client, scheduled["id"], "published", timeout=60)
        assert fired["attempts"] == 1
        sandbox = httpx2.get(f"{base}/sandbox/_sandbox/state").json()
        # The sandbox restarted empty with the process; the second publication is the only one it saw.
        assert [p["remote_id"] for p in sandbox["posts"]] == [str(fired["remote_id"])]
    finally:
        assert _stop(process) == 0


def test_up_mails_a_broken_connection_to_the_sandbox_mailbox(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process, log = _start(tmp_path, port)
    try:
        token = re.search(r"ap_[A-Za-z0-9_-]+", log.read_text())
        assert token, log.read_text()
        assert f"{base}/sandbox/_sandbox/mail" in log.read_text()
        client = httpx2.Client(
            base_url=base, headers={"Authorization": f"Bearer {token.group(0)}"}, timeout=30
        )
        bot = {
            "platform": "telegram",
            "bot_token": "7000000001:AAHb3vQm2Xk9LpR4tZs8YwNc1DfGj6UeKoA",
            "channel": "@clipmaker_demo",
        }
        connection = client.post("/api/v1/connections", json=bot)
        assert connection.status_code == 201, connection.text
        httpx2.post(
            f"{base}/sandbox/_sandbox/faults",
            json={"platform": "telegram", "fault": "token_expired", "on": "getMe", "count": 1},
        ).raise_for_status()
        client.post(f"/api/v1/connections/{connection.json()['id']}/test")
        deadline = time.monotonic() + 30
        while not (mails := httpx2.get(f"{base}/sandbox/_sandbox/mail").json()):
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.3)
        [mail] = mails
        assert mail["to"] == ["demo@autopost.local"]
        assert mail["subject"].startswith("Переподключите Telegram")
        assert f"{base}/settings/platforms#connection-{connection.json()['id']}" in mail["text"]
        page = httpx2.get(f"{base}/sandbox/_sandbox/mail", headers={"Accept": "text/html"}).text
        assert "Почта песочницы" in page and "Переподключите Telegram" in page
    finally:
        assert _stop(process) == 0
