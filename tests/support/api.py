"""The web app under test on a real loopback port, with helpers to make users and clips."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx2
import pytest

from autopost.app import create_app
from autopost.connections.models import Connection
from autopost.connections.tokens import store_tokens
from autopost.db import make_engine, make_session_factory, transaction
from autopost.platforms.base import Provider
from autopost.platforms.catalog import ConnectionKind, Platform
from autopost.runtime import Runtime
from autopost.settings import Settings
from autopost.users.plans import Plan
from autopost.users.service import create_api_token, create_user, get_user_by_email
from autopost.worker import WorkerProcess
from autopost_testing.media import make_clip
from autopost_testing.servers import port_of, serve_in_thread
from autopost_testing.world import REDIS_URL, world_settings
from tests.support.mail import shared_mail_server


@dataclass
class Api:
    url: str
    settings: Settings
    clip_file: Path
    users: list[str] = field(default_factory=list)

    def client(self, token: str | None = None, **headers: str) -> httpx2.Client:
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return httpx2.Client(base_url=self.url, headers=headers, timeout=30)

    def new_user(self, plan: Plan = Plan.PRO, password: str = "correct-horse-1") -> tuple[str, str]:
        """A fresh user; returns (email, API token)."""
        email = f"{uuid.uuid4().hex[:10]}@example.com"

        async def make() -> str:
            engine = make_engine(self.settings.resolved_database_url)
            try:
                async with transaction(make_session_factory(engine)) as session:
                    user, _ = await create_user(session, email, plan=plan, password=password)
                    return await create_api_token(session, user, "test")
            finally:
                await engine.dispose()

        token = asyncio.run(make())
        self.users.append(email)
        return email, token

    def add_connection(
        self,
        email: str,
        platform: Platform,
        account_id: str = "1",
        kind: ConnectionKind = ConnectionKind.TOKEN,
    ) -> str:
        """A connection stored directly (connect flows are tested through the sandbox)."""

        async def make() -> str:
            engine = make_engine(self.settings.resolved_database_url)
            try:
                async with transaction(make_session_factory(engine)) as session:
                    user = await get_user_by_email(session, email)
                    assert user is not None
                    connection = Connection(
                        workspace_id=user.id,
                        platform=platform,
                        kind=kind,
                        account_id=account_id,
                        account_name=f"{platform} demo",
                    )
                    store_tokens(
                        connection, self.settings.vault(), access_token=f"secret-token-{uuid.uuid4().hex}"
                    )
                    session.add(connection)
                    await session.flush()
                    return str(connection.id)
            finally:
                await engine.dispose()

        return asyncio.run(make())

    def upload_clip(self, token: str, title: str = "Мой клип") -> dict[str, object]:
        with self.client(token) as client, self.clip_file.open("rb") as handle:
            response = client.post(
                "/api/v1/clips", files={"file": ("clip.mp4", handle, "video/mp4")}, data={"title": title}
            )
        assert response.status_code == 201, response.text
        return dict(response.json())


def start_api(
    tmp_path: Path,
    database_url: str,
    providers: Callable[[Platform], Provider] | None,
    sandbox_url: str | None = None,
    **overrides: object,
) -> Iterator[Api]:
    # Invitations go out by mail: to the tests' local SMTP server unless a test says otherwise.
    overrides.setdefault("smtp_url", shared_mail_server().url)
    settings = world_settings(tmp_path, database_url, sandbox_url=sandbox_url, **overrides)
    clip_file = make_clip(tmp_path / "fixture-clip.mp4", seconds=1)
    app = create_app(settings, redis_url=REDIS_URL, providers=providers)
    with serve_in_thread(app, port_of(settings.public_url), lifespan="on") as url:
        yield Api(url=url, settings=settings, clip_file=clip_file)


@pytest.fixture
def api(tmp_path: Path, database_url: str) -> Iterator[Api]:
    """The API with the real providers (pointed wherever the settings say)."""
    yield from start_api(tmp_path, database_url, None)


async def run_worker_until_done(
    settings: Settings, client: httpx2.Client, expected: int
) -> list[dict[str, object]]:
    """Run an in-process worker until `expected` publications are final; returns them."""
    worker = WorkerProcess(Runtime.create(settings, REDIS_URL))
    await worker.start()
    try:
        deadline = time.monotonic() + 90
        while True:
            listed = await asyncio.to_thread(lambda: client.get("/api/v1/publications").json())
            if len(listed) == expected and all(p["status"] in ("published", "failed") for p in listed):
                return list(listed)
            assert time.monotonic() < deadline, listed
            await asyncio.sleep(0.3)
    finally:
        await worker.stop()
        await worker.runtime.close()
