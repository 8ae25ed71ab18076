"""The whole stack for browser tests: sandbox, web app on a real port, a worker, headless Chromium.

One Chromium (Debian's /usr/bin/chromium, never a downloaded one) serves the
whole session; each test gets a fresh browser context, app, worker and
sandbox state. Browser tests share the session's event loop with the worker
they start, so everything the worker does happens while the test awaits.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

from autopost.runtime import Runtime
from autopost.settings import Settings
from autopost.users.plans import Plan
from autopost_testing.demo import DEMO, api_token
from autopost_testing.media import make_clip
from autopost_testing.world import REDIS_URL, World, world_settings
from tests.conftest import Sandbox
from tests.support.mail import shared_mail_server

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
ADMIN_BOT = DEMO["telegram_bot"]  # the sandbox's admin of @clipmaker_demo
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
    """The app under test (a test world: autopost_testing.world), its worker, and helpers to make users
    and clips."""

    world: World
    sandbox: Sandbox
    clip_file: Path
    url: str

    @property
    def settings(self) -> Settings:
        return self.world.settings

    @property
    def runtime(self) -> Runtime:
        return self.world.runtime

    async def new_user(self, plan: Plan = Plan.PRO) -> tuple[str, str]:
        """A fresh user; returns (email, API token)."""
        user = await self.world.new_user(plan=plan, password=PASSWORD)
        return user.email, await api_token(self.runtime, user)

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
    settings = world_settings(
        tmp_path,
        database_url,
        sandbox_url=sandbox.url,
        stats_refresh_hours=0,
        smtp_url=shared_mail_server().url,
    )
    world = World(settings, REDIS_URL, sandbox_url=sandbox.url)
    try:
        await world.start_worker(concurrency=4)
        clip_file = make_clip(tmp_path / "clip.mp4", seconds=1)
        yield Stack(world=world, sandbox=sandbox, clip_file=clip_file, url=world.serve_app())
    finally:
        await world.close()


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
