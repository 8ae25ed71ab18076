"""`autopost serve` as an operator runs it: a subprocess on SQLite and the shared Redis, output kept."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2

from autopost.db import make_engine, make_session_factory, transaction
from autopost.migrations import runner
from autopost.users.plans import Plan
from autopost.users.service import create_user
from tests.support.engine import REDIS_URL
from tests.support.servers import free_port


@dataclass
class Served:
    url: str
    database_url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text()

    def new_user(self, email: str, password: str) -> None:
        async def make() -> None:
            engine = make_engine(self.database_url)
            try:
                async with transaction(make_session_factory(engine)) as session:
                    await create_user(session, email, plan=Plan.PRO, password=password)
            finally:
                await engine.dispose()

        asyncio.run(make())


@contextmanager
def serve_process(workdir: Path, **env_overrides: str) -> Iterator[Served]:
    """Migrate a fresh SQLite database, run `autopost serve` on a free port until the block ends."""
    database_url = f"sqlite+aiosqlite:///{workdir / 'serve.db'}"
    runner.upgrade(database_url)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOPOST_")}
    env.update(
        AUTOPOST_DATA_DIR=str(workdir),
        AUTOPOST_DATABASE_URL=database_url,
        AUTOPOST_REDIS_URL=REDIS_URL,
        AUTOPOST_REDIS_NAMESPACE=f"serve-{uuid.uuid4().hex[:8]}",
        AUTOPOST_PUBLIC_URL=f"http://127.0.0.1:{port}",
        **env_overrides,
    )
    log = workdir / f"serve-{time.monotonic_ns()}.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "autopost", "serve", "--port", str(port)],
            cwd=workdir,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(process, url, log)
        yield Served(url=url, database_url=database_url, log=log)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def _wait_ready(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx2.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx2.HTTPError:
            pass
        assert process.poll() is None, log.read_text()
        time.sleep(0.2)
    raise AssertionError(log.read_text())
