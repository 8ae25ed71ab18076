"""The whole publishing engine against the sandbox: real providers over HTTP, real Redis, a real database.

`stack` (one per test, on PostgreSQL and SQLite) is a test world (autopost_testing.world) with:
- settings pointed at the sandbox, with short retry delays, polls and job locks;
- a Runtime with the real providers, a PRO user and a ready H.264 clip;
- connections to the sandbox's demo accounts (docs/platforms.md), and a VK ID one made through
  the real OAuth round trip;
- publish / cancel / reschedule / retry through the services, queued after commit as in the API
  (`work()` gives that transaction + outbox for any other service call);
- in-process workers (`start_worker`) and extra runtimes (another process's view), with every
  provider publish/refresh/fetch_stats call noted (`calls_of`);
- both sides of the outcome: the publication row and its events, and /_sandbox/state.
`stack.serve_web()` serves the web app on settings.public_url (Rutube downloads clips from it).
`stack_factory(redis_url=..., transport=..., **settings_fields)` builds stacks with other settings;
a `transport` is handed to every provider (to see their HTTP requests).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx2
import pytest
import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.clips.models import Clip
from autopost.connections.models import Connection
from autopost.db import transaction, utcnow
from autopost.platforms.base import Counters, Credentials, Provider, PublishRequest, PublishResult
from autopost.platforms.catalog import Platform
from autopost.platforms.registry import build_provider
from autopost.platforms.throttle import UnitLimiter
from autopost.publications.models import Publication, PublicationEvent
from autopost.publications.rules import Target
from autopost.publications.usecases import cancel, create_publications, reschedule, retry
from autopost.queue import Outbox
from autopost.runtime import ProviderFactory, Runtime
from autopost.settings import Settings
from autopost.users.models import User
from autopost.worker import WorkerProcess
from autopost.workspaces.access import resolve_member
from autopost_testing import demo
from autopost_testing.sandbox import SandboxControl
from autopost_testing.world import REDIS_URL, World, is_terminal, world_settings
from tests.conftest import Sandbox
from tests.support.media import make_clip

T = TypeVar("T")

DEMO = demo.DEMO


@dataclass
class Stack:
    world: World
    sandbox: Sandbox
    user: User
    clip: Clip
    observer: Observer

    @property
    def settings(self) -> Settings:
        return self.world.settings

    @property
    def redis_url(self) -> str:
        return self.world.redis_url

    @property
    def runtime(self) -> Runtime:
        return self.world.runtime

    @property
    def calls(self) -> list[ProviderCall]:
        """Every publish, refresh and fetch_stats call any runtime of this stack made on a provider."""
        return self.observer.calls

    @property
    def control_api(self) -> SandboxControl:
        assert self.world.sandbox is not None
        return self.world.sandbox

    def new_runtime(self) -> Runtime:
        """A runtime of its own (engine, Redis clients, providers): what another process would have."""
        return self.world.new_runtime(self.observer.providers())

    def calls_of(self, method: str) -> list[ProviderCall]:
        """The provider calls of one kind ("publish", "refresh", "fetch_stats"), in the order they began."""
        return [call for call in self.calls if call.method == method]

    async def start_worker(self, runtime: Runtime | None = None, **options: Any) -> WorkerProcess:
        """An in-process `autopost worker` (all platforms, sweeper on) on this stack's runtime or `runtime`."""
        return await self.world.start_worker(runtime, **options)

    def serve_web(self) -> str:
        """Serve the web app (API, /media, OAuth callbacks) on settings.public_url; returns its URL."""
        return self.world.serve_app()

    async def add_clip(self, path: Path, title: str = "Клип") -> Clip:
        """Another ready clip of this user (any bytes: a non-video file is stored unprobed)."""
        return await demo.store_clip(self.runtime, self.user, path, title)

    async def connect(self, platform: Platform) -> Connection:
        """A connection to the platform's demo account, made the way the product makes it."""
        if platform is Platform.RUTUBE:
            self.serve_web()  # Rutube downloads the clip from our /media URL
        return await demo.connect_demo(self.runtime, self.user, platform)

    async def connect_seeded(self, platform: Platform) -> Connection:
        """A connection to a new sandbox account of its own (a tenant besides the demo account)."""
        [account] = await self.control_api.seed_accounts(platform.value, 1)
        return await demo.connect_account(self.runtime, self.user, platform, account["credentials"])

    async def connect_vk_id(self) -> Connection:
        """VK ID for real: our authorize URL, the sandbox's consent page, «Разрешить», our callback."""
        return await demo.connect_oauth(self.runtime, self.user, Platform.VK)

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
                member=await resolve_member(session, await session.merge(self.user), None),
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
        return await self.world.publication(publication_id)

    async def events(self, publication_id: uuid.UUID) -> list[PublicationEvent]:
        return await self.world.events(publication_id)

    async def event_kinds(self, publication_id: uuid.UUID) -> list[str]:
        return [event.kind for event in await self.events(publication_id)]

    async def wait_for(
        self,
        publication_id: uuid.UUID,
        predicate: Callable[[Publication], bool] = is_terminal,
        timeout: float = 45,
    ) -> Publication:
        """The publication once `predicate` holds (by default: published, failed or cancelled)."""
        return await self.world.wait_for(publication_id, predicate, timeout)

    async def sandbox_state(self) -> dict[str, Any]:
        """GET /_sandbox/state: posts, active faults, config, clock."""
        return await self.control_api.state()

    async def posts(self, platform: Platform | None = None) -> list[dict[str, Any]]:
        """What the platform(s) received, as /_sandbox/state reports it."""
        return await self.control_api.posts(platform.value if platform else None)

    async def post_of(self, publication: Publication) -> dict[str, Any]:
        """The one post the platform holds under the publication's remote id (fails on none or two)."""
        found = [p for p in await self.posts(publication.platform) if p["remote_id"] == publication.remote_id]
        assert len(found) == 1, (publication.remote_id, found)
        return found[0]

    async def control(self, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST to the sandbox control API: /faults, /config, /clock."""
        answer: dict[str, Any] = await self.control_api.call("POST", path, dict(body))
        return answer

    async def fault(self, platform: Platform, fault: str, **options: Any) -> None:
        await self.control_api.fault(platform=platform.value, fault=fault, **options)

    async def close(self) -> None:
        await self.world.close()
        await self.observer.redis.aclose()


@pytest.fixture(scope="session")
def stack_clip_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real 3-second vertical H.264/MP4 clip (encoded once per session): as short as VK Clips take."""
    return make_clip(tmp_path_factory.mktemp("stack") / "clip.mp4", seconds=3)


@dataclass
class Observer:
    """Builds the real providers of each runtime of a stack (the nth runtime asks nth), noting their calls.

    Their per-unit limits are counted in Redis, as in production, so all the stack's runtimes share them.
    """

    settings: Settings
    redis: aioredis.Redis
    transport: httpx2.AsyncBaseTransport | None = None
    calls: list[ProviderCall] = field(default_factory=list)
    runtimes: int = 0

    def providers(self) -> ProviderFactory:
        index, self.runtimes = self.runtimes, self.runtimes + 1
        limiter = UnitLimiter.over_redis(self.redis, self.settings.redis_namespace)

        def build(platform: Platform) -> Provider:
            built = build_provider(platform, self.settings, transport=self.transport, limiter=limiter)
            return ObservedProvider(built, self.calls, index)  # type: ignore[return-value]

        return build


@dataclass
class ProviderCall:
    """One publish, refresh or fetch_stats call the engine made on a provider, by which runtime (index)."""

    runtime: int
    platform: Platform
    method: str
    ok: bool | None = None


class ObservedProvider:
    """A real provider, unchanged, with its publish, refresh and fetch_stats calls noted in a shared list."""

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

    async def fetch_stats(
        self, *, credentials: Credentials, remote_ids: Sequence[str]
    ) -> Mapping[str, Counters]:
        return await self._observe(
            "fetch_stats", self._inner.fetch_stats(credentials=credentials, remote_ids=remote_ids)
        )


async def _get(session: AsyncSession, model: type[T], row_id: uuid.UUID) -> T:
    found = await session.get(model, row_id)
    assert found is not None, f"no {model.__name__} {row_id}"
    return found


async def make_stack(
    tmp_path: Path,
    database_url: str,
    sandbox: Sandbox,
    clip_file: Path,
    *,
    redis_url: str = REDIS_URL,
    transport: httpx2.AsyncBaseTransport | None = None,
    **overrides: object,
) -> Stack:
    """Build a stack; `overrides` are Settings fields (see autopost_testing.world.world_settings).

    Publications may be scheduled any time ahead (no minimum lead), so tests schedule a second
    or two away without racing the lead check on a busy machine.
    """
    overrides = {"min_schedule_lead_seconds": 0, **overrides}
    settings = world_settings(tmp_path, database_url, sandbox_url=sandbox.url, **overrides)
    observer = Observer(settings, aioredis.Redis.from_url(redis_url, socket_timeout=None), transport)
    world = World(settings, redis_url, sandbox_url=sandbox.url, providers=observer.providers())
    user = await world.new_user()
    clip = await demo.store_clip(world.runtime, user, clip_file)
    return Stack(world, sandbox, user, clip, observer)


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
