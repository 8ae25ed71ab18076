"""A consent that connects nothing, in Chromium: the page says why (the platform's reason, or the browser's)."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, Page, expect

from tests.web.browser.conftest import DESKTOP, Stack, go, login

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_a_yandex_account_without_a_channel_reads_the_platforms_reason(
    page: Page, stack: Stack
) -> None:
    email, _ = await stack.new_user()
    await login(page, stack, email)
    await go(page, "Платформы")
    await page.get_by_role("button", name="Подключить Дзен").click()
    await page.get_by_label(re.compile("нет канала в Дзене")).check()
    await page.get_by_role("button", name="Разрешить").click()

    await expect(page).to_have_url(re.compile(r"/settings/platforms\?error=dzen.not_publisher"))
    notice = page.locator("#notice")
    await expect(notice).to_have_text("У аккаунта нет канала в Дзене или он не одобрен для публикаций")
    await expect(page.locator("#platform-dzen")).to_contain_text("Не подключено")


async def test_a_consent_link_opened_in_another_browser_is_refused_there(
    page: Page, stack: Stack, browser: Browser
) -> None:
    email, _ = await stack.new_user()
    await login(page, stack, email)
    await go(page, "Платформы")
    await page.get_by_role("button", name="Подключить VK").click()
    consent_link = page.url  # what the sender passes on

    other = await browser.new_context(viewport=DESKTOP, locale="ru-RU", timezone_id="Europe/Moscow")
    try:
        victim = await other.new_page()
        await victim.goto(consent_link)
        await victim.get_by_role("button", name="Разрешить").click()
        await expect(victim.locator("#notice")).to_have_text(
            "Подключение начато в другом браузере. Войдите здесь и начните подключение заново"
        )
        await expect(victim.get_by_role("heading", name="Вход")).to_be_visible()
    finally:
        await other.close()
    await page.goto(f"{stack.url}/settings/platforms")
    await expect(page.locator("#platform-vk")).to_contain_text("Не подключено")
