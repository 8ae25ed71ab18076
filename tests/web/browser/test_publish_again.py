"""A clip already published to an account: the dialog says so, and only «Опубликовать ещё раз» posts it again."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.web.browser.conftest import Stack, login

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_publishing_again_needs_the_tick(page: Page, stack: Stack, tmp_path: Path) -> None:
    email, token = await stack.new_user()
    clip_id = await stack.upload_clip(token, "Клип для повтора")
    await stack.connect_telegram(token, "@clipmaker_demo")
    await login(page, stack, email)
    card = page.locator(f"#clip-{clip_id}")
    dialog = page.locator("dialog#publish-dialog[open]")

    await card.get_by_role("button", name="Опубликовать").click()
    await dialog.locator("input[name=account]").check()
    await dialog.get_by_role("button", name="Опубликовать").click()
    await dialog.get_by_role("button", name="Закрыть").last.click()
    await expect(card.locator(".badge-green")).to_have_text("Опубликовано", timeout=60_000)

    await card.get_by_role("button", name="Опубликовать").click()
    await expect(dialog).to_contain_text("Клип уже опубликован в этот аккаунт.")
    await dialog.locator("input[name=account]").check()
    shot = Path(os.environ.get("AUTOPOST_SCREENSHOTS", tmp_path)) / "publish-again.png"
    await page.screenshot(path=str(shot))
    await dialog.get_by_role("button", name="Опубликовать").click()
    await expect(dialog).to_contain_text("Чтобы опубликовать его ещё раз, отметьте «Опубликовать ещё раз»")

    await dialog.get_by_label("Опубликовать ещё раз").check()
    await dialog.get_by_role("button", name="Опубликовать").click()
    await expect(dialog).to_contain_text("1 публикация поставлена в очередь")
    await dialog.get_by_role("button", name="Закрыть").last.click()
    telegram = [post for post in stack.posts() if post["platform"] == "telegram"]
    for _ in range(100):
        if len(telegram) == 2:
            break
        await page.wait_for_timeout(300)
        telegram = [post for post in stack.posts() if post["platform"] == "telegram"]
    assert len(telegram) == 2
