"""Phone width (390 px) and keyboard only: one column, full-screen dialog, nothing cut, no mouse;
and a Free plan sees upgrade prompts instead of connect buttons (story 1's other half)."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page, expect

from tests.web.browser.conftest import PHONE, Stack, login

pytestmark = pytest.mark.asyncio(loop_scope="session")

NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


async def _tab_to(page: Page, accessible_name: str, limit: int = 40) -> None:
    for _ in range(limit):
        await page.keyboard.press("Tab")
        name = await page.evaluate(
            "(document.activeElement.getAttribute('aria-label') || document.activeElement.innerText || '').trim()"
        )
        if name == accessible_name:
            return
    raise AssertionError(f"Tab never reached «{accessible_name}»")


async def _focus_is_in_dialog(page: Page) -> bool:
    return bool(await page.evaluate("!!document.activeElement.closest('dialog[open]')"))


async def test_phone_width_keyboard_only_publish(browser: Browser, stack: Stack) -> None:
    email, token = await stack.new_user()
    clip_id = await stack.upload_clip(
        token, "Очень длинное название клипа, которое не должно вылезать за край экрана"
    )
    await stack.connect_telegram(token, "@clipmaker_demo")
    context = await browser.new_context(
        viewport=PHONE, locale="ru-RU", timezone_id="Europe/Moscow", is_mobile=True
    )
    page = await context.new_page()
    try:
        await login(page, stack, email)
        assert await page.evaluate(NO_OVERFLOW)
        await page.locator("body").focus()
        await _tab_to(page, "Опубликовать")
        await page.keyboard.press("Enter")
        dialog = page.locator("dialog#publish-dialog[open]")
        await expect(dialog).to_be_visible()
        box = await dialog.locator("article").bounding_box()
        assert box is not None and box["width"] == PHONE["width"], "the dialog takes the whole phone screen"
        assert await page.evaluate(NO_OVERFLOW)
        assert await _focus_is_in_dialog(page)
        checkbox = dialog.locator("input[name=account]")
        for _ in range(10):
            if await checkbox.evaluate("element => element === document.activeElement"):
                break
            await page.keyboard.press("Tab")
            assert await _focus_is_in_dialog(page), "Tab stays inside the open dialog"
        await page.keyboard.press("Space")
        await expect(checkbox).to_be_checked()
        await _tab_to(page, "Опубликовать")
        assert await _focus_is_in_dialog(page)
        await page.keyboard.press("Enter")
        await expect(dialog).to_contain_text("1 публикация поставлена в очередь")
        await page.keyboard.press("Escape")
        await expect(page.locator("dialog")).to_have_count(0)
        publish = page.locator(f"#publish-{clip_id}")
        await expect(publish).to_be_focused()
        await expect(page.locator(f"#clip-{clip_id} .badge-green")).to_have_text(
            "Опубликовано", timeout=60_000
        )
        for path in ("/", "/publications?tab=history", "/settings/platforms"):
            await page.goto(f"{stack.url}{path}")
            assert await page.evaluate(NO_OVERFLOW), f"{path} scrolls sideways at 390 px"
    finally:
        await context.close()


async def test_free_plan_sees_upgrade_prompts_not_connect_buttons(page: Page, stack: Stack) -> None:
    from autopost.users.plans import Plan

    email, _ = await stack.new_user(Plan.FREE)
    await login(page, stack, email)
    await page.goto(f"{stack.url}/settings/platforms")
    for name in ("VK", "Rutube", "Дзен", "Telegram"):
        await expect(page.get_by_text(f"{name} недоступен на вашем тарифе «Бесплатный»")).to_be_visible()
    await expect(page.get_by_role("button", name="Подключить VK")).to_have_count(0)
