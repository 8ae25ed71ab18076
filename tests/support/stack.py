"""The whole publishing engine against the sandbox: real providers over HTTP, real Redis, a real database.

`stack` (one per test, on PostgreSQL and SQLite) gives:
- settings pointed at the sandbox, with short retry delays, polls and job locks;
- a Runtime with the real providers, a PRO user and a ready H.264 clip;
- connections to the sandbox's demo accounts (docs/platforms.md), and a VK ID one made through
  the real OAuth round trip;
- publish / cancel / reschedule / retry through the services, queued after commit as in the API;
- in-process workers (`start_worker`), extra runtimes (another process's view), and the
  environment for `python -m autopost worker` subprocesses (`worker_env`);
- both sides of the outcome: the publication row and its events, and /_sandbox/state.
`stack.serve_web()` serves the web app on settings.public_url (Rutube downloads clips from it).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2
import pytest
import redis.asyncio as aioredis
from pydantic import BaseModel, SecretStr
from sqlalchemy import select, update

from autopost.clips.models import Clip, ClipStatus
from autopost.clips.probe import ProbeError, make_thumbnail, probe
from autopost.connections.models import Connection
from autopost.connections.service import connect_with_token, finish_oauth, save_connection, start_oauth
from autopost.db import transaction, utcnow
from autopost.platforms.base import Credentials, Provider, TokenSet
from autopost.platforms.catalog import Platform
from autopost.platforms.registry import build_provider
from autopost.publications.models import Publication, PublicationEvent, PublicationStatus
from autopost.publications.service import (
    Target,
    cancel_publication,
    create_publications,
    reschedule_publication,
    retry_publication,
)
from autopost.queue import Outbox
from autopost.runtime import Runtime
from autopost.sandbox.wiring import point_at_sandbox
from autopost.settings import Settings
from autopost.users.models import User
from autopost.users.plans import Plan
from autopost.users.service import create_user
from autopost.worker import WorkerProcess
from tests.conftest import Sandbox
from tests.sandbox.test_vk_support import consent_form, redirect_query
from tests.support.engine import REDIS_URL, TERMINAL, engine_settings
from tests.support.media import make_clip
from tests.support.servers import free_port, serve_in_thread

__all__ = ["DEMO", "Stack", "later", "make_stack", "stack", "stack_clip_file"]

# The sandbox's seeded demo accounts, as docs/platforms.md (and each platform's page) list them.
DEMO = {
    "vk_token": "vk1.a.sandbox-demo-token-anna-smirnova",
    "telegram_bot": "7000000001:AAHb3vQm2Xk9LpR4tZs8YwNc1DfGj6UeKoA",
    "telegram_channel": "@clipmaker_demo",
    "rutube_token": "237f241fa79014efe1b9880619f0c67f43f7f03c",
    "dzen_token": "y0_933d0856d3974af1cd914ebe0150692bc522b3ccca3cf532",
}


@dataclass
class Stack:
    settings: Settings
    sandbox: Sandbox
    redis_url: str
    runtime: Runtime
    user: User
    clip: Clip
    _runtimes: list[Runtime] = field(default_factory=list)
    _providers: list[Provider] = field(default_factory=list)
    # Every token refresh any runtime of this stack asked a platform for.
    refreshes: list[RefreshCall] = field(default_factory=list)
    _workers: list[WorkerProcess] = field(default_factory=list)
    _web: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    _web_url: str | None = None

    # ------------------------------------------------------------ processes

    def new_runtime(self) -> Runtime:
        """A runtime of its own (engine, Redis clients, providers): what another process would have."""
        runtime = _runtime(self.settings, self.redis_url, self._providers, self.refreshes)
        self._runtimes.append(runtime)
        return runtime

    async def start_worker(self, runtime: Runtime | None = None, **options: Any) -> WorkerProcess:
        """An in-process `autopost worker` (all platforms, sweeper on) on this stack's runtime or `runtime`."""
        worker = WorkerProcess(runtime or self.runtime, **options)
        await worker.start()
        self._workers.append(worker)
        return worker

    def worker_env(self, **overrides: object) -> dict[str, str]:
        """Environment for `python -m autopost worker`: these settings as AUTOPOST_* variables."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOPOST_")}
        env.update(settings_env(self.settings.model_copy(update=overrides)))
        env["AUTOPOST_REDIS_URL"] = self.redis_url
        return env

    def serve_web(self) -> str:
        """Serve the web app (API, /media, OAuth callbacks) on settings.public_url; returns its URL."""
        if self._web_url is None:
            from autopost.app import create_app

            port = int(self.settings.public_url.rsplit(":", 1)[1])
            app = create_app(self.settings, redis_url=self.redis_url)
            self._web_url = self._web.enter_context(serve_in_thread(app, port, lifespan="on"))
        return self._web_url

    # ------------------------------------------------------------ users, clips, connections

    async def add_clip(self, path: Path, title: str = "Клип") -> Clip:
        """Another ready clip of this user (any bytes: a non-video file is stored unprobed)."""
        return await store_clip(self.runtime, self.user, path, title)

    async def connect(self, platform: Platform) -> Connection:
        """A connection to the platform's demo account, made the way the product makes it."""
        if platform is Platform.TELEGRAM:
            fields = {"bot_token": DEMO["telegram_bot"], "channel": DEMO["telegram_channel"]}
            return await self._connect_with_token(platform, fields)
        if platform is Platform.RUTUBE:
            self.serve_web()  # Rutube downloads the clip from our /media URL
            return await self._connect_with_token(platform, {"token": DEMO["rutube_token"]})
        # VK and Дзен connect by OAuth; a ready-made token stands in for the consent round trip.
        token = DEMO["vk_token"] if platform is Platform.VK else DEMO["dzen_token"]
        account = await self.runtime.provider(platform).verify(credentials=Credentials(access_token=token))
        async with transaction(self.runtime.session_factory) as session:
            user = await session.merge(self.user)
            return await save_connection(
                session, self.runtime, user, platform, TokenSet(access_token=token), account
            )

    async def _connect_with_token(self, platform: Platform, fields: Mapping[str, str]) -> Connection:
        async with transaction(self.runtime.session_factory) as session:
            user = await session.merge(self.user)
            return await connect_with_token(session, self.runtime, user, platform, fields)

    async def connect_vk_id(self) -> Connection:
        """VK ID for real: our authorize URL, the sandbox's consent page, «Разрешить», our callback."""
        async with transaction(self.runtime.session_factory) as session:
            user = await session.merge(self.user)
            authorize_url = await start_oauth(session, self.runtime, user, Platform.VK)
        async with httpx2.AsyncClient(timeout=10) as browser:
            page = await browser.get(authorize_url)
            assert page.status_code == 200, page.text
            decision = await browser.post(
                f"{self.sandbox.url}/vkid/authorize", data={**consent_form(page.text), "decision": "allow"}
            )
        params = redirect_query(decision)
        async with transaction(self.runtime.session_factory) as session:
            return await finish_oauth(session, self.runtime, Platform.VK, params, self.user.id)

    async def connection(self, connection_id: uuid.UUID) -> Connection:
        async with transaction(self.runtime.session_factory) as session:
            found = await session.get(Connection, connection_id)
            assert found is not None
            return found

    # ------------------------------------------------------------ publications (services + outbox)

    async def publish(
        self,
        *connections: Connection,
        clip: Clip | None = None,
        at: datetime | None = None,
        title: str = "Цветокоррекция за 60 секунд",
        description: str = "Полный урок — по ссылке в профиле",
    ) -> list[uuid.UUID]:
        """Publish the clip to each connection (now, or `at`); returns the publication ids in order."""
        targets = [Target(connection, title, description) for connection in connections]

        async def create(session: Any, outbox: Outbox) -> list[Publication]:
            user = await session.merge(self.user)
            chosen = await session.merge(clip or self.clip)
            return await create_publications(
                session, outbox, self.settings, user=user, clip=chosen, targets=targets, scheduled_at=at
            )

        return [p.id for p in await self._change(create)]

    async def cancel(self, publication_id: uuid.UUID) -> None:
        await self._on_publication(publication_id, cancel_publication)

    async def retry(self, publication_id: uuid.UUID) -> None:
        await self._on_publication(publication_id, retry_publication)

    async def reschedule(self, publication_id: uuid.UUID, at: datetime) -> None:
        async def move(session: Any, outbox: Outbox, publication: Publication) -> None:
            await reschedule_publication(session, outbox, self.settings, publication, at)

        await self._on_publication(publication_id, move)

    async def _on_publication(
        self, publication_id: uuid.UUID, change: Callable[[Any, Outbox, Publication], Awaitable[None]]
    ) -> None:
        async def apply(session: Any, outbox: Outbox) -> None:
            publication = await session.get(Publication, publication_id)
            await change(session, outbox, publication)

        await self._change(apply)

    async def _change(self, work: Callable[[Any, Outbox], Awaitable[Any]]) -> Any:
        """Run a service in one transaction and send its queue work after the commit (as the API does)."""
        outbox = Outbox()
        async with transaction(self.runtime.session_factory) as session:
            result = await work(session, outbox)
        await outbox.flush(self.runtime.queues)
        return result

    async def publication(self, publication_id: uuid.UUID) -> Publication:
        async with transaction(self.runtime.session_factory) as session:
            found = await session.get(Publication, publication_id)
            assert found is not None
            return found

    async def events(self, publication_id: uuid.UUID) -> list[PublicationEvent]:
        async with transaction(self.runtime.session_factory) as session:
            rows = await session.scalars(
                select(PublicationEvent)
                .where(PublicationEvent.publication_id == publication_id)
                .order_by(PublicationEvent.created_at)
            )
            return list(rows)

    async def event_kinds(self, publication_id: uuid.UUID) -> list[str]:
        return [event.kind for event in await self.events(publication_id)]

    async def wait_for(
        self,
        publication_id: uuid.UUID,
        predicate: Callable[[Publication], bool] = lambda p: p.status in TERMINAL,
        timeout: float = 45,
    ) -> Publication:
        """The publication once `predicate` holds (by default: published, failed or cancelled)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            publication = await self.publication(publication_id)
            if predicate(publication):
                return publication
            if asyncio.get_running_loop().time() > deadline:
                kinds = await self.event_kinds(publication_id)
                raise AssertionError(f"publication stuck: {publication.status} {publication.phase} {kinds}")
            await asyncio.sleep(0.05)

    # ------------------------------------------------------------ the platform side (control API)

    async def sandbox_state(self) -> dict[str, Any]:
        async with httpx2.AsyncClient(base_url=f"{self.sandbox.url}/_sandbox", timeout=10) as control:
            response = await control.get("/state")
            response.raise_for_status()
            state: dict[str, Any] = response.json()
            return state

    async def posts(self, platform: Platform | None = None) -> list[dict[str, Any]]:
        """What the platform(s) received, as /_sandbox/state reports it."""
        posts: list[dict[str, Any]] = (await self.sandbox_state())["posts"]
        return [p for p in posts if platform is None or p["platform"] == platform.value]

    async def post_of(self, publication: Publication) -> dict[str, Any]:
        """The one post the platform holds under the publication's remote id (fails on none or two)."""
        found = [p for p in await self.posts(publication.platform) if p["remote_id"] == publication.remote_id]
        assert len(found) == 1, (publication.remote_id, found)
        return found[0]

    async def control(self, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST to the sandbox control API: /faults, /config, /clock."""
        async with httpx2.AsyncClient(base_url=f"{self.sandbox.url}/_sandbox", timeout=10) as control:
            response = await control.post(path, json=dict(body))
            response.raise_for_status()
            answer: dict[str, Any] = response.json()
            return answer

    async def fault(self, platform: Platform, fault: str, **options: Any) -> None:
        await self.control("/faults", {"platform": platform.value, "fault": fault, **options})

    # ------------------------------------------------------------ teardown

    async def close(self) -> None:
        for worker in self._workers:
            await worker.stop()
        # The database outlives the test: leave nothing live for a later test's sweeper to pick up.
        async with transaction(self.runtime.session_factory) as session:
            await session.execute(
                update(Publication)
                .where(Publication.user_id == self.user.id, Publication.status.not_in(TERMINAL))
                .values(status=PublicationStatus.CANCELLED)
            )
        self._web.close()
        client = aioredis.Redis.from_url(self.redis_url)
        keys = [k async for k in client.scan_iter(match=f"{self.settings.redis_namespace}:*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()
        for provider in self._providers:
            closer = getattr(provider, "aclose", None)
            if closer is not None:
                await closer()
        for runtime in self._runtimes:
            await runtime.close()


def settings_env(settings: Settings) -> dict[str, str]:
    """Settings as the AUTOPOST_* variables that reproduce them (nested models with "__")."""

    def flatten(prefix: str, model: BaseModel) -> dict[str, str]:
        env: dict[str, str] = {}
        for name in type(model).model_fields:
            value = getattr(model, name)
            key = f"{prefix}{name.upper()}"
            if isinstance(value, BaseModel):
                env |= flatten(f"{key}__", value)
            elif value is not None:
                env[key] = _env_value(value)
        return env

    return flatten("AUTOPOST_", settings)


def _env_value(value: object) -> str:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | dict):
        return json.dumps(value)
    return str(value)


@pytest.fixture(scope="session")
def stack_clip_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real 1-second H.264/MP4 clip (encoded once per session)."""
    return make_clip(tmp_path_factory.mktemp("stack") / "clip.mp4", seconds=1)


@dataclass
class RefreshCall:
    """One provider.refresh call the engine made (loop times), and whether the platform agreed."""

    platform: Platform
    started: float
    ended: float | None = None
    ok: bool | None = None


class ObservedProvider:
    """A real provider, unchanged, with its refresh calls noted (VK ID refresh tokens are single-use)."""

    def __init__(self, inner: Provider, refreshes: list[RefreshCall]) -> None:
        self._inner = inner
        self._refreshes = refreshes

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def refresh(self, *, credentials: Credentials) -> TokenSet:
        loop = asyncio.get_running_loop()
        call = RefreshCall(self._inner.capabilities.platform, loop.time())
        self._refreshes.append(call)
        try:
            tokens = await self._inner.refresh(credentials=credentials)
        except Exception:
            call.ok = False
            raise
        finally:
            call.ended = loop.time()
        call.ok = True
        return tokens


def _runtime(
    settings: Settings, redis_url: str, built: list[Provider], refreshes: list[RefreshCall]
) -> Runtime:
    """A Runtime with the real providers; each one built is kept in `built` so it can be closed."""

    def providers(platform: Platform) -> Provider:
        built.append(build_provider(platform, settings))
        return ObservedProvider(built[-1], refreshes)  # type: ignore[return-value]

    return Runtime.create(settings, redis_url, providers)


async def store_clip(runtime: Runtime, user: User, path: Path, title: str = "Клип") -> Clip:
    """A ready clip, stored and probed as an upload would be (a non-video file is stored unprobed)."""
    key = runtime.storage.new_key(user.id, ".mp4")
    stored = runtime.storage.path(key)
    stored.parent.mkdir(parents=True, exist_ok=True)
    data = path.read_bytes()
    stored.write_bytes(data)
    clip = Clip(
        user_id=user.id,
        title=title,
        status=ClipStatus.READY,
        storage_key=key,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    with contextlib.suppress(ProbeError):
        info = probe(stored)
        clip.duration_seconds, clip.width, clip.height = info.duration, info.width, info.height
        clip.video_codec = info.video_codec
        thumbnail = runtime.storage.new_key(user.id, ".jpg")
        runtime.storage.path(thumbnail).write_bytes(make_thumbnail(stored))
        clip.thumbnail_key = thumbnail
    async with transaction(runtime.session_factory) as session:
        session.add(clip)
    return clip


async def make_stack(
    tmp_path: Path,
    database_url: str,
    sandbox: Sandbox,
    clip_file: Path,
    *,
    redis_url: str = REDIS_URL,
    **overrides: object,
) -> Stack:
    """Build a stack; `overrides` are Settings fields (see tests.support.engine.engine_settings)."""
    settings = point_at_sandbox(engine_settings(tmp_path, database_url, **overrides), sandbox.url)
    settings.public_url = f"http://127.0.0.1:{free_port()}"
    providers: list[Provider] = []
    refreshes: list[RefreshCall] = []
    runtime = _runtime(settings, redis_url, providers, refreshes)
    async with transaction(runtime.session_factory) as session:
        user, _ = await create_user(session, f"{uuid.uuid4().hex[:10]}@example.com", plan=Plan.PRO)
    clip = await store_clip(runtime, user, clip_file)
    return Stack(
        settings=settings,
        sandbox=sandbox,
        redis_url=redis_url,
        runtime=runtime,
        user=user,
        clip=clip,
        _runtimes=[runtime],
        _providers=providers,
        refreshes=refreshes,
    )


@pytest.fixture
async def stack(
    tmp_path: Path, database_url: str, sandbox: Sandbox, stack_clip_file: Path
) -> AsyncIterator[Stack]:
    """The engine against the sandbox, on each database; no worker runs until the test starts one."""
    built = await make_stack(tmp_path, database_url, sandbox, stack_clip_file)
    try:
        yield built
    finally:
        await built.close()


def later(seconds: float) -> datetime:
    """A moment `seconds` from now (for scheduled_at)."""
    return utcnow() + timedelta(seconds=seconds)
