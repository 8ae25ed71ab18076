"""Stories 2, 4, 6, 8 in the browser: Rutube and Telegram by token, schedule, reschedule,
cancel, and disconnect with the count of cancelled publications."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Page, expect

from tests.web.browser.conftest import ADMIN_BOT, Stack, go, login

pytestmark = pytest.mark.asyncio(loop_scope="session")

RUTUBE_MODERN_TOKEN = "5d6058c6ddf8f87ba393d4e040792df0be1ba81e"
MEMBER_BOT = "7000000002:AAEr5TnW7yHq0ZcV3bMx6KsLd2PfJ8GiUoN"


def _tomorrow_at(hour: int, minute: int = 0) -> tuple[str, str]:
    """A datetime-local value in Moscow and how the badge writes it."""
    day = datetime.now(ZoneInfo("Europe/Moscow")) + timedelta(days=1)
    when = day.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return when.strftime("%Y-%m-%dT%H:%M"), when.strftime("%d.%m.%Y %H:%M")


async def _connect_rutube_and_telegram(page: Page) -> None:
    rutube = page.locator("#platform-rutube")
    await rutube.get_by_label("Токен Rutube").fill(RUTUBE_MODERN_TOKEN)
    await rutube.get_by_role("button", name="Подключить", exact=True).click()
    await expect(page.locator("#notice")).to_contain_text("Rutube подключён")
    await rutube.get_by_text("Подключить ещё аккаунт Rutube").click()
    await rutube.get_by_label("По логину и паролю").check()
    await rutube.get_by_label("Логин (электронная почта)").fill("kursy-montazha@rutube.sandbox")
    await rutube.get_by_label("Пароль").fill("rutube-demo")
    await rutube.get_by_role("button", name="Подключить", exact=True).click()
    await expect(rutube.locator(".account-row")).to_have_count(2)

    telegram = page.locator("#platform-telegram")
    await expect(telegram.get_by_text("Напишите @BotFather")).to_be_visible()
    await telegram.get_by_label("Токен бота").fill(MEMBER_BOT)
    await telegram.get_by_label("Канал").fill("@clipmaker_demo")
    await telegram.get_by_role("button", name="Подключить", exact=True).click()
    await expect(telegram.get_by_role("alert")).to_contain_text("Бот не является админом канала")
    await expect(telegram.get_by_label("Канал")).to_have_value("@clipmaker_demo")
    await telegram.get_by_label("Токен бота").fill(ADMIN_BOT)
    await telegram.get_by_role("button", name="Подключить", exact=True).click()
    await expect(page.locator("#notice")).to_contain_text("Telegram подключён")
    await expect(telegram.get_by_text("@clipmaker_demo")).to_be_visible()


async def test_connect_by_token_schedule_reschedule_cancel_and_disconnect(page: Page, stack: Stack) -> None:
    email, token = await stack.new_user()
    clip_id = await stack.upload_clip(token, "Вебинар: цветокоррекция")
    await login(page, stack, email)
    await go(page, "Платформы")
    await _connect_rutube_and_telegram(page)

    await go(page, "Клипы")
    card = page.locator(f"#clip-{clip_id}")
    await card.get_by_role("button", name="Запланировать").click()
    dialog = page.locator("dialog#publish-dialog[open]")
    await expect(dialog.get_by_text("Дата и время (Москва, UTC+3)")).to_be_visible()
    await dialog.locator("fieldset[data-platform=telegram] input[name=account]").check()
    await dialog.locator("fieldset[data-platform=rutube] input[name=account]").first.check()
    value, shown = _tomorrow_at(10)
    await dialog.get_by_label("Дата и время (Москва, UTC+3)").fill(value)
    await dialog.get_by_role("button", name="Запланировать").click()
    await expect(dialog).to_contain_text("2 публикации запланированы")
    await dialog.get_by_role("button", name="Закрыть").last.click()
    await expect(card.get_by_text(f"Запланировано на {shown}")).to_have_count(2)

    telegram_row = card.locator(".target", has_text="Telegram")
    await telegram_row.get_by_role("button", name="Перенести").click()
    moved, moved_shown = _tomorrow_at(11, 30)
    reschedule = page.locator("dialog#reschedule-dialog[open]")
    await reschedule.get_by_label(re.compile("Дата и время")).fill(moved)
    await reschedule.get_by_role("button", name="Перенести").click()
    await expect(page.locator("#notice")).to_contain_text("Публикация перенесена")
    await expect(card.get_by_text(f"Запланировано на {moved_shown}")).to_be_visible()

    await go(page, "Публикации")
    await expect(page.locator("tbody tr")).to_have_count(2)
    await page.get_by_label("Платформа").select_option("rutube")
    await expect(page).to_have_url(re.compile("platform=rutube"))
    await expect(page.locator("tbody tr")).to_have_count(1)
    await page.locator("tbody tr").get_by_role("button", name="Отменить").click()
    confirm_cancel = page.locator("dialog#cancel-dialog[open]")
    await expect(confirm_cancel).to_contain_text("не будет опубликован в Rutube")
    await confirm_cancel.get_by_role("button", name="Отменить публикацию").click()
    await expect(page.locator("tbody tr .badge-grey")).to_have_text("Отменено")
    await expect(confirm_cancel).to_have_count(0)

    await go(page, "Платформы")
    telegram = page.locator("#platform-telegram")
    await telegram.get_by_role("button", name="Отключить").click()
    confirm = page.locator("dialog#disconnect-dialog[open]")
    await expect(confirm).to_contain_text("Будет отменена 1 запланированная публикация.")
    await confirm.get_by_role("button", name="Отключить").click()
    await expect(page.locator("#notice")).to_contain_text("отключён. Отменена 1 запланированная публикация.")
    await expect(telegram.locator(".account-row")).to_have_count(0)
    await go(page, "Публикации")
    await expect(page.get_by_text("Запланированных публикаций нет.")).to_be_visible()
    assert stack.posts() == [], "nothing fired: both were cancelled before their time"
