"""What the engine benchmarks share: a loopback world of their own, setup, waiting, figures.

A `Services` owns, for one run: a fresh PostgreSQL database, a Redis key namespace,
a sandbox subprocess (rate limits lifted), optionally one `autopost serve` (Rutube
downloads clips from AUTOPOST_PUBLIC_URL), any number of `autopost worker`
subprocesses, and an in-process Runtime with the same settings for setup and
inspection. Everything is removed at the end, also after an error or Ctrl-C.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import asyncpg
import httpx2
import redis.asyncio as aioredis
from sqlalchemy import func, select

from autopost.clips.models import Clip, ClipStatus
from autopost.connections.models import Connection
from autopost.connections.usecases import connect_token as connect_with_token
from autopost.connections.usecases import finish_oauth, start_oauth
from autopost.db import transaction
from autopost.migrations import runner
from autopost.platforms.catalog import Platform
from autopost.publications.models import Publication, PublicationEvent, PublicationStatus
from autopost.publications.rules import Target
from autopost.publications.usecases import create_publications
from autopost.queue import Outbox
from autopost.runtime import ProviderFactory, Runtime
from autopost.sandbox_wiring import point_at_sandbox
from autopost.security.vault import generate_key
from autopost.settings import Settings
from autopost.users.models import User
from autopost.users.plans import Plan
from autopost.users.service import create_user

ROOT = Path(__file__).resolve().parents[1]
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/0"
TERMINAL = (PublicationStatus.PUBLISHED, PublicationStatus.FAILED, PublicationStatus.CANCELLED)

# Seeded sandbox accounts (docs/platforms.md, docs/platforms/rutube.md).
TELEGRAM_BOT = "7000000001:AAHb3vQm2Xk9LpR4tZs8YwNc1DfGj6UeKoA"
TELEGRAM_CHANNEL = "@clipmaker_demo"
RUTUBE_TOKEN = "237f241fa79014efe1b9880619f0c67f43f7f03c"
VK_DEMO_TOKEN = "vk1.a.sandbox-demo-token-anna-smirnova"
VK_API_VERSION = "5.199"

# Publishing settings of the benchmark engine (the values); rate limits lifted.
ENGINE_SETTINGS: dict[str, str] = {
    "RETRY_DELAYS_SECONDS": "[1,2,3]",
    "PROCESSING_POLL_SECONDS": "0.3",
    "SWEEP_INTERVAL_SECONDS": "2",
    "WORKER_LOCK_SECONDS": "5",
    "MIN_SCHEDULE_LEAD_SECONDS": "1",
    "VK__RATE_PER_SECOND": "1000",
    "RUTUBE__RATE_PER_SECOND": "1000",
    "DZEN__RATE_PER_SECOND": "1000",
    "TELEGRAM__RATE_PER_SECOND": "1000",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "n/a"


def make_clip(
    path: Path, *, seconds: float = 2.0, width: int = 360, height: int = 640, fps: int = 25
) -> Path:
    """An H.264/MP4 clip of moving colour bars (2 s at 360x640 is about 55 kB)."""
    import av
    import numpy as np

    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.time_base = Fraction(1, fps)
        for index in range(int(seconds * fps)):
            image = np.zeros((height, width, 3), dtype=np.uint8)
            image[:, :, 0] = (np.arange(width) * 255 // width + index * 8) % 256
            image[:, :, 1] = (np.arange(height)[:, None] * 255 // height) % 256
            image[:, :, 2] = (index * 10) % 256
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


# ---------------------------------------------------------------- processes


def _wait_http(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{log.name}: exited with {process.returncode}\n{tail(log)}")
        with contextlib.suppress(httpx2.HTTPError):
            if httpx2.get(url, timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url} not ready within {timeout} s\n{tail(log)}")


def tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


class Services:
    """The loopback world of one benchmark run (see the module docstring)."""

    def __init__(self, name: str, *, keep: bool = False) -> None:
        self.name = name
        self.keep = keep
        self.tag = uuid.uuid4().hex[:8]
        self.workdir = Path(tempfile.mkdtemp(prefix=f"autopost-bench-{name}-"))
        self.database = f"autopost_bench_{name}_{self.tag}"
        self.database_url = f"{PG_SERVER.replace('postgresql://', 'postgresql+asyncpg://')}/{self.database}"
        self.namespace = f"bench-{name}-{self.tag}"
        self.sandbox_url = f"http://127.0.0.1:{free_port()}"
        self.public_url = f"http://127.0.0.1:{free_port()}"
        self.token_key = generate_key()
        self.secret_key = uuid.uuid4().hex + uuid.uuid4().hex
        self.processes: list[tuple[subprocess.Popen[bytes], Path]] = []
        self.workers: list[subprocess.Popen[bytes]] = []
        self._worker_count = 0
        self._runtime: Runtime | None = None
        self._database_created = False
        self.control = httpx2.AsyncClient(base_url=f"{self.sandbox_url}/_sandbox", timeout=60)

    # ------------------------------------------------------------ configuration

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOPOST_")}
        values = {
            "DATABASE_URL": self.database_url,
            "REDIS_URL": REDIS_URL,
            "REDIS_NAMESPACE": self.namespace,
            "TOKEN_KEYS": self.token_key,
            "SECRET_KEY": self.secret_key,
            "DATA_DIR": str(self.workdir / "data"),
            "PUBLIC_URL": self.public_url,
            **ENGINE_SETTINGS,
            **self._platform_env(),
        }
        env.update({f"AUTOPOST_{k}": v for k, v in values.items()})
        return env

    def _platform_env(self) -> dict[str, str]:
        pointed = point_at_sandbox(Settings(_env_file=None), self.sandbox_url)  # type: ignore[call-arg]
        return {
            "VK__API_URL": pointed.vk.api_url,
            "VK__ID_URL": pointed.vk.id_url,
            "VK__CLIENT_ID": pointed.vk.client_id,
            "TELEGRAM__API_URL": pointed.telegram.api_url,
            "TELEGRAM__PREVIEW_URL": pointed.telegram.preview_url,
            "RUTUBE__API_URL": pointed.rutube.api_url,
            "DZEN__API_URL": pointed.dzen.api_url,
            "DZEN__OAUTH_URL": pointed.dzen.oauth_url,
            "DZEN__LOGIN_URL": pointed.dzen.login_url,
            "DZEN__CLIENT_ID": pointed.dzen.client_id,
            "DZEN__CLIENT_SECRET": pointed.dzen.client_secret.get_secret_value(),
        }

    def settings(self) -> Settings:
        """The workers' settings, read from the same environment they get."""
        prefix = "AUTOPOST_"
        saved = {k: v for k, v in os.environ.items() if k.startswith(prefix)}
        try:
            for key in saved:
                del os.environ[key]
            os.environ.update({k: v for k, v in self.env.items() if k.startswith(prefix)})
            return Settings(_env_file=None)  # type: ignore[call-arg]
        finally:
            for key in [k for k in os.environ if k.startswith(prefix)]:
                del os.environ[key]
            os.environ.update(saved)

    @property
    def runtime(self) -> Runtime:
        if self._runtime is None:
            raise RuntimeError("Services.start() first")
        return self._runtime

    # ------------------------------------------------------------ lifecycle

    async def start(self, *, serve: bool = False, providers: ProviderFactory | None = None) -> None:
        admin = await asyncpg.connect(f"{PG_SERVER}/postgres")
        try:
            await admin.execute(f'CREATE DATABASE "{self.database}"')
            self._database_created = True
        finally:
            await admin.close()
        await runner.upgrade_async(self.database_url)
        (self.workdir / "data").mkdir(parents=True, exist_ok=True)
        sandbox = self._spawn("sandbox", "sandbox", "--port", str(urlsplit(self.sandbox_url).port))
        await asyncio.to_thread(
            _wait_http, f"{self.sandbox_url}/_sandbox/state", sandbox, self.log("sandbox")
        )
        await self.sandbox_config(enforce_rate_limits=False)
        if serve:
            web = self._spawn("serve", "serve", "--port", str(urlsplit(self.public_url).port))
            await asyncio.to_thread(_wait_http, f"{self.public_url}/readyz", web, self.log("serve"))
        self._runtime = Runtime.create(self.settings(), REDIS_URL, providers)
        self._runtime.storage.root.mkdir(parents=True, exist_ok=True)

    def log(self, name: str) -> Path:
        return self.workdir / f"{name}.log"

    def _spawn(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        with self.log(name).open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "autopost", *args],
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches the benchmark only; it stops the rest
            )
        self.processes.append((process, self.log(name)))
        return process

    def start_worker(self, concurrency: int) -> subprocess.Popen[bytes]:
        self._worker_count += 1
        worker = self._spawn(f"worker{self._worker_count}", "worker", "--concurrency", str(concurrency))
        self.workers.append(worker)
        return worker

    def kill_worker(self, worker: subprocess.Popen[bytes]) -> None:
        """SIGKILL: no shutdown, running jobs are abandoned to stall recovery."""
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        self.workers.remove(worker)

    async def stop_workers(self) -> None:
        for worker in self.workers:
            worker.terminate()
        for worker in self.workers:
            try:
                await asyncio.to_thread(worker.wait, 30)
            except subprocess.TimeoutExpired:
                worker.kill()
        self.workers.clear()

    def dead_workers(self) -> list[str]:
        """Workers that exited on their own (a crash), with the end of their log."""
        logs = {p.pid: log for p, log in self.processes}
        return [
            f"{logs[w.pid].name} exited {w.returncode}:\n{tail(logs[w.pid])}"
            for w in self.workers
            if w.poll() is not None
        ]

    async def close(self) -> None:
        for process, _ in self.processes:
            if process.poll() is None:
                process.terminate()
        for process, _ in self.processes:
            try:
                await asyncio.to_thread(process.wait, 30)
            except subprocess.TimeoutExpired:
                process.kill()
        await self.control.aclose()
        if self._runtime is not None:
            await self._runtime.close()
        await self.flush_namespace()
        if self._database_created and not self.keep:
            admin = await asyncpg.connect(f"{PG_SERVER}/postgres")
            try:
                await admin.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            finally:
                await admin.close()
        if self.keep:
            print(f"kept: {self.workdir} (logs), database {self.database}")
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)

    async def flush_namespace(self) -> int:
        """Delete every Redis key of this run's namespace (what a Redis restart would lose)."""
        client = aioredis.Redis.from_url(REDIS_URL)
        try:
            keys = [k async for k in client.scan_iter(match=f"{self.namespace}:*", count=1000)]
            for start in range(0, len(keys), 1000):
                await client.delete(*keys[start : start + 1000])
            return len(keys)
        finally:
            await client.aclose()

    # ------------------------------------------------------------ the sandbox

    async def sandbox_config(self, **values: Any) -> None:
        (await self.control.post("/config", json=values)).raise_for_status()

    async def add_fault(self, **fault: Any) -> None:
        (await self.control.post("/faults", json=fault)).raise_for_status()

    async def clear_faults(self) -> None:
        (await self.control.delete("/faults")).raise_for_status()

    async def sandbox_state(self) -> dict[str, Any]:
        response = await self.control.get("/state")
        response.raise_for_status()
        state: dict[str, Any] = response.json()
        return state


