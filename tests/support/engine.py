"""An engine under test: real Redis and database, providers chosen by the test."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from sqlalchemy import select, update

from autopost.clips.models import Clip, ClipStatus
from autopost.connections.models import Connection
from autopost.connections.tokens import store_tokens
from autopost.db import transaction
from autopost.platforms.base import Provider
from autopost.platforms.catalog import Platform
from autopost.publications.models import Publication, PublicationEvent, PublicationStatus
from autopost.queue import Outbox
from autopost.runtime import Runtime
from autopost.security.vault import generate_key
from autopost.settings import Settings
from autopost.users.models import User
from autopost.users.plans import Plan
from autopost.worker import WorkerProcess

REDIS_URL = "redis://127.0.0.1:6379/0"
TERMINAL = {PublicationStatus.PUBLISHED, PublicationStatus.FAILED, PublicationStatus.CANCELLED}


@dataclass
class EngineWorld:
    runtime: Runtime
    user: User
    clip: Clip
    connections: dict[Platform, Connection] = field(default_factory=dict)
    workers: list[WorkerProcess] = field(default_factory=list)

    async def start_worker(self, **kwargs: object) -> WorkerProcess:
        worker = WorkerProcess(self.runtime, **kwargs)  # type: ignore[arg-type]
        await worker.start()
        self.workers.append(worker)
        return worker

    async def flush(self, outbox: Outbox) -> None:
        await outbox.flush(self.runtime.queues)

    async def publication(self, publication_id: uuid.UUID) -> Publication:
        async with transaction(self.runtime.session_factory) as session:
            found = await session.get(Publication, publication_id)
            assert found is not None
            return found

    async def events(self, publication_id: uuid.UUID) -> list[str]:
        async with transaction(self.runtime.session_factory) as session:
            rows = await session.scalars(
                select(PublicationEvent.kind)
                .where(PublicationEvent.publication_id == publication_id)
                .order_by(PublicationEvent.created_at)
            )
            return list(rows)

    async def wait_for(
        self,
        publication_id: uuid.UUID,
        predicate: Callable[[Publication], bool] = lambda p: p.status in TERMINAL,
        timeout: float = 30,
    ) -> Publication:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            publication = await self.publication(publication_id)
            if predicate(publication):
                return publication
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"publication stuck: {publication.status} {publication.phase}")
            await asyncio.sleep(0.05)


def engine_settings(tmp_path: Path, database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "_env_file": None,
        "database_url": database_url,
        "data_dir": tmp_path,
        "token_keys": generate_key(),
        "secret_key": "s" * 40,
        "min_schedule_lead_seconds": 1,
        "retry_delays_seconds": [0.2, 0.4, 0.6],
        "processing_poll_seconds": 0.1,
        "sweep_interval_seconds": 0.5,
        "worker_lock_seconds": 2,
        "redis_namespace": f"test{uuid.uuid4().hex[:10]}",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


async def make_world(
    settings: Settings,
    providers: Callable[[Platform], Provider],
    clip_bytes: bytes = b"\x00\x00\x00\x18ftypmp42" * 1000,
) -> EngineWorld:
    runtime = Runtime.create(settings, REDIS_URL, providers)
    runtime.storage.root.mkdir(parents=True, exist_ok=True)
    async with transaction(runtime.session_factory) as session:
        user = User(email=f"{uuid.uuid4().hex[:8]}@example.com", password_hash="x", plan=Plan.PRO)
        session.add(user)
        await session.flush()
        key = f"{user.id}/clip.mp4"
        path = runtime.storage.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(clip_bytes)
        clip = Clip(
            user_id=user.id,
            title="Клип",
            status=ClipStatus.READY,
            storage_key=key,
            size_bytes=len(clip_bytes),
            sha256=hashlib.sha256(clip_bytes).hexdigest(),
        )
        session.add(clip)
        world = EngineWorld(runtime=runtime, user=user, clip=clip)
        for platform in Platform:
            connection = Connection(
                user_id=user.id, platform=platform, account_id=f"{platform}-1", account_name="Demo"
            )
            store_tokens(
                connection, runtime.vault, access_token=f"token-{platform}", refresh_token="refresh-1"
            )
            session.add(connection)
            world.connections[platform] = connection
    return world


async def close_world(world: EngineWorld) -> None:
    for worker in world.workers:
        await worker.stop()
    # Leave nothing live behind for the next test's sweeper (the database is shared).
    async with transaction(world.runtime.session_factory) as session:
        await session.execute(
            update(Publication)
            .where(Publication.user_id == world.user.id, Publication.status.not_in(TERMINAL))
            .values(status=PublicationStatus.CANCELLED)
        )
    client = aioredis.Redis.from_url(REDIS_URL)
    keys = [k async for k in client.scan_iter(match=f"{world.runtime.settings.redis_namespace}:*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()
    await world.runtime.close()


@pytest.fixture
async def world_factory(tmp_path: Path, database_url: str) -> AsyncIterator[Callable[..., object]]:
    worlds: list[EngineWorld] = []

    async def make(providers: Callable[[Platform], Provider], **overrides: object) -> EngineWorld:
        world = await make_world(engine_settings(tmp_path, database_url, **overrides), providers)
        worlds.append(world)
        return world

    yield make
    for world in worlds:
        await close_world(world)
