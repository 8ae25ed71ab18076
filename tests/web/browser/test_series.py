"""Story 12 and 14 in the browser: a 10-clip week on 4 platforms planned from one dialog (the
clicks counted), then two clips cancelled everywhere after a confirmation naming the count."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx2
import pytest
from playwright.async_api import Page, expect

from autopost.platforms.catalog import Platform
from autopost.users.plans import Plan
from autopost_testing.demo import api_token, connect_demo
from tests.web.browser.conftest import PASSWORD, PHONE, Stack, login

pytestmark = pytest.mark.asyncio(loop_scope="session")

PLATFORMS = (Platform.VK, Platform.RUTUBE, Platform.DZEN, Platform.TELEGRAM)


def _shots(tmp_path: Path) -> Path:
    return Path(os.environ.get("AUTOPOST_SCREENSHOTS", tmp_path))


async def _publications(stack: Stack, token: str) -> list[dict[str, object]]:
    async with httpx2.AsyncClient(base_url=stack.url, headers={"Authorization": f"Bearer {token}"}) as client:
        listed: list[dict[str, object]] = (
            await client.get("/api/v1/publications", params={"limit": 200})
        ).json()
    return listed


async def test_a_ten_clip_week_on_four_platforms_from_one_dialog_then_bulk_cancel(
    page: Page, stack: Stack, tmp_path: Path
) -> None:
    user = await stack.world.new_user(plan=Plan.PRO, password=PASSWORD)
    token = await api_token(stack.runtime, user)
    for platform in PLATFORMS:
        await connect_demo(stack.runtime, user, platform)
    clips = [await stack.upload_clip(token, f"Урок {n}: монтаж") for n in range(1, 11)]
    await login(page, stack, user.email)

    # Every click after the upload is counted: the goal is one dialog and at most six clicks.
    clicks = 0
    bar = page.locator("[data-bulk-bar]")
    await bar.get_by_label("Выбрать все").check()
    clicks += 1
    await expect(bar.get_by_text("Выбрано: 10")).to_be_visible()
    await bar.get_by_role("button", name="Запланировать серию").click()
    clicks += 1
    dialog = page.locator("dialog#series-dialog[open]")
    await expect(dialog.get_by_text("Выбрано 10 клипов")).to_be_visible()
    table = dialog.locator("table.plan-table")
    await expect(table.locator("tbody tr")).to_have_count(10)
    await expect(table.locator("td.plan-cell")).to_have_count(40)
    await expect(dialog.locator(".has-problem")).to_have_count(0)
    await expect(dialog.locator("[data-weekdays]")).to_be_hidden()
    submit = dialog.get_by_role("button", name="Запланировать 40 публикаций")
    await expect(submit).to_be_visible()
    await page.screenshot(path=str(_shots(tmp_path) / "series-dialog-desktop.png"), full_page=False)
    await page.set_viewport_size(PHONE)
    await page.screenshot(path=str(_shots(tmp_path) / "series-dialog-phone.png"))
    await page.set_viewport_size({"width": 1280, "height": 900})
    await submit.click()
    clicks += 1
    await expect(dialog).to_contain_text("40 публикаций запланировано")
    assert clicks <= 6, clicks
    await dialog.get_by_role("button", name="Закрыть").last.click()
    await expect(page.locator("dialog[open]")).to_have_count(0)
    made = await _publications(stack, token)
    assert len(made) == 40 and {p["status"] for p in made} == {"scheduled"}
    assert len({p["series_id"] for p in made}) == 1
    first = page.locator(f"#clip-{clips[0]}")
    await expect(first.locator(".badge-neutral")).to_have_count(4)

    # Cancel two clips everywhere: the confirmation names the count before anything happens.
    await bar.get_by_label("Выбрать все").uncheck()
    await expect(bar.get_by_text("Выбрано: 0")).to_be_visible()
    for clip_id in clips[:2]:
        await page.locator(f"#clip-{clip_id}").get_by_label("Выбрать «", exact=False).check()
    await expect(bar.get_by_text("Выбрано: 2")).to_be_visible()
    await page.screenshot(path=str(_shots(tmp_path) / "clips-selected-desktop.png"))
    await page.set_viewport_size(PHONE)
    await page.evaluate("window.scrollTo(0, 0)")
    await page.screenshot(path=str(_shots(tmp_path) / "clips-selected-phone.png"))
    await page.set_viewport_size({"width": 1280, "height": 900})
    await bar.get_by_role("button", name="Отменить везде").click()
    confirm = page.locator("dialog#bulk-dialog[open]")
    await expect(confirm).to_contain_text("Будут отменены 8 запланированных публикаций выбранных клипов.")
    await page.screenshot(path=str(_shots(tmp_path) / "bulk-cancel-desktop.png"))
    await page.set_viewport_size(PHONE)
    await page.screenshot(path=str(_shots(tmp_path) / "bulk-cancel-phone.png"))
    await page.set_viewport_size({"width": 1280, "height": 900})
    assert {p["status"] for p in await _publications(stack, token)} == {"scheduled"}, (
        "nothing before the answer"
    )
    await confirm.get_by_role("button", name="Отменить 8 публикаций").click()
    await expect(page.locator("#notice")).to_contain_text("Отменено 8 публикаций")
    await expect(page.locator("dialog[open]")).to_have_count(0)
    await expect(first.locator(".badge-grey")).to_have_count(4)
    statuses = [p["status"] for p in await _publications(stack, token)]
    assert statuses.count("cancelled") == 8 and statuses.count("scheduled") == 32
    assert stack.posts() == []


async def test_posting_slots_then_the_next_slot_from_the_publish_dialog(
    page: Page, stack: Stack, tmp_path: Path
) -> None:
    user = await stack.world.new_user(plan=Plan.PRO, password=PASSWORD)
    token = await api_token(stack.runtime, user)
    telegram = await connect_demo(stack.runtime, user, Platform.TELEGRAM)
    clip_id = await stack.upload_clip(token, "Урок: цвет")
    await login(page, stack, user.email)
    await page.get_by_role("navigation", name="Основное меню").get_by_role("link", name="Платформы").click()
    slots = page.locator(f"#slots-{telegram.id}")
    await slots.locator("summary").click()
    for day in ("пн", "вт", "ср", "чт", "пт"):
        await slots.get_by_label(day, exact=True).check()
    await slots.get_by_label("Время (ЧЧ:ММ через запятую)").fill("18:00")
    await slots.get_by_role("button", name="Сохранить слоты").click()
    await expect(slots.locator("summary")).to_contain_text("пн, вт, ср, чт, пт 18:00")
    await page.screenshot(path=str(_shots(tmp_path) / "settings-slots-desktop.png"))
    await page.set_viewport_size(PHONE)
    await slots.scroll_into_view_if_needed()
    await page.screenshot(path=str(_shots(tmp_path) / "settings-slots-phone.png"))
    await page.set_viewport_size({"width": 1280, "height": 900})

    await page.get_by_role("navigation", name="Основное меню").get_by_role("link", name="Клипы").click()
    await page.locator(f"#clip-{clip_id}").get_by_role("button", name="Опубликовать").click()
    dialog = page.locator("dialog#publish-dialog[open]")
    await dialog.locator("fieldset[data-platform=telegram] input[name=account]").check()
    await dialog.get_by_label("В ближайший слот").check()
    await expect(dialog.get_by_role("button", name="Запланировать")).to_be_visible()
    await dialog.get_by_role("button", name="Запланировать").click()
    await expect(dialog).to_contain_text("1 публикация запланирована")
    async with httpx2.AsyncClient(base_url=stack.url, headers={"Authorization": f"Bearer {token}"}) as client:
        [made] = (await client.get("/api/v1/publications")).json()
    local = datetime.fromisoformat(made["scheduled_at"]).astimezone(ZoneInfo("Europe/Moscow"))
    assert local.strftime("%H:%M") == "18:00" and local.weekday() < 5