@contextlib.asynccontextmanager
async def running(
    name: str,
    *,
    serve: bool = False,
    keep: bool = False,
    providers: Callable[[Settings], ProviderFactory] | None = None,
) -> AsyncIterator[Services]:
    """A started Services, closed at the end; `providers` builds the in-process provider factory."""
    services = Services(name, keep=keep)
    try:
        await services.start(serve=serve, providers=providers(services.settings()) if providers else None)
        yield services
    finally:
        await services.close()


# ---------------------------------------------------------------- setup through the service layer


async def new_user(runtime: Runtime, email: str, plan: Plan = Plan.BUSINESS) -> User:
    async with transaction(runtime.session_factory) as session:
        user, _ = await create_user(session, email, plan=plan, password=uuid.uuid4().hex)
        return user


async def connect_token(
    runtime: Runtime, user: User, platform: Platform, fields: dict[str, str]
) -> Connection:
    async with transaction(runtime.session_factory) as session:
        return await connect_with_token(session, runtime, user, platform, fields)


class _ConsentForm(HTMLParser):
    """The consent page's form as a browser submits it: hidden inputs and checked choices."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.action = attributes.get("action", "")
        if tag == "input" and (attributes.get("type") == "hidden" or "checked" in attributes):
            self.fields[attributes["name"]] = attributes.get("value", "")


async def connect_oauth(runtime: Runtime, user: User, platform: Platform) -> Connection:
    """VK ID or Yandex OAuth end to end: our authorize URL, the consent page, «Разрешить», our callback."""
    async with transaction(runtime.session_factory) as session:
        authorize_url = await start_oauth(session, runtime, user, platform)
    async with httpx2.AsyncClient(timeout=30) as browser:
        page = await browser.get(authorize_url)
        page.raise_for_status()
        form = _ConsentForm()
        form.feed(page.text)
        answer = await browser.post(
            urljoin(str(page.url), form.action), data={**form.fields, "decision": "allow"}
        )
    if answer.status_code != 302:
        raise RuntimeError(f"{platform} consent answered {answer.status_code}: {answer.text[:300]}")
    params = {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["location"]).query).items()}
    async with transaction(runtime.session_factory) as session:
        return await finish_oauth(session, runtime, platform, params, None)


@dataclass(frozen=True)
class ClipFile:
    key: str
    size: int
    sha256: str
    duration: float
    width: int
    height: int


async def store_clip_file(runtime: Runtime, user: User, source: Path, duration: float = 2.0) -> ClipFile:
    """Put one clip file into storage; many Clip rows may point at it (benchmarks need many clips)."""
    key = f"{user.id}/bench.mp4"
    path = runtime.storage.path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, path)
    data = path.read_bytes()
    return ClipFile(key, len(data), hashlib.sha256(data).hexdigest(), duration, 360, 640)


async def add_clips(runtime: Runtime, user: User, clip: ClipFile, titles: Sequence[str]) -> list[uuid.UUID]:
    """Ready clips sharing one stored file, inserted in one transaction."""
    ids = []
    async with transaction(runtime.session_factory) as session:
        for title in titles:
            row = Clip(
                user_id=user.id,
                title=title,
                status=ClipStatus.READY,
                storage_key=clip.key,
                size_bytes=clip.size,
                sha256=clip.sha256,
                duration_seconds=clip.duration,
                width=clip.width,
                height=clip.height,
                video_codec="h264",
            )
            session.add(row)
            ids.append(row.id)
    return ids


@dataclass(frozen=True)
class Planned:
    """One publication to make: which clip, to which connection, under which title."""

    clip_id: uuid.UUID
    connection_id: uuid.UUID
    title: str
    description: str = ""


async def publish(
    runtime: Runtime,
    user_id: uuid.UUID,
    planned: Sequence[Planned],
    *,
    scheduled_at: Sequence[datetime | None] | None = None,
    batch: int = 100,
) -> list[uuid.UUID]:
    """create_publications per clip, committed per batch, then the Outbox flushed to the queues."""
    ids: list[uuid.UUID] = []
    when = list(scheduled_at) if scheduled_at is not None else [None] * len(planned)
    for start in range(0, len(planned), batch):
        outbox = Outbox()
        async with transaction(runtime.session_factory) as session:
            user = await session.get(User, user_id)
            assert user is not None
            for item, at in zip(planned[start : start + batch], when[start : start + batch], strict=True):
                clip = await session.get(Clip, item.clip_id)
                connection = await session.get(Connection, item.connection_id)
                assert clip is not None and connection is not None
                made = await create_publications(
                    session,
                    outbox,
                    runtime.settings,
                    user=user,
                    clip=clip,
                    targets=[Target(connection, item.title, item.description)],
                    scheduled_at=at,
                )
                ids.extend(p.id for p in made)
        await outbox.flush(runtime.queues)
    return ids


# ---------------------------------------------------------------- reading results


async def status_counts(runtime: Runtime, ids: Iterable[uuid.UUID] | None = None) -> Counter[str]:
    query = select(Publication.status, func.count()).group_by(Publication.status)
    if ids is not None:
        query = query.where(Publication.id.in_(list(ids)))
    async with transaction(runtime.session_factory) as session:
        rows = (await session.execute(query)).all()
    return Counter({str(status): int(count) for status, count in rows})


async def wait_terminal(
    runtime: Runtime,
    ids: Sequence[uuid.UUID],
    cap_seconds: float,
    *,
    every: float = 1.0,
    progress: float = 15.0,
    label: str = "",
) -> tuple[Counter[str], float]:
    """Poll until every publication is terminal or the cap passes; the last counts and the time taken."""
    started = time.monotonic()
    shown = started
    while True:
        counts = await status_counts(runtime, ids)
        terminal = sum(counts[s.value] for s in TERMINAL)
        elapsed = time.monotonic() - started
        if terminal == len(ids) or elapsed >= cap_seconds:
            return counts, elapsed
        if time.monotonic() - shown >= progress:
            shown = time.monotonic()
            print(f"  {label}{elapsed:5.0f} s: {dict(sorted(counts.items()))}", flush=True)
        await asyncio.sleep(every)


async def load_publications(runtime: Runtime, ids: Sequence[uuid.UUID]) -> list[Publication]:
    found: list[Publication] = []
    async with transaction(runtime.session_factory) as session:
        for start in range(0, len(ids), 1000):
            rows = await session.scalars(
                select(Publication).where(Publication.id.in_(ids[start : start + 1000]))
            )
            found.extend(rows)
    return found


async def load_events(runtime: Runtime, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[PublicationEvent]]:
    events: dict[uuid.UUID, list[PublicationEvent]] = {i: [] for i in ids}
    async with transaction(runtime.session_factory) as session:
        for start in range(0, len(ids), 1000):
            rows = await session.scalars(
                select(PublicationEvent)
                .where(PublicationEvent.publication_id.in_(ids[start : start + 1000]))
                .order_by(PublicationEvent.created_at)
            )
            for event in rows:
                events[event.publication_id].append(event)
    return events


def describe_events(events: Sequence[PublicationEvent]) -> str:
    parts = []
    for event in events:
        data = {k: v for k, v in (event.data or {}).items() if k in ("code", "job_state", "retry_after")}
        parts.append(event.kind + (json.dumps(data, ensure_ascii=False) if data else ""))
    return " → ".join(parts)
