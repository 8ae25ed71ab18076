"""The whole publishing engine against the sandbox: real providers over HTTP, real Redis, a real database.

`stack` (one per test, on PostgreSQL and SQLite) gives:
- settings pointed at the sandbox, with short retry delays, polls and job locks;
- a Runtime with the real providers, a PRO user and a ready H.264 clip;
- connections to the sandbox's demo accounts (docs/platforms.md), and a VK ID one made through
  the real OAuth round trip;
- publish / cancel / reschedule / retry through the services, queued after commit as in the API
  (`work()` gives that transaction + outbox for any other service call);
- in-process workers (`start_worker`) and extra runtimes (another process's view), with every
  provider publish/refresh call noted (`calls_of`);
- both sides of the outcome: the publication row and its events, and /_sandbox/state.
`stack.serve_web()` serves the web app on settings.public_url (Rutube downloads clips from it).
`stack_factory(redis_url=..., **settings_fields)` builds stacks with other settings.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx2
import pytest
import redis.asyncio as aioredis
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.clips.models import Clip, ClipStatus
from autopost.clips.probe import ProbeError, make_thumbnail, probe
from autopost.connections.models import Connection
from autopost.connections.usecases import connect_token, finish_oauth, save_connection, start_oauth
from autopost.db import transaction, utcnow
from autopost.platforms.base import Credentials, Provider, PublishRequest, PublishResult
from autopost.platforms.catalog import Platform
from autopost.platforms.registry import build_provider
from autopost.publications.models import Publication, PublicationEvent, PublicationStatus
from autopost.publications.rules import Target
from autopost.publications.usecases import cancel, create_publications, reschedule, retry
from autopost.queue import Outbox
from autopost.runtime import Runtime
from autopost.sandbox_wiring import point_at_sandbox
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

T = TypeVar("T")

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
    # Every publish and refresh call any runtime of this stack made on a provider.
    calls: list[ProviderCall] = field(default_factory=list)
    _workers: list[WorkerProcess] = field(default_factory=list)
    _web: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    _web_url: str | None = None

    def new_runtime(self) -> Runtime:
        """A runtime of its own (engine, Redis clients, providers): what another process would have."""
        runtime = _runtime(self.settings, self.redis_url, self._providers, self.calls, len(self._runtimes))
        self._runtimes.append(runtime)
        return runtime

    def calls_of(self, method: str) -> list[ProviderCall]:
        """The provider calls of one kind ("publish" or "refresh"), in the order they began."""
        return [call for call in self.calls if call.method == method]

    async def start_worker(self, runtime: Runtime | None = None, **options: Any) -> WorkerProcess:
        """An in-process `autopost worker` (all platforms, sweeper on) on this stack's runtime or `runtime`."""
        worker = WorkerProcess(runtime or self.runtime, **options)
        await worker.start()
        self._workers.append(worker)
        return worker

    def serve_web(self) -> str:
        """Serve the web app (API, /media, OAuth callbacks) on settings.public_url; returns its URL."""
        if self._web_url is None:
            from autopost.app import create_app

            port = int(self.settings.public_url.rsplit(":", 1)[1])
            app = create_app(self.settings, redis_url=self.redis_url)
            self._web_url = self._web.enter_context(serve_in_thread(app, port, lifespan="on"))
        return self._web_url

    async def add_clip(self, path: Path, title: str = "Клип") -> Clip:
        """Another ready clip of this user (any bytes: a non-video file is stored unprobed)."""
        return await store_clip(self.runtime, self.user, path, title)

    async def connect(self, platform: Platform) -> Connection:
        """A connection to the platform's demo account, made the way the product makes it."""
        async with transaction(self.runtime.session_factory) as session:
            user = await session.merge(self.user)
            if platform is Platform.TELEGRAM:
                fields = {"bot_token": DEMO["telegram_bot"], "channel": DEMO["telegram_channel"]}
                return await connect_token(session, self.runtime, user, platform, fields)
            if platform is Platform.RUTUBE:
                self.serve_web()  # Rutube downloads the clip from our /media URL
                fields = {"token": DEMO["rutube_token"]}
                return await connect_token(session, self.runtime, user, platform, fields)
            # VK and Дзен connect by OAuth; a ready-made token stands in for the consent round trip.
            token = DEMO["vk_token"] if platform is Platform.VK else DEMO["dzen_token"]
            credentials = Credentials(access_token=token)
            account = await self.runtime.provider(platform).verify(credentials=credentials)
            tokens = Credentials(access_token=token)
            return await save_connection(session, self.runtime, user, platform, tokens, account)

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
            return await _get(session, Connection, connection_id)

    @contextlib.asynccontextmanager
    async def work(self) -> AsyncIterator[tuple[AsyncSession, Outbox]]:
        """One transaction whose queue work is sent after the commit, as an API request does."""
        outbox = Outbox()
        async with transaction(self.runtime.session_factory) as session:
            yield session, outbox
        await outbox.flush(self.runtime.queues)

    async def publish(
        self,
        *connections: Connection,
        clip: Clip | None = None,
        at: datetime | None = None,
        title: str = "Цветокоррекция за 60 секунд",
        description: str = "Полный урок — по ссылке в профиле",
    ) -> list[uuid.UUID]:
        """Publish the clip to each connection (now, or `at`); returns the publication ids in order."""
        async with self.work() as (session, outbox):
            publications = await create_publications(
                session,
                outbox,
                self.settings,
                user=await session.merge(self.user),
                clip=await session.merge(clip or self.clip),
                targets=[Target(connection, title, description) for connection in connections],
                scheduled_at=at,
            )
        return [publication.id for publication in publications]

    async def cancel(self, publication_id: uuid.UUID) -> None:
        async with self.work() as (session, outbox):
            await cancel(session, outbox, await _get(session, Publication, publication_id))

    async def retry(self, publication_id: uuid.UUID) -> None:
        async with self.work() as (session, outbox):
            await retry(session, outbox, await _get(session, Publication, publication_id))

    async def reschedule(self, publication_id: uuid.UUID, at: datetime) -> None:
        async with self.work() as (session, outbox):
            publication = await _get(session, Publication, publication_id)
            await reschedule(session, outbox, self.settings, publication, at)

    async def publication(self, publication_id: uuid.UUID) -> Publication:
        async with transaction(self.runtime.session_factory) as session:
            return await _get(session, Publication, publication_id)

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

    async def sandbox_state(self) -> dict[str, Any]:
        """GET /_sandbox/state: posts, active faults, config, clock."""
        return await self._sandbox("GET", "/state")

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
        return await self._sandbox("POST", path, dict(body))

    async def _sandbox(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        async with httpx2.AsyncClient(base_url=f"{self.sandbox.url}/_sandbox", timeout=10) as control:
            response = await control.request(method, path, json=body)
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer

    async def fault(self, platform: Platform, fault: str, **options: Any) -> None:
        await self.control("/faults", {"platform": platform.value, "fault": fault, **options})

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


@pytest.fixture(scope="session")
def stack_clip_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real 1-second H.264/MP4 clip (encoded once per session)."""
    return make_clip(tmp_path_factory.mktemp("stack") / "clip.mp4", seconds=1)


@dataclass
class ProviderCall:
    """One publish or refresh call the engine made on a provider, by which runtime (index)."""

    runtime: int
    platform: Platform
    method: str
    ok: bool | None = None


class ObservedProvider:
    """A real provider, unchanged, with its publish and refresh calls noted in a shared list."""

    def __init__(self, inner: Provider, calls: list[ProviderCall], runtime: int) -> None:
        self._inner, self._calls, self._runtime = inner, calls, runtime

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def _observe(self, method: str, call: Awaitable[T]) -> T:
        noted = ProviderCall(self._runtime, self._inner.capabilities.platform, method)
        self._calls.append(noted)
        try:
            result = await call
        except BaseException:
            noted.ok = False
            raise
        noted.ok = True
        return result

    async def refresh(self, *, credentials: Credentials) -> Credentials:
        return await self._observe("refresh", self._inner.refresh(credentials=credentials))

    async def publish(self, *, request: PublishRequest) -> PublishResult:
        return await self._observe("publish", self._inner.publish(request=request))


async def _get(session: AsyncSession, model: type[T], row_id: uuid.UUID) -> T:
    found = await session.get(model, row_id)
    assert found is not None, f"no {model.__name__} {row_id}"
    return found


def _runtime(
    settings: Settings, redis_url: str, built: list[Provider], calls: list[ProviderCall], index: int
) -> Runtime:
    """A Runtime with the real providers (observed); each one built is kept in `built` to be closed."""

    def providers(platform: Platform) -> Provider:
        built.append(build_provider(platform, settings))
        return ObservedProvider(built[-1], calls, index)  # type: ignore[return-value]

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
    """Build a stack; `overrides` are Settings fields (see tests.support.engine.engine_settings).

    Publications may be scheduled any time ahead (no minimum lead), so tests schedule a second
    or two away without racing the lead check on a busy machine.
    """
    overrides = {"min_schedule_lead_seconds": 0, **overrides}
    settings = point_at_sandbox(engine_settings(tmp_path, database_url, **overrides), sandbox.url)
    settings.public_url = f"http://127.0.0.1:{free_port()}"
    providers: list[Provider] = []
    calls: list[ProviderCall] = []
    runtime = _runtime(settings, redis_url, providers, calls, 0)
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
        calls=calls,
    )


StackFactory = Callable[..., Awaitable[Stack]]


@pytest.fixture
async def stack_factory(
    tmp_path: Path, database_url: str, sandbox: Sandbox, stack_clip_file: Path
) -> AsyncIterator[StackFactory]:
    """Build stacks with other settings: `await stack_factory(redis_url=..., **settings_fields)`."""
    built: list[Stack] = []

    async def make(**options: Any) -> Stack:
        built.append(await make_stack(tmp_path, database_url, sandbox, stack_clip_file, **options))
        return built[-1]

    try:
        yield make
    finally:
        for each in built:
            await each.close()


@pytest.fixture
async def stack(stack_factory: StackFactory) -> Stack:
    """The engine against the sandbox, on each database; no worker runs until the test starts one."""
    return await stack_factory()


def later(seconds: float) -> datetime:
    """A moment `seconds` from now (for scheduled_at)."""
    return utcnow() + timedelta(seconds=seconds)
