"""A refused publish in the browser: the problem beside its account, the section the user opened still open."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.web.browser.conftest import Stack, login

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_a_too_long_caption_is_marked_and_its_section_stays_open(
    page: Page, stack: Stack, tmp_path: Path
) -> None:
    email, token = await stack.new_user()
    clip_id = await stack.upload_clip(token, "Клип с длинной подписью")
    await stack.connect_telegram(token, "@clipmaker_demo")
    await login(page, stack, email)
    dialog = page.locator("dialog#publish-dialog[open]")

    await page.locator(f"#clip-{clip_id}").get_by_role("button", name="Опубликовать").click()
    await dialog.locator("input[name=account]").check()
    section = dialog.locator("details[data-texts]")
    await section.locator("summary").click()
    await section.get_by_label("Подпись к видео").fill("Очень длинная подпись. " * 50)
    await dialog.get_by_role("button", name="Опубликовать").click()

    await expect(dialog.locator(".notice-error")).to_have_text("Исправьте 1 ошибку, отмеченную ниже")
    await expect(dialog.locator(".why.problem")).to_contain_text("не больше 1024")
    await expect(section).to_have_attribute("open", "")
    shot = Path(os.environ.get("AUTOPOST_SCREENSHOTS", tmp_path)) / "publish-problems.png"
    await page.screenshot(path=str(shot))
    assert [post for post in stack.posts() if post["platform"] == "telegram"] == []
    # Fixed where it is marked, the same dialog publishes.
    await section.get_by_label("Подпись к видео").fill("Короткая подпись")
    await dialog.get_by_role("button", name="Опубликовать").click()
    await expect(dialog).to_contain_text("1 публикация поставлена в очередь")
