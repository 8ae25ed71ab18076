"""An engine under test: real Redis and database, providers chosen by the test.

`world_factory(providers, **settings_fields)` builds an EngineWorld: a test world
(autopost_testing.world) whose user has a ready clip and a stored connection on every
platform, its tokens made up (the test's providers decide what they are worth).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from autopost.clips.models import Clip, ClipStatus
from autopost.connections.models import Connection
from autopost.connections.tokens import store_tokens
from autopost.db import transaction
from autopost.platforms.base import Provider
from autopost.platforms.catalog import ConnectionKind, Platform
from autopost.publications.models import Publication
from autopost.queue import Outbox
from autopost.runtime import Runtime
from autopost.settings import Settings
from autopost.users.models import User
from autopost.users.plans import Plan
from autopost.worker import WorkerProcess
from autopost.workspaces.usecases import create_workspace
from autopost_testing.world import REDIS_URL, TERMINAL, World, is_terminal, world_settings

__all__ = ["REDIS_URL", "TERMINAL", "EngineWorld", "engine_settings", "make_world", "world_factory"]


@dataclass
class EngineWorld:
    world: World
    user: User
    clip: Clip
    connections: dict[Platform, Connection] = field(default_factory=dict)

    @property
    def runtime(self) -> Runtime:
        return self.world.runtime

    async def start_worker(self, **options: object) -> WorkerProcess:
        return await self.world.start_worker(**options)

    async def flush(self, outbox: Outbox) -> None:
        await outbox.flush(self.runtime.queues)

    async def publication(self, publication_id: uuid.UUID) -> Publication:
        return await self.world.publication(publication_id)

    async def events(self, publication_id: uuid.UUID) -> list[str]:
        return [event.kind for event in await self.world.events(publication_id)]

    async def wait_for(
        self,
        publication_id: uuid.UUID,
        predicate: Callable[[Publication], bool] = is_terminal,
        timeout: float = 45,
    ) -> Publication:
        return await self.world.wait_for(publication_id, predicate, timeout)


def engine_settings(tmp_path: Path, database_url: str, **overrides: object) -> Settings:
    """The test world's settings (autopost_testing.world.world_settings), no sandbox."""
    return world_settings(tmp_path, database_url, **overrides)


async def make_world(
    settings: Settings,
    providers: Callable[[Platform], Provider],
    clip_bytes: bytes = b"\x00\x00\x00\x18ftypmp42" * 1000,
) -> EngineWorld:
    world = World(settings, REDIS_URL, providers=providers)
    runtime = world.runtime
    async with transaction(runtime.session_factory) as session:
        user = User(email=f"{uuid.uuid4().hex[:8]}@example.com", password_hash="x")
        session.add(user)
        await session.flush()
        await create_workspace(session, user, user.email, plan=Plan.PRO, workspace_id=user.id)
        world.users.append(user.id)
        key = f"{user.id}/clip.mp4"
        path = runtime.storage.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(clip_bytes)
        clip = Clip(
            workspace_id=user.id,
            title="Клип",
            status=ClipStatus.READY,
            storage_key=key,
            size_bytes=len(clip_bytes),
            sha256=hashlib.sha256(clip_bytes).hexdigest(),
        )
        session.add(clip)
        engine_world = EngineWorld(world=world, user=user, clip=clip)
        for platform in Platform:
            connection = Connection(
                workspace_id=user.id,
                platform=platform,
                kind=ConnectionKind.TOKEN,
                account_id=f"{platform}-1",
                account_name="Demo",
            )
            store_tokens(
                connection, runtime.vault, access_token=f"token-{platform}", refresh_token="refresh-1"
            )
            session.add(connection)
            engine_world.connections[platform] = connection
    return engine_world


@pytest.fixture
async def world_factory(tmp_path: Path, database_url: str) -> AsyncIterator[Callable[..., object]]:
    worlds: list[World] = []

    async def make(providers: Callable[[Platform], Provider], **overrides: object) -> EngineWorld:
        made = await make_world(engine_settings(tmp_path, database_url, **overrides), providers)
        worlds.append(made.world)
        return made

    yield make
    for world in worlds:
        await world.close()
