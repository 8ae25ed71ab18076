"""Stories 1, 3, 5, 9 in the browser: VK through its consent page, Дзен through the session form
(a dzen.ru cookie export), publish now, stats."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select

from autopost.connections.models import Connection
from autopost.db import transaction
from autopost.stats.tasks import collect_connection_stats
from autopost_sandbox.dzen.accounts import cookie_export
from tests.web.browser.conftest import Stack, go, login

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _connect_with_oauth(page: Page, button: str, notice: str) -> None:
    await page.get_by_role("button", name=button).click()
    # The platform's own consent page (the sandbox's VK ID), then back to us.
    await page.get_by_role("button", name="Разрешить").click()
    await expect(page).to_have_url(re.compile(r"/settings/platforms\?connected="))
    await expect(page.locator("#notice")).to_contain_text(notice)


async def connect_dzen_session(page: Page, export: str) -> None:
    """Settings → Дзен: open the session form, paste the cookie export, «Подключить»."""
    block = page.locator("#platform-dzen")
    await block.get_by_text("Подключить Дзен через сессию браузера").click()
    await block.get_by_label("Cookies с dzen.ru").fill(export)
    await block.locator("#connect-dzen-session").click()


async def test_connect_vk_by_oauth_and_dzen_by_session_publish_now_and_see_stats(
    page: Page, stack: Stack
) -> None:
    email, token = await stack.new_user()
    clip_id = await stack.upload_clip(token, "Урок монтажа: склейка")
    await login(page, stack, email)

    await go(page, "Платформы")
    await _connect_with_oauth(page, "Подключить VK", "VK подключён")
    vk_block = page.locator("#platform-vk")
    await expect(vk_block.get_by_text("Анна Смирнова")).to_be_visible()
    await expect(vk_block.locator("img.avatar")).to_have_count(1)
    await connect_dzen_session(page, cookie_export())
    await expect(page.locator("#platform-dzen .account-row")).to_have_count(1)
    await expect(page.locator("#platform-dzen")).to_contain_text("Курсы монтажа")

    await go(page, "Клипы")
    card = page.locator(f"#clip-{clip_id}")
    await card.get_by_role("button", name="Опубликовать").click()
    await _publish_to_vk_and_dzen(page)
    await expect(card.get_by_role("button", name="Опубликовать")).to_be_focused()

    published = card.locator(".badge-green", has_text="Опубликовано")
    await expect(published).to_have_count(2, timeout=60_000)
    link = card.get_by_role("link", name=re.compile("Открыть")).first
    await expect(link).to_have_attribute("target", "_blank")
    await expect(card).not_to_have_attribute("hx-trigger", "every 2s")
    # VK ID makes a VK Видео (VK opens clips to no ordinary app): the title typed for VK names it.
    vk_post = next(post for post in stack.posts() if post["platform"] == "vk")
    assert vk_post["title"] == "Склейка по движению — урок 1"
    await expect(card.locator(".post-format")).to_have_text("Видео")

    await _collect_stats_twice(stack, email)
    await page.reload()
    stats = card.locator(".stats")
    await expect(stats).to_have_count(2)
    await expect(stats.first).to_contain_text("Просмотры")
    await expect(card.locator("svg.spark")).to_have_count(2)


async def _publish_to_vk_and_dzen(page: Page) -> None:
    """Choose both accounts, hit the VK title limit (live counter, then the server), fix it, publish."""
    dialog = page.locator("dialog#publish-dialog")
    await expect(dialog).to_be_visible()
    await dialog.get_by_label("Анна Смирнова").check()
    await dialog.locator("fieldset[data-platform=dzen] input[name=account]").check()
    await dialog.get_by_text("Название и описание для VK").click()
    title = dialog.locator("#title_vk")
    await title.fill("Склейка по движению — урок 1")
    await expect(dialog.locator("#title_vk-count")).to_have_text("28 / 128")
    await title.fill("Я" * 130)
    await expect(dialog.locator("#title_vk-count")).to_contain_text("130 / 128 — Слишком длинно")
    await dialog.get_by_role("button", name="Опубликовать").click()
    # Refused by the server too; what was typed is kept.
    await expect(dialog.get_by_role("alert")).to_have_text("Исправьте 1 ошибку, отмеченную ниже")
    await expect(dialog.locator("fieldset[data-platform=vk] .why.problem")).to_have_text(
        "Название для VK: 130 символов, можно не больше 128"
    )
    # The section with the problem is open again, so the title can be fixed right there.
    await dialog.locator("#title_vk").fill("Склейка по движению — урок 1")
    await dialog.get_by_role("button", name="Опубликовать").click()
    await expect(dialog).to_contain_text("2 публикации поставлены в очередь")
    await expect(page.locator("dialog#publish-dialog[open]")).to_be_visible()
    await page.keyboard.press("Escape")
    await expect(dialog).to_have_count(0)


async def _collect_stats_twice(stack: Stack, email: str) -> None:
    """What the worker's six-hourly pass does, twice, so each sparkline has two points."""
    from autopost.users.models import User

    async with transaction(stack.runtime.session_factory) as session:
        user_id = await session.scalar(select(User.id).where(User.email == email))
        ids: list[uuid.UUID] = list(
            await session.scalars(select(Connection.id).where(Connection.workspace_id == user_id))
        )
    for _ in range(2):
        for connection_id in ids:
            await collect_connection_stats(stack.runtime, connection_id)
