"""Story 18 in the browser: Настройки → Уведомления, linking Telegram through the bot's deep link
(the sandbox plays the person pressing «Запустить»), choosing channels; screenshots of the section."""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Page, expect

from autopost_sandbox.mailbox import MailServer
from autopost_sandbox.telegram.world import NOTIFY_BOT
from autopost_testing.media import make_clip
from autopost_testing.world import REDIS_URL, World, world_settings
from tests.conftest import Sandbox
from tests.web.browser.conftest import PHONE, Stack, go, login

pytestmark = pytest.mark.asyncio(loop_scope="session")

# `SCREENSHOTS=docs/screenshots pytest …` refreshes the committed pictures; otherwise they go to tmp.
SCREENSHOTS_DIR = os.environ.get("SCREENSHOTS")


@pytest_asyncio.fixture(loop_scope="session")
async def mailing_stack(
    tmp_path: Path, database_url: str, sandbox: Sandbox, mail_server: MailServer
) -> AsyncIterator[Stack]:
    """The browser stack with mail configured and a quick getUpdates poll of the notification bot."""
    settings = world_settings(
        tmp_path,
        database_url,
        sandbox_url=sandbox.url,
        smtp_url=mail_server.url,
        notify={"telegram_poll_seconds": 1, "telegram_bot_token": NOTIFY_BOT.token},
    )
    world = World(settings, REDIS_URL, sandbox_url=sandbox.url)
    try:
        await world.start_worker(concurrency=2)
        clip_file = make_clip(tmp_path / "clip.mp4", seconds=1)
        yield Stack(world=world, sandbox=sandbox, clip_file=clip_file, url=world.serve_app())
    finally:
        await world.close()


async def test_link_telegram_and_choose_channels(page: Page, mailing_stack: Stack, tmp_path: Path) -> None:
    stack = mailing_stack
    shots = Path(SCREENSHOTS_DIR) if SCREENSHOTS_DIR else tmp_path
    email, _ = await stack.new_user()
    await login(page, stack, email)
    await go(page, "Уведомления")
    await expect(page.get_by_role("heading", name="Настройки: уведомления")).to_be_visible()
    await expect(page.get_by_label(f"По почте на {email}")).to_be_checked()
    await expect(page.get_by_label("В Telegram")).to_be_disabled()

    await page.get_by_role("button", name="Подключить Telegram").click()
    deep_link = page.get_by_role("button", name="Открыть бота в Telegram")
    await expect(deep_link).to_have_attribute(
        "href", re.compile(r"^https://t\.me/autopost_notify_bot\?start=")
    )
    href = await deep_link.get_attribute("href")
    assert href is not None
    await page.screenshot(path=str(shots / "settings-notifications-link-desktop.png"), full_page=True)

    with stack.sandbox.control() as control:
        control.post(
            "/telegram/messages", json={"text": f"/start {href.split('start=')[1]}"}
        ).raise_for_status()
    linked = page.get_by_text("Telegram подключён")
    for _ in range(100):  # the worker's poll links the chat; the page is reloaded as the text asks
        await page.goto(f"{stack.url}/settings/notifications")
        if await linked.count():
            break
        await page.wait_for_timeout(200)
    await expect(linked).to_be_visible()
    await expect(page.get_by_label("В Telegram")).to_be_enabled()
    await page.get_by_label(f"По почте на {email}").uncheck()
    await page.get_by_role("button", name="Сохранить").click()
    await expect(page.locator("#notice")).to_contain_text("Сохранено")
    await expect(page.get_by_label(f"По почте на {email}")).not_to_be_checked()
    await expect(page.get_by_label("В Telegram")).to_be_checked()
    await page.screenshot(path=str(shots / "settings-notifications-desktop.png"), full_page=True)
    await page.set_viewport_size(PHONE)
    await page.screenshot(path=str(shots / "settings-notifications-phone.png"), full_page=True)
