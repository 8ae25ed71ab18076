"""A connect that connects nothing, in Chromium: the page says why (the platform's reason, or the browser's)."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page, expect

from autopost_sandbox.dzen.accounts import READER, cookie_export
from tests.web.browser.conftest import DESKTOP, Stack, go, login
from tests.web.browser.test_oauth_publish import connect_dzen_session

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_a_dzen_session_without_a_channel_reads_the_platforms_reason(page: Page, stack: Stack) -> None:
    email, _ = await stack.new_user()
    await login(page, stack, email)
    await go(page, "Платформы")
    await connect_dzen_session(page, cookie_export(READER))

    alert = page.locator("#dzen-session-error")
    await expect(alert).to_contain_text("Вы вошли на dzen.ru, но у этого аккаунта нет канала для публикаций")
    await expect(page.locator("#platform-dzen")).to_contain_text("Не подключено")
    await expect(page.locator("#dzen-session")).to_have_value("")  # the cookies are never sent back


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
