"""The Stats page in Chromium (ru-RU): totals of the period, the presets, a custom period, the CSV.

Six weeks of snapshots of three publications are stored as the collector leaves them; each number
the page shows is the one GET /api/v1/stats gives for the same period, and the downloaded CSV parsed
with the csv module holds the API's rows. Screenshots at desktop and phone width.
"""

from __future__ import annotations

import csv
import io
import os
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx2
import pytest
from playwright.async_api import Page, expect

from autopost.db import transaction, utcnow
from autopost.platforms.catalog import Platform
from autopost.stats.period import last_days, zone_of
from autopost.web.formatting import format_count
from tests.stats.seed import Seed
from tests.web.browser.conftest import DESKTOP, PHONE, Stack, go, login

pytestmark = pytest.mark.asyncio(loop_scope="session")

CLIPS = (("Склейка по движению", Platform.VK, 40), ("Цветокор за минуту", Platform.TELEGRAM, 20))
LATE = ("Три ошибки монтажа", Platform.RUTUBE, 3)


async def _six_weeks(stack: Stack, workspace_id: uuid.UUID) -> None:
    """Publications 40, 20 and 3 days old, read twice a day, each gaining views at its own pace.

    The first two clips were planned as a series; the late one on its own.
    """
    now = utcnow()
    async with transaction(stack.runtime.session_factory) as session:
        seed = Seed(session, workspace_id)
        clips = [await seed.clip(title) for title, _, _ in (*CLIPS, LATE)]
        series = await seed.series((now - timedelta(days=40)).date().isoformat(), clips[:2])
        for pace, (clip, (_, platform, days_ago)) in enumerate(
            zip(clips, (*CLIPS, LATE), strict=True), start=1
        ):
            published = await seed.published(
                clip,
                await seed.connection(platform),
                now - timedelta(days=days_ago),
                series if clip in clips[:2] else None,
            )
            for half_days in range(1, days_ago * 2):
                views = half_days * 37 * pace
                at = published.published_at + timedelta(hours=12 * half_days)  # type: ignore[operator]
                await seed.snapshot(published, at, views, likes=views // 10, shares=views // 50)


async def _api(stack: Stack, token: str, days: int, group_by: str = "platform") -> dict[str, Any]:
    period = last_days(zone_of("Europe/Moscow"), utcnow(), days)
    params = {"from": period.first.isoformat(), "to": period.last.isoformat(), "group_by": group_by}
    async with httpx2.AsyncClient(base_url=stack.url, headers={"Authorization": f"Bearer {token}"}) as client:
        answer = await client.get("/api/v1/stats", params=params)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def _card_views(page: Page, platform: str) -> str:
    return await page.locator(f'.stat-card[data-platform="{platform}"] .stat-value').inner_text()


async def test_the_dashboard_switches_periods_and_downloads_the_csv(
    page: Page, stack: Stack, tmp_path: Path
) -> None:
    email, token = await stack.new_user()
    async with httpx2.AsyncClient(base_url=stack.url, headers={"Authorization": f"Bearer {token}"}) as client:
        workspace_id = uuid.UUID((await client.get("/api/v1/workspaces")).json()[0]["id"])
    await _six_weeks(stack, workspace_id)
    await login(page, stack, email)
    await go(page, "Статистика")
    await expect(page.get_by_role("heading", name="Статистика", level=1)).to_be_visible()
    await expect(page.get_by_role("link", name="30 дней")).to_have_attribute("aria-current", "page")

    month = await _api(stack, token, 30)
    for row in month["rows"]:
        assert await _card_views(page, row["platform"]) == format_count(row["views"])
    await expect(page.locator(".chart-wide svg.chart")).to_be_visible()
    top = page.locator("table.top-clips tbody tr")
    await expect(top).to_have_count(3)
    by_clip = await _api(stack, token, 30, "clip")
    await expect(top.first.locator("th")).to_have_text(by_clip["rows"][0]["title"])
    # Totals per series: the series of two first (most views), then what was planned on its own.
    by_series = await _api(stack, token, 30, "series")
    series_rows = page.locator("table.series-totals tbody tr")
    await expect(series_rows).to_have_count(2)
    await expect(series_rows.first.locator("th")).to_contain_text("Серия с ")
    await expect(series_rows.first.locator("th")).to_contain_text("2 клипа")
    await expect(series_rows.nth(1).locator("th")).to_have_text("Вне серий")
    for row, expected in zip(await series_rows.all(), by_series["rows"], strict=True):
        await expect(row.locator("td").first).to_have_text(format_count(expected["views"]))
    shots = Path(os.environ.get("AUTOPOST_SCREENSHOTS", tmp_path))
    await page.screenshot(path=str(shots / "stats-desktop.png"), full_page=True)

    await page.get_by_role("link", name="7 дней").click()
    await expect(page).to_have_url(f"{stack.url}/stats?days=7")
    week = await _api(stack, token, 7)
    assert week["totals"]["views"] < month["totals"]["views"]
    for row in week["rows"]:
        assert await _card_views(page, row["platform"]) == format_count(row["views"])

    period = last_days(zone_of("Europe/Moscow"), utcnow(), 2)
    await page.get_by_label("С", exact=True).fill(period.first.isoformat())
    await page.get_by_role("button", name="Показать").click()
    await expect(page.get_by_role("link", name="7 дней")).not_to_have_attribute("aria-current", "page")
    await expect(page.get_by_label("С", exact=True)).to_have_value(period.first.isoformat())

    await page.get_by_role("link", name="90 дней").click()
    await page.get_by_label("Строки").select_option("clip")
    async with page.expect_download() as info:
        await page.get_by_role("button", name="Скачать CSV").click()
    download = await info.value
    body = Path(await download.path()).read_bytes()
    assert body.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    quarter = await _api(stack, token, 90, "clip")
    assert table[0] == ["ID клипа", "Клип", "Просмотры", "Лайки", "Репосты", "Комментарии", "Публикации"]
    counters = ("views", "likes", "shares", "comments", "publications")
    assert table[1:] == [[r["clip_id"], r["title"], *(str(r[c]) for c in counters)] for r in quarter["rows"]]

    await page.set_viewport_size(PHONE)
    await page.reload()
    await expect(page.locator(".chart-narrow svg.chart")).to_be_visible()
    await expect(page.locator(".chart-wide svg.chart")).to_be_hidden()
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width  # nothing cut or scrolled sideways
    await page.screenshot(path=str(shots / "stats-phone.png"), full_page=True)
    await page.set_viewport_size(DESKTOP)
