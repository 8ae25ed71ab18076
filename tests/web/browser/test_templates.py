"""Issue 16 in the browser: an editor keeps a template and a hashtag set in Settings → «Шаблоны и
хештеги», inserts them with one click into the VK description and the Telegram caption of the publish
dialog (at the cursor, or at the end), the counters follow at once and mark a caption over its limit,
and the posts the platforms receive carry the inserted texts."""

from __future__ import annotations

import os
from pathlib import Path

import httpx2
import pytest
from playwright.async_api import Locator, Page, expect

from tests.web.browser.conftest import DESKTOP, PHONE, Stack, go, login
from tests.web.browser.test_oauth_publish import _connect_with_oauth

pytestmark = pytest.mark.asyncio(loop_scope="session")

TITLE = "Склейка по движению"
LINKS = "Курс монтажа: https://example.com/course\nНаш канал: https://t.me/clipmaker_demo"
TAGS = "#монтаж #урок"
LONG = "Очень длинный текст. " * 50  # 1050 characters: more than a Telegram caption takes


def _shots(tmp_path: Path) -> Path:
    return Path(os.environ.get("AUTOPOST_SCREENSHOTS", tmp_path))


async def _shoot(page: Page, name: str, tmp_path: Path, shown: Locator, *, full_page: bool = False) -> None:
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        await page.set_viewport_size(viewport)
        await shown.scroll_into_view_if_needed()
        await page.screenshot(path=str(_shots(tmp_path) / f"{name}-{size}.png"), full_page=full_page)
    await page.set_viewport_size(DESKTOP)


async def _add(page: Page, form_name: str, name: str, text: str) -> None:
    form = page.get_by_role("form", name=form_name)
    await form.get_by_label("Название").fill(name)
    await form.locator("textarea").fill(text)
    await form.get_by_role("button", name="Добавить").click()
    await expect(page.locator("#notice")).to_contain_text("Добавлено")


async def _keep_templates(page: Page, stack: Stack, tmp_path: Path) -> None:
    await go(page, "Шаблоны и хештеги")
    await expect(page.get_by_role("heading", name="Настройки: шаблоны и хештеги")).to_be_visible()
    await _add(page, "Новый шаблон", "Ссылки", LINKS)
    await _add(page, "Новый шаблон", "Длинный", LONG.strip())
    # Typed as people type them: the page adds the missing #, drops the repeat.
    await _add(page, "Новый набор хештегов", "Монтаж", "монтаж, #урок монтаж")
    sets = page.locator("section[aria-labelledby=sets-title]")
    await expect(sets.locator(".snippet-text")).to_have_text(TAGS)
    await _shoot(page, "settings-templates", tmp_path, page.locator("h1"), full_page=True)


async def _counter(dialog: Locator, field: str) -> Locator:
    return dialog.locator(f"#{field}-count")


