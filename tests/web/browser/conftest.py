"""The whole stack for browser tests: sandbox, web app on a real port, a worker, headless Chromium.

One Chromium (Debian's /usr/bin/chromium, never a downloaded one) serves the
whole session; each test gets a fresh browser context, app, worker and
sandbox state. Browser tests share the session's event loop with the worker
they start, so everything the worker does happens while the test awaits.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx2
import pytest
import pytest_asyncio
import redis.asyncio as aioredis
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect
from sqlalchemy import update

from autopost.app import create_app
from autopost.db import transaction
from autopost.publications.models import Publication, PublicationStatus
from autopost.runtime import Runtime
from autopost.sandbox_wiring import point_at_sandbox
from autopost.settings import Settings
from autopost.users.plans import Plan
from autopost.users.service import create_api_token, create_user
from autopost.worker import WorkerProcess
from tests.conftest import Sandbox
from tests.support.engine import REDIS_URL, TERMINAL, engine_settings
from tests.support.media import make_clip
from tests.support.servers import free_port, serve_in_thread

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct-horse-1"
ADMIN_BOT = "7000000001:AAHb3vQm2Xk9LpR4tZs8YwNc1DfGj6UeKoA"  # the sandbox's admin of @clipmaker_demo
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# Publishing through the sandbox takes a few seconds (Rutube paces itself to 1 request/s).
expect.set_options(timeout=30_000)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Browser tests run on the embedded default, SQLite: the API and engine suites cover PostgreSQL."""
    from autopost.migrations import runner

    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('browser') / 'autopost.db'}"
    runner.upgrade(url)
    yield url


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


@dataclass
class Stack:
    """The app under test, its worker's runtime, and helpers to make users and clips."""

    url: str
    settings: Settings
    runtime: Runtime
    sandbox: Sandbox
    clip_file: Path
    users: list[uuid.UUID] = field(default_factory=list)

    async def new_user(self, plan: Plan = Plan.PRO) -> tuple[str, str]:
        """A fresh user; returns (email, API token)."""
        email = f"{uuid.uuid4().hex[:10]}@example.com"
        async with transaction(self.runtime.session_factory) as session:
            user, _ = await create_user(session, email, plan=plan, password=PASSWORD)
            token = await create_api_token(session, user, "test")
        self.users.append(user.id)
        return email, token

    async def upload_clip(self, token: str, title: str) -> str:
        """Clips come from КлипМейкер through the API; the pages only publish them."""
        async with httpx2.AsyncClient(base_url=self.url, timeout=30) as client:
            with self.clip_file.open("rb") as handle:
                response = await client.post(
                    "/api/v1/clips",
                    headers={"Authorization": f"Bearer {token}"},
                    files={"file": ("clip.mp4", handle, "video/mp4")},
                    data={"title": title},
                )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    async def connect_telegram(self, token: str, channel: str) -> None:
        """Through the API: the token form itself is exercised by test_tokens_schedule."""
        async with httpx2.AsyncClient(
            base_url=self.url, headers={"Authorization": f"Bearer {token}"}
        ) as client:
            answer = await client.post(
                "/api/v1/connections",
                json={"platform": "telegram", "bot_token": ADMIN_BOT, "channel": channel},
            )
        assert answer.status_code == 201, answer.text

    def fault(self, **body: object) -> None:
        with self.sandbox.control() as control:
            control.post("/faults", json=body).raise_for_status()

    def clear_faults(self) -> None:
        with self.sandbox.control() as control:
            control.delete("/faults").raise_for_status()

    def posts(self) -> list[dict[str, object]]:
        with self.sandbox.control() as control:
            posts: list[dict[str, object]] = control.get("/state").json()["posts"]
        return posts


@pytest_asyncio.fixture(loop_scope="session")
async def stack(tmp_path: Path, database_url: str, sandbox: Sandbox) -> AsyncIterator[Stack]:
    port = free_port()
    settings = point_at_sandbox(engine_settings(tmp_path, database_url, stats_refresh_hours=0), sandbox.url)
    settings.public_url = f"http://127.0.0.1:{port}"
    app = create_app(settings, redis_url=REDIS_URL)
    runtime = Runtime.create(settings, REDIS_URL)
    runtime.storage.root.mkdir(parents=True, exist_ok=True)
    worker = WorkerProcess(runtime, concurrency=4)
    await worker.start()
    clip_file = make_clip(tmp_path / "clip.mp4", seconds=1)
    with serve_in_thread(app, port, lifespan="on") as url:
        built = Stack(url=url, settings=settings, runtime=runtime, sandbox=sandbox, clip_file=clip_file)
        try:
            yield built
        finally:
            await worker.stop()
            await _leave_nothing_live(built)


async def _leave_nothing_live(stack: Stack) -> None:
    """The database is shared by the session: no later sweeper may pick up this test's work."""
    async with transaction(stack.runtime.session_factory) as session:
        await session.execute(
            update(Publication)
            .where(Publication.user_id.in_(stack.users), Publication.status.not_in(TERMINAL))
            .values(status=PublicationStatus.CANCELLED)
        )
    client = aioredis.Redis.from_url(REDIS_URL)
    keys = [k async for k in client.scan_iter(match=f"{stack.settings.redis_namespace}:*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()
    await stack.runtime.close()


@pytest_asyncio.fixture(loop_scope="session")
async def context(browser: Browser) -> AsyncIterator[BrowserContext]:
    created = await browser.new_context(viewport=DESKTOP, locale="ru-RU", timezone_id="Europe/Moscow")
    yield created
    await created.close()


@pytest_asyncio.fixture(loop_scope="session")
async def page(context: BrowserContext) -> Page:
    return await context.new_page()


async def login(page: Page, stack: Stack, email: str) -> None:
    await page.goto(f"{stack.url}/")
    await expect(page).to_have_url(f"{stack.url}/login")
    await page.get_by_label("Электронная почта").fill(email)
    await page.get_by_label("Пароль").fill(PASSWORD)
    await page.get_by_role("button", name="Войти").click()
    await expect(page.get_by_role("heading", name="Клипы", level=1)).to_be_visible()


async def settle(seconds: float = 0.1) -> None:
    await asyncio.sleep(seconds)


async def go(page: Page, section: str) -> None:
    """Follow a link of the main menu, as a user would."""
    await (
        page.get_by_role("navigation", name="Основное меню")
        .get_by_role("link", name=section, exact=True)
        .click()
    )
