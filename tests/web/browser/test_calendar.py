"""Story 11 in the browser: a week of 10 clips × 4 platforms on the calendar; drag a chip (Shift: the
clip everywhere), move one with the arrow keys, and a dragged publication reaches the platform at its
new time through the real worker and the sandbox."""

from __future__ import annotations

import os
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx2
import pytest
from playwright.async_api import Locator, Page, expect

from autopost.platforms.catalog import Platform
from autopost.publications.models import PublicationStatus
from autopost.users.models import User
from autopost_testing.demo import api_token, connect_demo, store_clip
from tests.web.browser.conftest import DESKTOP, PASSWORD, PHONE, Stack, go, login

pytestmark = pytest.mark.asyncio(loop_scope="session")

MOSCOW = ZoneInfo("Europe/Moscow")
PLATFORMS = (Platform.VK, Platform.TELEGRAM, Platform.RUTUBE, Platform.DZEN)


async def _world(stack: Stack) -> tuple[User, str, dict[Platform, str]]:
    user = await stack.world.new_user(password=PASSWORD)
    connections = {p: str((await connect_demo(stack.runtime, user, p)).id) for p in PLATFORMS}
    return user, await api_token(stack.runtime, user), connections


async def _schedule(stack: Stack, token: str, clip: str, connections: list[str], at: datetime) -> list[str]:
    """The API's publish with a time, as КлипМейкер (or the publish dialog) schedules a clip."""
    async with httpx2.AsyncClient(
        base_url=stack.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as client:
        answer = await client.post(
            f"/api/v1/clips/{clip}/publish",
            json={"targets": [{"connection_id": c} for c in connections], "scheduled_at": at.isoformat()},
        )
    assert answer.status_code == 201, answer.text
    return [str(p["id"]) for p in answer.json()]


async def _scheduled_at(stack: Stack, publication_id: str) -> datetime:
    publication = await stack.world.publication(uuid.UUID(publication_id))
    assert publication.scheduled_at is not None
    return publication.scheduled_at.astimezone(MOSCOW)


def _next_monday() -> date:
    today = datetime.now(MOSCOW).date()
    return today + timedelta(days=7 - today.weekday())


async def _week_of_ten_clips(stack: Stack, user: User, token: str, connections: dict[Platform, str]):  # type: ignore[no-untyped-def]
    """Two clips a day, Monday to Friday of next week, on all four platforms; the tenth clip is half
    an hour after the ninth (a conflict on every account)."""
    monday, every = _next_monday(), list(connections.values())
    plan: dict[str, list[str]] = {}
    for n in range(10):
        clip = await store_clip(stack.runtime, user, stack.clip_file, title=f"Урок {n + 1}")
        day = monday + timedelta(days=n // 2)
        hour, minute = (10, 0) if n % 2 == 0 else (18, 0)
        if n == 9:
            hour, minute = 10, 30
        at = datetime(day.year, day.month, day.day, hour, minute, tzinfo=MOSCOW)
        plan[str(clip.id)] = await _schedule(stack, token, str(clip.id), every, at)
    return monday, plan


async def _drag_with_shift(page: Page, chip: Locator, day: Locator) -> None:
    """Shift goes down once the drag has started, as a user's hand does (Shift on the press itself
    would extend a text selection instead of dragging)."""
    await chip.hover()
    await page.mouse.down()
    box = await day.bounding_box()
    assert box is not None
    await page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=5)
    await page.keyboard.down("Shift")
    await page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2 + 4)
    await page.mouse.up()
    await page.keyboard.up("Shift")


async def _shoot(page: Page, name: str, tmp_path: Path) -> None:
    folder = Path(os.environ.get("AUTOPOST_SCREENSHOTS", tmp_path))
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        await page.set_viewport_size(viewport)
        await page.screenshot(path=str(folder / f"calendar-{name}-{size}.png"), full_page=True)
    await page.set_viewport_size(DESKTOP)