async def test_insert_a_template_and_a_hashtag_set_into_vk_and_telegram_and_publish(
    page: Page, stack: Stack, tmp_path: Path
) -> None:
    email, token = await stack.new_user()
    clip_id = await stack.upload_clip(token, TITLE)
    await stack.connect_telegram(token, "@clipmaker_demo")
    await login(page, stack, email)
    await go(page, "Платформы")
    await _connect_with_oauth(page, "Подключить VK", "VK подключён")
    await _keep_templates(page, stack, tmp_path)

    await go(page, "Клипы")
    await page.locator(f"#clip-{clip_id}").get_by_role("button", name="Опубликовать").click()
    dialog = page.locator("dialog#publish-dialog[open]")
    await dialog.get_by_label("Анна Смирнова").check()
    await dialog.locator("fieldset[data-platform=telegram] input[name=account]").check()

    # VK: typed first, then both inserted at the end, each a paragraph of its own.
    await dialog.get_by_text("Название и описание для VK").click()
    vk = dialog.get_by_role("group", name="Вставить в описание для VK")
    description = dialog.locator("#description_vk")
    await description.fill("Урок 1.")
    await vk.get_by_role("button", name="Ссылки").click()
    await vk.get_by_role("button", name="Монтаж").click()
    vk_text = f"Урок 1.\n\n{LINKS}\n\n{TAGS}"
    await expect(description).to_have_value(vk_text)
    await expect(await _counter(dialog, "description_vk")).to_have_text(f"{len(vk_text)} / 5000")

    # Telegram: a long template marks the caption over its limit at once; then a real caption with
    # the hashtags put at the cursor (the start) and the links at the end.
    await dialog.get_by_text("Подпись для Telegram").click()
    telegram = dialog.get_by_role("group", name="Вставить в подпись для Telegram")
    caption = dialog.locator("#description_telegram")
    await expect(caption).to_have_value(TITLE)
    await telegram.get_by_role("button", name="Длинный").click()
    counter = await _counter(dialog, "description_telegram")
    await expect(counter).to_have_text(f"{len(TITLE) + 2 + len(LONG.strip())} / 1024 — Слишком длинно")
    await expect(counter).to_have_class("counter over")
    await expect(caption).to_have_attribute("aria-invalid", "true")
    await caption.fill(TITLE)
    await caption.press("Control+Home")
    await telegram.get_by_role("button", name="Монтаж").click()
    await caption.press("Control+End")
    await telegram.get_by_role("button", name="Ссылки").click()
    telegram_text = f"{TAGS} {TITLE}\n\n{LINKS}"
    await expect(caption).to_have_value(telegram_text)
    await expect(counter).to_have_text(f"{len(telegram_text)} / 1024")
    await expect(caption).not_to_have_attribute("aria-invalid", "true")
    await _shoot(page, "publish-dialog-templates", tmp_path, telegram)

    await dialog.get_by_role("button", name="Опубликовать").click()
    await expect(dialog).to_contain_text("2 публикации поставлены в очередь")
    await page.keyboard.press("Escape")
    card = page.locator(f"#clip-{clip_id}")
    await expect(card.locator(".badge-green", has_text="Опубликовано")).to_have_count(2, timeout=60_000)
    posts = {post["platform"]: post for post in stack.posts()}
    assert posts["vk"]["caption"] == vk_text
    assert posts["telegram"]["caption"] == telegram_text
    await _check_api_agrees(stack, token)


async def _check_api_agrees(stack: Stack, token: str) -> None:
    """The page and the API are one use case: the set is stored as the page showed it."""
    async with httpx2.AsyncClient(base_url=stack.url, headers={"Authorization": f"Bearer {token}"}) as client:
        kept = (await client.get("/api/v1/templates")).json()
    assert [(t["kind"], t["name"], t["hashtags"]) for t in kept] == [
        ("text", "Длинный", None),
        ("text", "Ссылки", None),
        ("hashtags", "Монтаж", ["#монтаж", "#урок"]),
    ]


async def test_edit_a_template_in_place_and_delete_it_after_confirming(
    page: Page, stack: Stack, tmp_path: Path
) -> None:
    email, token = await stack.new_user()
    async with httpx2.AsyncClient(base_url=stack.url, headers={"Authorization": f"Bearer {token}"}) as client:
        made = await client.post("/api/v1/templates", json={"kind": "text", "name": "Ссылки", "text": LINKS})
    template = page.locator(f"#template-{made.json()['id']}")
    await login(page, stack, email)
    await go(page, "Шаблоны и хештеги")

    await template.get_by_role("button", name="Изменить «Ссылки»").click()
    await template.get_by_label("Название").fill("Ссылки на курс")
    await template.get_by_label("Текст").fill("я" * 5001)
    await expect(template.locator(".counter")).to_have_text("5001 / 5000 — Слишком длинно")
    await template.get_by_role("button", name="Сохранить").click()
    # Refused by the server too; the form is open again with what was typed.
    await expect(page.locator("#notice")).to_contain_text("ни одна платформа не принимает больше 5000")
    await expect(template.get_by_label("Название")).to_have_value("Ссылки на курс")
    await template.get_by_label("Текст").fill("Курс: https://example.com/course")
    await template.get_by_role("button", name="Сохранить").click()
    await expect(page.locator("#notice")).to_contain_text("Сохранено")
    await expect(template.locator(".snippet-name")).to_have_text("Ссылки на курс")

    await template.get_by_role("button", name="Удалить «Ссылки на курс»").click()
    dialog = page.locator("dialog#template-delete-dialog[open]")
    await expect(dialog).to_contain_text("Удалить шаблон «Ссылки на курс»?")
    await _shoot(page, "template-delete-dialog", tmp_path, dialog)
    await dialog.get_by_role("button", name="Отмена").click()
    await expect(dialog).to_have_count(0)
    await expect(template).to_be_visible()
    await template.get_by_role("button", name="Удалить «Ссылки на курс»").click()
    await page.locator("dialog#template-delete-dialog[open]").get_by_role("button", name="Удалить").click()
    await expect(page.locator("#notice")).to_contain_text("Удалено")
    await expect(page.get_by_text("Шаблонов пока нет.")).to_be_visible()
