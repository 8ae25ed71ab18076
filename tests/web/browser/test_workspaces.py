"""Stories 16 and 17 in the browser: a new workspace from the header's switcher, its settings, and
switching back to find one's own clips again; a colleague and a newcomer invited on Участники, each
accepting the mailed link in a browser of their own; the log of it all on Журнал."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from autopost_sandbox.mailbox import Mailbox
from tests.support.mail import invitation_token
from tests.web.browser.conftest import DESKTOP, PASSWORD, PHONE, Stack, go, login

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _switcher(page: Page) -> None:
    await page.locator("#workspace-switcher").click()


async def test_create_set_up_and_switch_workspaces(page: Page, stack: Stack) -> None:
    email, token = await stack.new_user()
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

    await page.get_by_role("link", name="Клипы", exact=True).click()
    await expect(page.get_by_role("heading", name="Склейка по движению")).to_have_count(0)
    await _switcher(page)
    await page.get_by_role("button", name=email).click()
    await expect(page.locator("#workspace-switcher")).to_have_text(f"Клиент: {email}")
    await expect(page.get_by_role("heading", name="Склейка по движению")).to_be_visible()
    await _switcher(page)
    await page.get_by_role("button", name="Курсы монтажа").click()
    await expect(page.locator("#workspace-switcher")).to_have_text("Клиент: Курсы монтажа")
    await expect(page.get_by_role("heading", name="Склейка по движению")).to_have_count(0)


def _shots(tmp_path: Path) -> Path:
    return Path(os.environ.get("AUTOPOST_SCREENSHOTS", tmp_path))


async def _invite(page: Page, email: str, role: str) -> None:
    form = page.locator("form.member-add")
    await form.get_by_placeholder("Эл. почта приглашаемого").fill(email)
    await form.get_by_label("Роль").select_option(role)
    await form.get_by_role("button", name="Отправить приглашение").click()
    await expect(page.locator("#notice")).to_contain_text("Приглашение отправлено")


async def _new_browser(browser: Browser, stack: Stack, link: str) -> Page:
    """Someone else's browser (no cookies of the owner's), opening the mailed link."""
    context = await browser.new_context(viewport=DESKTOP, locale="ru-RU", timezone_id="Europe/Moscow")
    other = await context.new_page()
    await other.goto(f"{stack.url}/invite/{link}")
    return other


async def test_invite_members_who_accept_the_mailed_link(
    page: Page, stack: Stack, browser: Browser, mailbox: Mailbox, tmp_path: Path
) -> None:
    owner, token = await stack.new_user()
    colleague, _ = await stack.new_user()
    newcomer = f"newcomer-{uuid.uuid4().hex[:8]}@example.com"
    await stack.connect_telegram(token, "@clipmaker_demo")
    await login(page, stack, owner)
    await go(page, "Рабочее пространство")
    await page.get_by_role("navigation", name="Настройки").get_by_role("link", name="Участники").click()
    await expect(page.get_by_role("heading", name="Настройки: участники")).to_be_visible()
    await _invite(page, colleague, "editor")
    await _invite(page, newcomer, "viewer")
    pending = page.locator("table.invitations tbody tr")
    await expect(pending).to_have_count(2)
    await expect(pending.first).to_contain_text("Редактор")
    await page.screenshot(path=str(_shots(tmp_path) / "settings-members-desktop.png"), full_page=True)
    await page.set_viewport_size(PHONE)
    await page.screenshot(path=str(_shots(tmp_path) / "settings-members-phone.png"), full_page=True)
    await page.set_viewport_size(DESKTOP)

    # The colleague has an account: they sign in from the link and join.
    other = await _new_browser(browser, stack, invitation_token(mailbox, colleague))
    await expect(other.get_by_role("heading", name=f"Приглашение в «{owner}»")).to_be_visible()
    await other.get_by_role("button", name="Войти").click()
    await other.get_by_label("Электронная почта").fill(colleague)
    await other.get_by_label("Пароль").fill(PASSWORD)
    await other.get_by_role("button", name="Войти").click()
    await other.get_by_role("button", name=f"Присоединиться к «{owner}»").click()
    await expect(other.locator("#workspace-switcher")).to_have_text(f"Клиент: {owner}")
    await other.context.close()

    # The newcomer has none: they sign up with the invited address and land in the workspace.
    link = invitation_token(mailbox, newcomer)
    fresh = await _new_browser(browser, stack, link)
    await fresh.set_viewport_size(PHONE)
    await expect(fresh.get_by_label("Электронная почта")).to_have_value(newcomer)
    await fresh.screenshot(path=str(_shots(tmp_path) / "invite-phone.png"), full_page=True)
    await fresh.get_by_label("Пароль").fill("newcomer-password-1")
    await fresh.get_by_role("button", name="Создать аккаунт и присоединиться").click()
    await expect(fresh.locator("#workspace-switcher")).to_have_text(f"Клиент: {owner}")
    await fresh.goto(f"{stack.url}/invite/{link}")
    await expect(fresh.get_by_role("heading", name="Ссылка-приглашение не работает")).to_be_visible()
    await fresh.context.close()

    await page.reload()
    await expect(page.locator("table.invitations")).to_have_count(0)
    await expect(page.get_by_text("Ожидающих приглашений нет.")).to_be_visible()
    row = page.locator("table.members tr", has_text=colleague)
    await expect(row.locator("select")).to_have_value("editor")
    await row.locator("select").select_option("approver")
    await row.get_by_role("button", name="Изменить").click()
    await expect(page.locator("#notice")).to_contain_text("Роль изменена")

    await page.get_by_role("navigation", name="Настройки").get_by_role("link", name="Журнал").click()
    entries = page.locator("table.audit tbody tr")
    await expect(entries.first).to_contain_text(f"Изменил роль {colleague}: Редактор → Согласующий")
    await expect(entries.nth(1)).to_contain_text("Присоединился с ролью «Наблюдатель»")
    await expect(entries.nth(1)).to_contain_text(newcomer)
    await expect(entries.last).to_contain_text("Подключил Telegram")
    await page.screenshot(path=str(_shots(tmp_path) / "settings-audit-desktop.png"), full_page=True)
    await page.set_viewport_size(PHONE)
    await page.screenshot(path=str(_shots(tmp_path) / "settings-audit-phone.png"), full_page=True)
