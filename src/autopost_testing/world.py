"""One test world: settings pointed at the sandbox, a Runtime, the app and workers, torn down as one.

`World(settings, redis_url, sandbox_url=...)` owns, until `close()`:
- runtimes (its own `runtime`, and more with `new_runtime`: what another process would have),
  with every provider they build closed at the end;
- in-process workers (`start_worker`) and the web app in a thread (`serve_app`), or both as
  `autopost worker` / `autopost serve` processes given the same settings (`spawn_worker`, `spawn_app`);
- users made through it (`new_user`): their publications still live at the end are cancelled,
  so no later world's sweeper on the same database picks them up;
- its Redis namespace, emptied at the end.

`world_settings` gives the settings tests use (short retry delays, polls and locks, a fresh
namespace, a free public_url); `standalone_world` also makes the database and the sandbox,
for the benchmarks and scripts/screenshots.py, which have no pytest fixtures to give them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis
from pydantic import BaseModel, SecretStr
from sqlalchemy import select, update

from autopost.app import create_app
from autopost.db import transaction
from autopost.migrations import runner
from autopost.platforms.base import Provider
from autopost.platforms.catalog import Platform
from autopost.platforms.registry import build_provider
from autopost.publications.models import Publication, PublicationEvent, PublicationStatus
from autopost.runtime import ProviderFactory, Runtime
from autopost.sandbox_wiring import point_at_sandbox
from autopost.security.vault import generate_key
from autopost.settings import Settings
from autopost.users.models import User
from autopost.users.plans import Plan
from autopost.worker import WorkerProcess
from autopost_testing import demo
from autopost_testing.databases import create_postgres, drop_postgres, sqlite_url
from autopost_testing.sandbox import SandboxControl, serve_sandbox, spawn_sandbox, stop_process
from autopost_testing.servers import free_port, port_of, serve_in_thread, tail, wait_http

REDIS_URL = "redis://127.0.0.1:6379/0"
TERMINAL = frozenset({PublicationStatus.PUBLISHED, PublicationStatus.FAILED, PublicationStatus.CANCELLED})


def is_terminal(publication: Publication) -> bool:
    return publication.status in TERMINAL


def world_settings(
    data_dir: Path, database_url: str, *, sandbox_url: str | None = None, **overrides: Any
) -> Settings:
    """Settings for a world: quick retries, polls, sweeps and job locks; `overrides` are Settings fields."""
    values: dict[str, Any] = {
        "_env_file": None,
        "database_url": database_url,
        "data_dir": data_dir,
        "token_keys": generate_key(),
        "secret_key": "s" * 40,
        "min_schedule_lead_seconds": 1,
        "retry_delays_seconds": [0.2, 0.4, 0.6],
        "processing_poll_seconds": 0.1,
        "sweep_interval_seconds": 0.5,
        "worker_lock_seconds": 2,
        "redis_namespace": f"test{uuid.uuid4().hex[:10]}",
        # Every snapshot kept: a world's periodic worker on a shared database must not thin the old
        # snapshots other tests wrote (the retention tests turn it on for their own pass).
        "stats_detail_days": 0,
        "public_url": f"http://127.0.0.1:{free_port()}",
        **overrides,
    }
    settings = Settings(**values)
    return point_at_sandbox(settings, sandbox_url) if sandbox_url else settings


def settings_env(settings: Settings, redis_url: str) -> dict[str, str]:
    """The AUTOPOST_* variables from which an `autopost` process reads exactly these settings."""
    env = dict(_variables(settings, "AUTOPOST_"))
    env["AUTOPOST_REDIS_URL"] = redis_url
    return env


def _variables(model: BaseModel, prefix: str) -> Iterator[tuple[str, str]]:
    for name in type(model).model_fields:
        value = getattr(model, name)
        key = f"{prefix}{name.upper()}"
        if isinstance(value, BaseModel):
            yield from _variables(value, f"{key}__")
        elif isinstance(value, SecretStr):
            yield key, value.get_secret_value()
        elif isinstance(value, str | Path):
            yield key, str(value)
        elif value is not None:
            yield key, json.dumps(value)


class World:
    """See the module docstring."""

    def __init__(
        self,
        settings: Settings,
        redis_url: str = REDIS_URL,
        *,
        sandbox_url: str | None = None,
        providers: ProviderFactory | None = None,
        log_dir: Path | None = None,
    ) -> None:
        self.settings, self.redis_url = settings, redis_url
        self.sandbox = SandboxControl(sandbox_url) if sandbox_url else None
        self.log_dir = log_dir or settings.data_dir
        self.users: list[uuid.UUID] = []
        self.workers: list[subprocess.Popen[bytes]] = []  # `autopost worker` processes still running
        self._runtimes: list[Runtime] = []
        self._providers: list[Provider] = []
        self._in_process: list[WorkerProcess] = []
        self._processes: list[tuple[subprocess.Popen[bytes], Path]] = []
        self._threads = contextlib.ExitStack()
        self._app_url: str | None = None
        self.runtime = self.new_runtime(providers)
        self.runtime.storage.root.mkdir(parents=True, exist_ok=True)

    # ------------------------------------------------------------ this process

    def new_runtime(self, providers: ProviderFactory | None = None) -> Runtime:
        """A runtime of its own (engine, Redis clients, providers): what another process would have."""

        def built(platform: Platform) -> Provider:
            if providers is None:
                self._providers.append(build_provider(platform, self.settings, limiter=runtime.limiter))
            else:
                self._providers.append(providers(platform))
            return self._providers[-1]

        runtime = Runtime.create(self.settings, self.redis_url, built)
        self._runtimes.append(runtime)
        return runtime

    async def start_worker(self, runtime: Runtime | None = None, **options: Any) -> WorkerProcess:
        """An in-process `autopost worker` (all platforms, periodic jobs on unless told) on `runtime`."""
        worker = WorkerProcess(runtime or self.runtime, **options)
        await worker.start()
        self._in_process.append(worker)
        return worker

    def serve_app(self) -> str:
        """The web app (API, pages, /media, OAuth callbacks) in a thread on settings.public_url."""
        if self._app_url is None:
            app = create_app(self.settings, redis_url=self.redis_url)
            port = port_of(self.settings.public_url)
            self._app_url = self._threads.enter_context(serve_in_thread(app, port, lifespan="on"))
        return self._app_url

    async def new_user(
        self, email: str | None = None, *, plan: Plan = Plan.PRO, password: str | None = None
    ) -> User:
        user = await demo.new_user(self.runtime, email, plan=plan, password=password)
        self.users.append(user.id)
        return user

    # ------------------------------------------------------------ what came of it

    async def publication(self, publication_id: uuid.UUID) -> Publication:
        async with transaction(self.runtime.session_factory) as session:
            found = await session.get(Publication, publication_id)
            if found is None:
                raise LookupError(f"no publication {publication_id}")
            return found

    async def events(self, publication_id: uuid.UUID) -> list[PublicationEvent]:
        """The publication's history, oldest first."""
        async with transaction(self.runtime.session_factory) as session:
            rows = await session.scalars(
                select(PublicationEvent)
                .where(PublicationEvent.publication_id == publication_id)
                .order_by(PublicationEvent.created_at)
            )
            return list(rows)

    async def wait_for(
        self,
        publication_id: uuid.UUID,
        predicate: Callable[[Publication], bool] = is_terminal,
        timeout: float = 45,
    ) -> Publication:
        """The publication once `predicate` holds (by default: published, failed or cancelled)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            publication = await self.publication(publication_id)
            if predicate(publication):
                return publication
            if asyncio.get_running_loop().time() > deadline:
                kinds = [event.kind for event in await self.events(publication_id)]
                raise AssertionError(f"publication stuck: {publication.status} {publication.phase} {kinds}")
            await asyncio.sleep(0.05)

    # ------------------------------------------------------------ processes

    @property
    def env(self) -> dict[str, str]:
        """This process's environment with these settings instead of any AUTOPOST_* of its own."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOPOST_")}
        return env | settings_env(self.settings, self.redis_url)

    def log(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def spawn(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        """`autopost <args>` with these settings, its output in log(name)."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with self.log(name).open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "autopost", *args],
                env=self.env,
                cwd=self.log_dir,  # no stray .env file is read
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches the caller only; it stops the rest
            )
        self._processes.append((process, self.log(name)))
        return process

    async def spawn_app(self) -> str:
        """`autopost serve` on settings.public_url, once it answers /readyz."""
        port = port_of(self.settings.public_url)
        process = self.spawn("serve", "serve", "--port", str(port))
        await asyncio.to_thread(wait_http, f"{self.settings.public_url}/readyz", process, self.log("serve"))
        return self.settings.public_url

    def spawn_worker(self, concurrency: int) -> subprocess.Popen[bytes]:
        worker = self.spawn(f"worker{len(self._processes)}", "worker", "--concurrency", str(concurrency))
        self.workers.append(worker)
        return worker

    def kill_worker(self, worker: subprocess.Popen[bytes]) -> None:
        """SIGKILL: no shutdown, running jobs are abandoned to stall recovery."""
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        self.workers.remove(worker)

    def dead_workers(self) -> list[str]:
        """Worker processes that exited on their own (a crash), with the end of their log."""
        logs = {process.pid: log for process, log in self._processes}
        return [
            f"{logs[w.pid].name} exited {w.returncode}:\n{tail(logs[w.pid])}"
            for w in self.workers
            if w.poll() is not None
        ]

    # ------------------------------------------------------------ the end

    async def flush_namespace(self) -> int:
        """Delete every Redis key of this world's namespace (what a Redis restart would lose)."""
        client = aioredis.Redis.from_url(self.redis_url)
        try:
            match = f"{self.settings.redis_namespace}:*"
            keys = [k async for k in client.scan_iter(match=match, count=1000)]
            for start in range(0, len(keys), 1000):
                await client.delete(*keys[start : start + 1000])
            return len(keys)
        finally:
            await client.aclose()

    async def close(self) -> None:
        """Stop everything, in this order, each step also when an earlier one failed."""
        async with contextlib.AsyncExitStack() as steps:  # runs the callbacks last pushed first
            for runtime in self._runtimes:
                steps.push_async_callback(runtime.close)
            steps.push_async_callback(self._close_providers)
            steps.push_async_callback(self.flush_namespace)
            steps.callback(self._threads.close)
            steps.push_async_callback(self._cancel_live)
            steps.push_async_callback(self._stop_processes)
            for worker in self._in_process:
                steps.push_async_callback(worker.stop)

    async def _stop_processes(self) -> None:
        for process, _ in self._processes:
            if process.poll() is None:
                process.terminate()
        for process, _ in self._processes:
            await asyncio.to_thread(stop_process, process)
        self.workers.clear()

    async def _cancel_live(self) -> None:
        if not self.users:
            return
        async with transaction(self.runtime.session_factory) as session:
            await session.execute(
                update(Publication)
                .where(Publication.workspace_id.in_(self.users), Publication.status.not_in(TERMINAL))
                .values(status=PublicationStatus.CANCELLED)
            )

    async def _close_providers(self) -> None:
        for provider in self._providers:
            closer: Callable[[], Any] | None = getattr(provider, "aclose", None)
            if closer is not None:
                await closer()


@contextlib.asynccontextmanager
async def standalone_world(
    workdir: Path,
    *,
    postgres: bool,
    sandbox_process: bool,
    redis_url: str = REDIS_URL,
    keep_database: bool = False,
    database_prefix: str = "autopost_world",
    providers: Callable[[Settings], ProviderFactory] | None = None,
    **overrides: Any,
) -> AsyncIterator[World]:
    """A world with a database and a sandbox of its own, all removed at the end (also on errors).

    The database is a new PostgreSQL one (kept if `keep_database`) or an SQLite file in `workdir`,
    migrated; the sandbox runs as its own process (default config) or in a thread (seeded, quick
    processing); logs go to `workdir`, clips under `workdir`/data. `overrides` are Settings fields.
    """
    async with contextlib.AsyncExitStack() as stack:
        if postgres:
            database_url = await create_postgres(database_prefix)
            if not keep_database:
                stack.push_async_callback(drop_postgres, database_url)
        else:
            database_url = sqlite_url(workdir)
        await runner.upgrade_async(database_url)
        port = free_port()
        if sandbox_process:
            sandbox = await asyncio.to_thread(spawn_sandbox, port, log=workdir / "sandbox.log")
            stack.callback(stop_process, sandbox)
            sandbox_url = f"http://127.0.0.1:{port}"
        else:
            sandbox_url = stack.enter_context(serve_sandbox(port)).url
        settings = world_settings(workdir / "data", database_url, sandbox_url=sandbox_url, **overrides)
        world = World(
            settings,
            redis_url,
            sandbox_url=sandbox_url,
            providers=providers(settings) if providers else None,
            log_dir=workdir,
        )
        stack.push_async_callback(world.close)
        yield world
