"""Story 7 in the browser: a publication that fails shows why, and «Повторить» publishes it."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.web.browser.conftest import ADMIN_BOT, Stack, login

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_failure_shows_the_reason_and_retry_publishes(page: Page, stack: Stack) -> None:
    email, token = await stack.new_user()
    clip_id = await stack.upload_clip(token, "Клип с ошибкой")
    await stack.connect_telegram(token, "@clipmaker_demo")
    # Telegram answers 500 to every upload until the faults are cleared: all attempts fail.
    stack.fault(platform="telegram", fault="server_error", count=50, on="sendVideo")
    await login(page, stack, email)

    card = page.locator(f"#clip-{clip_id}")
    await card.get_by_role("button", name="Опубликовать").click()
    dialog = page.locator("dialog#publish-dialog[open]")
    await dialog.locator("input[name=account]").check()
    await dialog.get_by_role("button", name="Опубликовать").click()
    await expect(dialog).to_contain_text("1 публикация поставлена в очередь")
    await dialog.get_by_role("button", name="Закрыть").last.click()

    failed = card.locator(".badge-red")
    await expect(failed).to_contain_text("Ошибка: ", timeout=60_000)
    retry = card.get_by_role("button", name="Повторить")
    await expect(retry).to_be_visible()

    stack.clear_faults()
    await retry.click()
    await expect(page.locator("#notice")).to_contain_text("Публикация снова поставлена в очередь")
    await expect(card.locator(".badge-green")).to_have_text("Опубликовано", timeout=60_000)
    await expect(card.get_by_role("link", name="Открыть (в новой вкладке)")).to_have_attribute(
        "target", "_blank"
    )
    assert len([post for post in stack.posts() if post["platform"] == "telegram"]) == 1


async def test_private_telegram_channel_says_stats_are_unavailable(page: Page, stack: Stack) -> None:
    email, token = await stack.new_user()
    clip_id = await stack.upload_clip(token, "Клип для частного канала")
    await stack.connect_telegram(token, "-1001000000002")
    await login(page, stack, email)
    card = page.locator(f"#clip-{clip_id}")
    await card.get_by_role("button", name="Опубликовать").click()
    dialog = page.locator("dialog#publish-dialog[open]")
    await dialog.locator("input[name=account]").check()
    await dialog.get_by_role("button", name="Опубликовать").click()
    await dialog.get_by_role("button", name="Закрыть").last.click()
    await expect(card.locator(".badge-green")).to_have_text("Опубликовано", timeout=60_000)
    await expect(card.get_by_text("Статистика недоступна")).to_be_visible()


async def test_a_revoked_token_asks_for_reconnecting_everywhere_until_reconnected(
    page: Page, stack: Stack
) -> None:
    email, token = await stack.new_user()
    clip_id = await stack.upload_clip(token, "Клип")
    await stack.connect_telegram(token, "@clipmaker_demo")
    await login(page, stack, email)
    await page.goto(f"{stack.url}/settings/platforms")
    telegram = page.locator("#platform-telegram")
    await telegram.get_by_role("button", name="Проверить").click()
    await expect(page.locator("#notice")).to_contain_text("подключение работает")

    stack.fault(platform="telegram", fault="token_expired", count=5)
    await telegram.get_by_role("button", name="Проверить").click()
    await expect(telegram.get_by_role("note")).to_contain_text("Нужно переподключить")
    stack.clear_faults()
    await page.goto(f"{stack.url}/")
    await page.locator(f"#clip-{clip_id}").get_by_role("button", name="Опубликовать").click()
    dialog = page.locator("dialog#publish-dialog[open]")
    await expect(dialog.locator("input[name=account]")).to_be_disabled()
    await expect(dialog).to_contain_text("Нужно переподключить")
    await page.keyboard.press("Escape")

    await page.goto(f"{stack.url}/settings/platforms")
    await expect(telegram.get_by_text("Переподключить Telegram")).to_be_visible()
    await telegram.get_by_label("Токен бота").fill(ADMIN_BOT)
    await telegram.get_by_label("Канал").fill("@clipmaker_demo")
    await telegram.get_by_role("button", name="Подключить", exact=True).click()
    await expect(page.locator("#notice")).to_contain_text("Telegram подключён")
    await expect(telegram.get_by_role("note")).to_have_count(0)
