"""Running at scale: 2 `serve` and 3 `worker` processes on one PostgreSQL and Redis.

Every publication must end published exactly once on the platform, and the work
must spread over the workers. Real subprocesses, real services, the sandbox.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2
import pytest

from autopost.security.vault import generate_key
from tests.support.databases import drop_database, make_database
from tests.support.media import make_clip
from tests.support.servers import free_port

CLIPS = 200
ADMIN_BOT = "7000000001:AAHb3vQm2Xk9LpR4tZs8YwNc1DfGj6UeKoA"


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx2.get(url, timeout=1).status_code == 200:
                return
        except httpx2.HTTPError:
            pass
        assert process.poll() is None, log.read_text()
        time.sleep(0.2)
    raise AssertionError(log.read_text())


class Cluster:
    def __init__(self, tmp_path: Path, env: dict[str, str]) -> None:
        self.tmp_path, self.env = tmp_path, env
        self.processes: list[tuple[subprocess.Popen[bytes], Path]] = []

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "autopost", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = self.tmp_path / f"{name}.log"
        process = subprocess.Popen(
            [sys.executable, "-m", "autopost", *args],
            env=self.env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        self.processes.append((process, log))
        return process

    def stop(self) -> None:
        for process, _ in self.processes:
            process.terminate()
        for process, _ in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[Cluster, list[str], str]]:
    database_url, handle = make_database("postgresql", tmp_path)
    sandbox_port, serve_ports = free_port(), [free_port(), free_port()]
    sandbox = f"http://127.0.0.1:{sandbox_port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOPOST_")}
    env.update(
        AUTOPOST_DATABASE_URL=database_url,
        AUTOPOST_REDIS_URL="redis://127.0.0.1:6379/0",
        AUTOPOST_REDIS_NAMESPACE=f"scale{uuid.uuid4().hex[:8]}",
        AUTOPOST_TOKEN_KEYS=generate_key(),
        AUTOPOST_SECRET_KEY="k" * 40,
        AUTOPOST_DATA_DIR=str(tmp_path / "data"),
        AUTOPOST_PUBLIC_URL=f"http://127.0.0.1:{serve_ports[0]}",
        AUTOPOST_TELEGRAM__API_URL=f"{sandbox}/telegram",
        AUTOPOST_TELEGRAM__PREVIEW_URL=f"{sandbox}/tme",
        # Every clip goes to one channel: Telegram's 20 a minute would make this a test of patience.
        AUTOPOST_TELEGRAM__BOT_LIMIT="1000/second",
        AUTOPOST_TELEGRAM__CHANNEL_LIMIT="1000/second",
        AUTOPOST_PUBLISH_REQUESTS_PER_MINUTE="1000",
    )
    cluster = Cluster(tmp_path, env)
    try:
        # Processes start side by side; each is awaited before anything relies on it.
        sandbox_process = cluster.start("sandbox", "sandbox", "--port", str(sandbox_port))
        cluster.run("migrate")
        _wait_ready(f"{sandbox}/_sandbox/state", sandbox_process, tmp_path / "sandbox.log")
        httpx2.post(f"{sandbox}/_sandbox/config", json={"enforce_rate_limits": False}).raise_for_status()
        cluster.run(
            "users", "create", "scale@example.com", "--plan", "business", "--password", "scale-password"
        )
        token = cluster.run("tokens", "create", "scale@example.com").strip()
        urls = [f"http://127.0.0.1:{port}" for port in serve_ports]
        serving = [
            cluster.start(f"serve{n}", "serve", "--port", str(port)) for n, port in enumerate(serve_ports)
        ]
        for n, (url, process) in enumerate(zip(urls, serving, strict=True)):
            _wait_ready(f"{url}/readyz", process, tmp_path / f"serve{n}.log")
        for n in range(3):
            cluster.start(f"worker{n}", "worker", "--concurrency", "4")
        yield cluster, urls, token
    finally:
        cluster.stop()
        drop_database("postgresql", handle)


def test_two_servers_three_workers_publish_every_clip_exactly_once(cluster, tmp_path: Path) -> None:
    nodes, urls, token = cluster
    sandbox = nodes.env["AUTOPOST_TELEGRAM__API_URL"].removesuffix("/telegram")
    clip_path = make_clip(tmp_path / "clip.mp4", seconds=0.4)
    clients = [
        httpx2.Client(base_url=u, headers={"Authorization": f"Bearer {token}"}, timeout=60) for u in urls
    ]
    connection = clients[0].post(
        "/api/v1/connections",
        json={"platform": "telegram", "bot_token": ADMIN_BOT, "channel": "@clipmaker_demo"},
    )
    assert connection.status_code == 201, connection.text
    target = {"targets": [{"connection_id": connection.json()["id"]}]}

    def upload_and_publish(n: int) -> str:
        client = clients[n % 2]  # both web processes take requests
        with clip_path.open("rb") as handle:
            clip = client.post(
                "/api/v1/clips", files={"file": ("clip.mp4", handle)}, data={"title": f"Клип {n}"}
            )
        assert clip.status_code == 201, clip.text
        [publication] = client.post(f"/api/v1/clips/{clip.json()['id']}/publish", json=target).json()
        return str(publication["id"])

    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(upload_and_publish, range(CLIPS)))

    deadline = time.monotonic() + 300
    while True:
        listed = clients[1].get("/api/v1/publications", params={"limit": 200}).json()
        statuses = Counter(p["status"] for p in listed)
        if statuses.get("published") == CLIPS or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert statuses == {"published": CLIPS}, statuses

    posts = httpx2.get(f"{sandbox}/_sandbox/state").json()["posts"]
    assert len(posts) == CLIPS
    assert len({p["remote_id"] for p in posts}) == CLIPS
    assert sorted(p["caption"] for p in posts) == sorted(f"Клип {n}" for n in range(CLIPS))
    assert {p["remote_id"] for p in listed} == {p["remote_id"] for p in posts}

    workers: Counter[str] = Counter()
    for publication_id in ids:
        events = clients[0].get(f"/api/v1/publications/{publication_id}").json()["events"]
        workers.update(e["data"]["worker"] for e in events if e["kind"] == "started")
    assert sum(workers.values()) == CLIPS  # one attempt each
    assert len(workers) == 3, workers  # every worker took a share
