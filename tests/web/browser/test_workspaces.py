"""Story 16 in the browser: a new workspace from the header's switcher, its settings, a colleague
added as a viewer, and switching back to find one's own clips again."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.web.browser.conftest import Stack, login

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _switcher(page: Page) -> None:
    await page.locator("#workspace-switcher").click()


async def test_create_set_up_and_switch_workspaces(page: Page, stack: Stack) -> None:
    email, token = await stack.new_user()
    colleague, _ = await stack.new_user()
    await stack.upload_clip(token, "Склейка по движению")
    await login(page, stack, email)
    await expect(page.locator("#workspace-switcher")).to_have_text(f"Клиент: {email}")

    await _switcher(page)
    await page.get_by_role("link", name="Новое рабочее пространство").click()
    await page.get_by_placeholder("Название клиента или бренда").fill("Курсы монтажа")
    await page.get_by_role("button", name="Создать").click()
    await expect(page.locator("#workspace-switcher")).to_have_text("Клиент: Курсы монтажа")
    await expect(page.get_by_role("heading", name="Курсы монтажа")).to_be_visible()

    await page.get_by_label("Часовой пояс").select_option("Asia/Omsk")
    await page.get_by_label("Публикации требуют согласования").check()
    await page.get_by_role("button", name="Сохранить").click()
    await expect(page.locator("#notice")).to_contain_text("Сохранено")
    await expect(page.get_by_label("Часовой пояс")).to_have_value("Asia/Omsk")

    await page.get_by_placeholder("Эл. почта пользователя КлипМейкера").fill(colleague)
    await page.locator(".member-add select[name=role]").select_option("viewer")
    await page.get_by_role("button", name="Добавить").click()
    row = page.locator("table.members tr", has_text=colleague)
    await expect(row.locator("select")).to_have_value("viewer")

    await page.get_by_role("link", name="Клипы", exact=True).click()
    await expect(page.get_by_text("Склейка по движению")).to_have_count(0)
    await _switcher(page)
    await page.get_by_role("button", name=email).click()
    await expect(page.locator("#workspace-switcher")).to_have_text(f"Клиент: {email}")
    await expect(page.get_by_text("Склейка по движению")).to_be_visible()
