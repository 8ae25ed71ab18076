"""Screenshots of every page at desktop and phone width, saved under docs/screenshots/.

Runs the whole stack on this machine — the platform sandbox, the web app, a
worker, SQLite and Redis (AUTOPOST_REDIS_URL, or an embedded one) — makes a
demo user whose clips are in every state through the real flows (OAuth
consent pages, token forms, publishing through the sandbox, stats
collection), and photographs the pages with Debian's Chromium (never a
downloaded browser) driven by Playwright. Install Debian's chromium-l10n too,
or the native date picker is drawn in English.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path

import httpx2
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from autopost.clips.models import Clip
from autopost.clips.sample import make_sample_clip
from autopost.db import transaction, utcnow
from autopost.platforms.catalog import Platform
from autopost.publications.models import Phase, Publication, PublicationStatus
from autopost.runtime import Runtime
from autopost.stats.tasks import collect_connection_stats
from autopost.up import EmbeddedRedis
from autopost.users.plans import Plan
from autopost_sandbox.dzen.accounts import cookie_export as dzen_cookie_export
from autopost_sandbox.mailbox import MailServer
from autopost_testing.demo import DEMO, api_token
from autopost_testing.receiver import Receiver, serve_receiver
from autopost_testing.sandbox import SandboxControl
from autopost_testing.servers import free_port
from autopost_testing.world import World, standalone_world

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Native date pickers render in the browser's own language, not the page's: Chromium on Linux
# takes it from LANGUAGE (and needs Debian's chromium-l10n for anything but English).
CHROMIUM_ENV = {**os.environ, "LANGUAGE": "ru", "LANG": "ru_RU.UTF-8"}
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
EMAIL, PASSWORD = "anna@kursy-montazha.ru", "demo-password-1"
COLLEAGUE = "oleg@kursy-montazha.ru"
CLIPS = [
    "Склейка по движению за 60 секунд",
    "Цветокоррекция: тёплый закат",
    "Звук в кадре: убираем шум",
    "Монтаж подкаста на три камеры",
]


async def make_user(world: World) -> str:
    await world.new_user(COLLEAGUE, plan=Plan.FREE, password=PASSWORD)
    user = await world.new_user(EMAIL, plan=Plan.BUSINESS, password=PASSWORD)
    return await api_token(world.runtime, user, "screenshots")


async def upload_clips(url: str, token: str, workdir: Path) -> list[str]:
    ids = []
    async with httpx2.AsyncClient(
        base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60
    ) as client:
        for index, title in enumerate(CLIPS):
            path = await asyncio.to_thread(
                make_sample_clip, workdir / f"clip{index}.mp4", seconds=5 + 7 * index
            )
            with path.open("rb") as handle:
                answer = await client.post(
                    "/api/v1/clips", files={"file": (path.name, handle, "video/mp4")}, data={"title": title}
                )
            answer.raise_for_status()
            ids.append(str(answer.json()["id"]))
    return ids


async def connect_everything(page: Page, url: str) -> None:
    """Through the pages, as a user: VK by its consent page, Дзен by its session form (the demo
    dzen.ru cookie export), Telegram and Rutube by forms."""
    await page.goto(f"{url}/settings/platforms")
    await page.get_by_role("button", name="Подключить VK").click()
    await page.get_by_role("button", name="Разрешить").click()
    await page.wait_for_url(re.compile(r"connected="))
    dzen = page.locator("#platform-dzen")
    await dzen.get_by_text("Подключить Дзен через сессию браузера").click()
    await dzen.get_by_label("Cookies с dzen.ru").fill(dzen_cookie_export())
    await dzen.locator("#connect-dzen-session").click()
    await page.locator("#platform-dzen .account-row").wait_for()
    telegram = page.locator("#platform-telegram")
    await telegram.get_by_label("Токен бота").fill(DEMO["telegram_bot"])
    await telegram.get_by_label("Канал").fill(DEMO["telegram_channel"])
    await telegram.get_by_role("button", name="Подключить", exact=True).click()
    await page.locator("#platform-telegram .account-row").wait_for()
    rutube = page.locator("#platform-rutube")
    await rutube.get_by_label("Токен Rutube").fill(DEMO["rutube_token"])
    await rutube.get_by_role("button", name="Подключить", exact=True).click()
    await page.locator("#platform-rutube .account-row").wait_for()


async def publish(
    client: httpx2.AsyncClient, clip: str, connections: list[str], at: str | None = None
) -> list[str]:
    body: dict[str, object] = {"targets": [{"connection_id": c} for c in connections]}
    if at:
        body["scheduled_at"] = at
    answer = await client.post(f"/api/v1/clips/{clip}/publish", json=body)
    answer.raise_for_status()
    return [str(p["id"]) for p in answer.json()]


async def wait_terminal(client: httpx2.AsyncClient, ids: list[str]) -> None:
    async with asyncio.timeout(120):
        while True:
            states = [(await client.get(f"/api/v1/publications/{i}")).json()["status"] for i in ids]
            if all(s in ("published", "failed", "cancelled") for s in states):
                return
            await asyncio.sleep(0.3)


async def stage_states(
    url: str, token: str, sandbox: SandboxControl, runtime: Runtime, clips: list[str]
) -> None:
    """Clip 1 published everywhere (with stats), clip 2 failed on Telegram and scheduled on VK,
    clip 3 scheduled, clip 4 caught mid-upload."""
    async with httpx2.AsyncClient(
        base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60
    ) as client:
        connections = {c["platform"]: c["id"] for c in (await client.get("/api/v1/connections")).json()}
        done = await publish(client, clips[0], list(connections.values()))
        await wait_terminal(client, done)
        for _ in range(3):
            await sandbox.advance(900)
            for connection in connections.values():
                await collect_connection_stats(runtime, uuid.UUID(connection))
        await sandbox.fault(platform="telegram", fault="server_error", count=50, on="sendVideo")
        failing = await publish(client, clips[1], [connections["telegram"]])
        await wait_terminal(client, failing)
        await sandbox.clear_faults()
        tomorrow = (utcnow() + timedelta(days=1)).replace(minute=30, second=0, microsecond=0).isoformat()
        await publish(client, clips[1], [connections["vk"]], tomorrow)
        later = (utcnow() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0).isoformat()
        await publish(client, clips[2], [connections["rutube"], connections["dzen"]], later)
    await stage_uploading(runtime, clips[3], connections["dzen"])


async def stage_uploading(runtime: Runtime, clip_id: str, connection: str) -> None:
    """A publication frozen at 42 % (no job behind it), so the progress badge can be photographed."""
    async with transaction(runtime.session_factory) as session:
        clip = await session.get(Clip, uuid.UUID(clip_id))
        assert clip is not None
        session.add(
            Publication(
                workspace_id=clip.workspace_id,
                clip_id=clip.id,
                connection_id=uuid.UUID(connection),
                platform=Platform.DZEN,
                status=PublicationStatus.PUBLISHING,
                phase=Phase.UPLOADING,
                progress=42,
            )
        )


async def shoot(browser: Browser, url: str, out: Path) -> None:
    for size_name, viewport in SIZES.items():
        context = await browser.new_context(viewport=viewport, locale="ru-RU", timezone_id="Europe/Moscow")
        page = await context.new_page()
        await page.goto(f"{url}/login")
        await snap(page, out / f"login-{size_name}.png")
        await login(page, url)
        await snap(page, out / f"clips-{size_name}.png")
        await page.locator(".clip-card").nth(3).get_by_role("button", name="Опубликовать").click()
        await page.locator("dialog[open]").wait_for()
        await page.locator("dialog[open] input[name=account]").first.check()
        await page.locator("dialog[open] details[data-texts]:not([hidden]) summary").first.click()
        await snap(page, out / f"publish-dialog-{size_name}.png", full=False)
        await page.keyboard.press("Escape")
        await page.locator(".clip-card").nth(3).get_by_role("button", name="Запланировать").click()
        await page.locator("dialog[open] fieldset.when").scroll_into_view_if_needed()
        await snap(page, out / f"schedule-dialog-{size_name}.png", full=False)
        await page.keyboard.press("Escape")
        await page.goto(f"{url}/publications")
        await snap(page, out / f"publications-scheduled-{size_name}.png")
        await page.goto(f"{url}/publications?tab=history")
        await snap(page, out / f"publications-history-{size_name}.png")
        await page.goto(f"{url}/settings/platforms")
        await snap(page, out / f"settings-platforms-{size_name}.png")
        await page.locator("#platform-rutube").get_by_role("button", name="Отключить").click()
        await page.locator("dialog[open]").wait_for()
        await snap(page, out / f"disconnect-dialog-{size_name}.png", full=False)
        await page.keyboard.press("Escape")
        await context.close()
    await shoot_english(browser, url, out)
    await shoot_webhooks(browser, url, out)
    await shoot_workspaces(browser, url, out)


async def shoot_workspaces(browser: Browser, url: str, out: Path) -> None:
    """Members with a colleague invited (the mail goes to this script's own SMTP server) and the Log
    of all that was done, at both widths; a new workspace's Settings; the header's switcher, open."""
    context = await browser.new_context(
        viewport=SIZES["desktop"], locale="ru-RU", timezone_id="Europe/Moscow"
    )
    page = await context.new_page()
    await login(page, url)
    await page.goto(f"{url}/settings/members")
    await page.get_by_placeholder("Эл. почта приглашаемого").fill(COLLEAGUE)
    await page.get_by_role("button", name="Отправить приглашение").click()
    await page.wait_for_load_state()
    for size_name, viewport in SIZES.items():
        await page.set_viewport_size(viewport)
        await page.goto(f"{url}/settings/members")
        await snap(page, out / f"settings-members-{size_name}.png")
        await page.goto(f"{url}/settings/audit")
        await snap(page, out / f"settings-audit-{size_name}.png")
    await page.set_viewport_size(SIZES["desktop"])
    await page.goto(f"{url}/settings/workspace")
    await page.get_by_placeholder("Название клиента или бренда").fill("Курсы монтажа")
    await page.get_by_role("button", name="Создать").click()
    await page.wait_for_load_state()
    await snap(page, out / "settings-workspace-desktop.png")
    await page.goto(f"{url}/")
    await page.locator("#workspace-switcher").click()
    await snap(page, out / "workspace-switcher-desktop.png", full=False)
    await context.close()


async def add_webhook(url: str, token: str, receiver: Receiver) -> None:
    """A receiver for every event, registered before the publications it will hear of."""
    events = [
        "publication.published",
        "publication.failed",
        "publication.cancelled",
        "connection.needs_reconnect",
    ]
    async with httpx2.AsyncClient(
        base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60
    ) as client:
        made = await client.post("/api/v1/webhooks", json={"url": receiver.url, "events": events})
        made.raise_for_status()


async def shoot_webhooks(browser: Browser, url: str, out: Path) -> None:
    """Settings → Webhooks with its delivery log, and the secret shown once after «Новый секрет»."""
    for size_name, viewport in SIZES.items():
        context = await browser.new_context(viewport=viewport, locale="ru-RU", timezone_id="Europe/Moscow")
        page = await context.new_page()
        await login(page, url)
        await page.goto(f"{url}/settings/webhooks")
        await snap(page, out / f"settings-webhooks-{size_name}.png")
        await page.get_by_role("button", name="Новый секрет").click()
        await page.locator("#secret").wait_for()
        await snap(page, out / f"webhook-secret-{size_name}.png", full=False)
        await context.close()


async def shoot_english(browser: Browser, url: str, out: Path) -> None:
    context: BrowserContext = await browser.new_context(
        viewport=SIZES["desktop"], locale="en-GB", timezone_id="Europe/Moscow"
    )
    page = await context.new_page()
    await login(page, url)
    await page.get_by_role("button", name="English").click()
    await page.wait_for_load_state()
    await snap(page, out / "clips-english-desktop.png")
    await page.get_by_role("button", name="Русский").click()
    await context.close()


async def login(page: Page, url: str) -> None:
    await page.goto(f"{url}/login")
    await page.get_by_label(re.compile("Электронная почта|Email")).fill(EMAIL)
    await page.get_by_label(re.compile("Пароль|Password")).fill(PASSWORD)
    await page.get_by_role("button", name=re.compile("Войти|Log in")).click()
    await page.wait_for_url(f"{url}/")


async def snap(page: Page, path: Path, full: bool = True) -> None:
    await page.wait_for_timeout(300)  # let HTMX settle and fonts load
    await page.screenshot(path=str(path), full_page=full)
    print(f"  {path}")


async def main(out: Path) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="autopost-screens-"))
    embedded = None if os.environ.get("AUTOPOST_REDIS_URL") else EmbeddedRedis(workdir / "redis.db")
    # Invitations go out by mail: to a local SMTP server that keeps them.
    mail = MailServer(free_port()).start()
    redis_url = os.environ.get("AUTOPOST_REDIS_URL") or embedded.start()  # type: ignore[union-attr]
    # The first delivery is answered 500, so the log shows a retried one as well.
    try:
        with serve_receiver(answers=[500]) as receiver:
            await shoot_world(workdir, redis_url, receiver, mail, out)
    finally:
        mail.stop()
        if embedded is not None:
            embedded.stop()


async def shoot_world(workdir: Path, redis_url: str, receiver: Receiver, mail: MailServer, out: Path) -> None:
    async with standalone_world(
        workdir,
        postgres=False,
        sandbox_process=False,
        redis_url=redis_url,
        min_schedule_lead_seconds=300,
        processing_poll_seconds=0.2,
        sweep_interval_seconds=1,
        worker_lock_seconds=30,
        stats_refresh_hours=0,
        redis_namespace=f"screens{uuid.uuid4().hex[:8]}",
        allowed_internal_hosts=f"127.0.0.1:{receiver.port}",
        webhook_backoff_seconds=1,
        alerts_interval_seconds=0.5,
        smtp_url=mail.url,
    ) as world:
        await world.start_worker()
        url = world.serve_app()
        assert world.sandbox is not None
        token = await make_user(world)
        await add_webhook(url, token, receiver)
        clips = await upload_clips(url, token, workdir)
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, env=CHROMIUM_ENV
            )
            setup = await browser.new_page()
            await login(setup, url)
            await connect_everything(setup, url)
            await stage_states(url, token, world.sandbox, world.runtime, clips)
            await shoot(browser, url, out)
            await browser.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parents[1] / "docs" / "screenshots")
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    asyncio.run(main(out))