async def test_forty_chips_drag_shift_drag_and_arrow_keys(page: Page, stack: Stack, tmp_path: Path) -> None:
    user, token, connections = await _world(stack)
    monday, plan = await _week_of_ten_clips(stack, user, token, connections)
    await login(page, stack, user.email)
    await go(page, "Календарь")
    await expect(page.get_by_role("heading", name="Календарь", level=1)).to_be_visible()
    await page.get_by_role("link", name="Следующая неделя").click()
    await expect(page).to_have_url(f"{stack.url}/calendar?view=week&date={monday.isoformat()}")
    chips = page.locator("#calendar .chip")
    await expect(chips).to_have_count(40)
    await expect(page.locator("#calendar .chip-conflict")).to_have_count(8)
    await _shoot(page, "week", tmp_path)

    # Drag the first clip's VK chip from Monday to Saturday: that publication alone moves.
    first = next(iter(plan.values()))
    vk_chip = page.locator(f"#chip-{first[0]}")
    saturday = page.locator(f'.calendar-day[data-day="{(monday + timedelta(days=5)).isoformat()}"]')
    await vk_chip.drag_to(saturday)
    await expect(page.locator("#notice")).to_contain_text("Публикация перенесена")
    await expect(saturday.locator(f"#chip-{first[0]}")).to_be_visible()
    assert await _scheduled_at(stack, first[0]) == datetime.combine(
        monday + timedelta(days=5), datetime.min.time().replace(hour=10), MOSCOW
    )
    assert await _scheduled_at(stack, first[1]) == datetime.combine(
        monday, datetime.min.time().replace(hour=10), MOSCOW
    )

    # Shift-drag the second clip's Telegram chip from Monday 18:00 to Tuesday: all four move a day.
    second = list(plan.values())[1]
    tuesday = page.locator(f'.calendar-day[data-day="{(monday + timedelta(days=1)).isoformat()}"]')
    await _drag_with_shift(page, page.locator(f"#chip-{second[1]}"), tuesday)
    await expect(page.locator("#notice")).to_contain_text("Клип перенесён на всех платформах (4)")
    for publication in second:
        await expect(tuesday.locator(f"#chip-{publication}")).to_be_visible()
        assert (await _scheduled_at(stack, publication)).date() == monday + timedelta(days=1)

    # The keyboard: focus a chip, → moves it a day later; focus stays on it.
    third = list(plan.values())[2][3]
    await page.locator(f"#chip-{third}").focus()
    await page.keyboard.press("ArrowRight")
    await expect(page.locator("#notice")).to_contain_text("Публикация перенесена")
    # The redrawn chip, in its new day: the old one keeps focus until the swap replaces it,
    # and Enter on the old one would open nothing.
    wednesday = (monday + timedelta(days=2)).isoformat()
    moved = page.locator(f'.calendar-day[data-day="{wednesday}"] #chip-{third}')
    await expect(moved).to_be_visible()
    await expect(moved).to_be_focused()
    # HTMX done with the move (request, swap and settle) before the next key: under load the
    # settle step can still be replacing nodes when Enter arrives.
    await page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )
    # Enter opens the clip's publications with «Перенести…»: a date and time, for the whole clip.
    await page.keyboard.press("Enter")
    panel = page.locator("dialog#calendar-panel[open]")
    await expect(panel.get_by_role("heading", name="Урок 3")).to_be_visible()
    await _shoot(page, "panel", tmp_path)
    await panel.get_by_label("Дата и время (Москва, UTC+3)").fill(f"{wednesday}T12:30")
    await panel.get_by_label("Клип на всех платформах").check()
    await panel.get_by_role("button", name="Перенести", exact=True).click()
    await expect(panel).to_have_count(0)
    await expect(page.locator("#notice")).to_contain_text("Клип перенесён на всех платформах (4)")
    await expect(page.locator(f"#chip-{third}")).to_be_focused()
    assert await _scheduled_at(stack, third) == datetime.fromisoformat(f"{wednesday}T12:30").replace(
        tzinfo=MOSCOW
    )

    await page.get_by_role("link", name="Месяц").click()
    await expect(page).to_have_url(f"{stack.url}/calendar?view=month&date={monday.isoformat()}")
    await _shoot(page, "month", tmp_path)


async def test_a_dragged_publication_reaches_the_platform_at_its_new_time(page: Page, stack: Stack) -> None:
    user, token, connections = await _world(stack)
    clip = await store_clip(stack.runtime, user, stack.clip_file, title="Срочный анонс")
    # Tomorrow, a minute from now: dragged onto today it falls due within the minute.
    soon = datetime.now(MOSCOW).replace(microsecond=0) + timedelta(minutes=1)
    [publication] = await _schedule(
        stack, token, str(clip.id), [connections[Platform.TELEGRAM]], soon + timedelta(days=1)
    )
    await login(page, stack, user.email)
    today, tomorrow = soon.date(), soon.date() + timedelta(days=1)
    chip = page.locator(f"#chip-{publication}")
    if tomorrow.weekday() == 0 and tomorrow.day == 1:
        # A Sunday that ends a month: no view holds both days, so the arrow key moves it instead.
        await page.goto(f"{stack.url}/calendar?view=week&date={tomorrow.isoformat()}")
        await chip.focus()
        await page.keyboard.press("ArrowLeft")
    else:
        # The week holds today and tomorrow, unless today is a Sunday: then the month does.
        span = "week" if tomorrow.weekday() != 0 else "month"
        await page.goto(f"{stack.url}/calendar?view={span}&date={today.isoformat()}")
        await chip.drag_to(page.locator(f'.calendar-day[data-day="{today.isoformat()}"]'))
    await expect(page.locator("#notice")).to_contain_text("Публикация перенесена")
    assert await _scheduled_at(stack, publication) == soon

    done = await stack.world.wait_for(uuid.UUID(publication), timeout=120)
    assert done.status is PublicationStatus.PUBLISHED
    [post] = [p for p in stack.posts() if p["platform"] == "telegram"]
    # Received at the new time: not before it, and a day before the old one.
    assert soon.timestamp() <= float(str(post["created_at"])) < (soon + timedelta(days=1)).timestamp()
    await page.reload()
    await expect(page.locator(f"#chip-{publication}.chip-published")).to_be_visible()
