"""Story 20 in the browser: an owner adds a webhook in Settings → «Вебхуки», copies its secret
(shown once), a publication reaches the receiver after a 500, and «Повторить» sends it again."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx2
import pytest
import pytest_asyncio
from playwright.async_api import Page, expect

from autopost_testing.media import make_clip
from autopost_testing.receiver import Receiver, serve_receiver
from autopost_testing.world import REDIS_URL, World, world_settings
from tests.conftest import Sandbox
from tests.web.browser.conftest import Stack, go, login
from tests.webhooks.support import verify

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with serve_receiver(answers=[500]) as served:
        yield served


@pytest_asyncio.fixture(loop_scope="session")
async def hook_stack(
    tmp_path: Path, database_url: str, sandbox: Sandbox, receiver: Receiver
) -> AsyncIterator[Stack]:
    settings = world_settings(
        tmp_path,
        database_url,
        sandbox_url=sandbox.url,
        stats_refresh_hours=0,
        allowed_internal_hosts=f"127.0.0.1:{receiver.port}",
        alerts_interval_seconds=0.2,
        webhook_backoff_seconds=0.2,
    )
    world = World(settings, REDIS_URL, sandbox_url=sandbox.url)
    try:
        await world.start_worker(concurrency=4)
        clip_file = make_clip(tmp_path / "clip.mp4", seconds=1)
        yield Stack(world=world, sandbox=sandbox, clip_file=clip_file, url=world.serve_app())
    finally:
        await world.close()


async def _publish(stack: Stack, token: str) -> None:
    clip = await stack.upload_clip(token, "Склейка по движению")
    async with httpx2.AsyncClient(base_url=stack.url, headers={"Authorization": f"Bearer {token}"}) as client:
        [connection] = (await client.get("/api/v1/connections")).json()
        made = await client.post(
            f"/api/v1/clips/{clip}/publish", json={"targets": [{"connection_id": connection["id"]}]}
        )
        assert made.status_code == 201, made.text


async def _received(receiver: Receiver, count: int) -> None:
    async def wait() -> None:
        while len(receiver.received) < count:
            await asyncio.sleep(0.1)

    await asyncio.wait_for(wait(), timeout=45)


async def test_add_a_webhook_copy_its_secret_and_retry_a_delivery(
    page: Page, hook_stack: Stack, receiver: Receiver
) -> None:
    email, token = await hook_stack.new_user()
    await hook_stack.connect_telegram(token, "@clipmaker_demo")
    await login(page, hook_stack, email)
    await go(page, "Вебхуки")
    await expect(page.get_by_text("Вебхуков пока нет.")).to_be_visible()

    await page.get_by_label("Адрес приёмника").fill(receiver.url)
    await page.get_by_label("Публикация опубликована").check()
    await page.get_by_label("Публикация не удалась").check()
    await page.get_by_role("button", name="Добавить", exact=True).click()
    secret_field = page.get_by_label("Секрет", exact=True)
    await expect(secret_field).to_be_visible()
    secret = await secret_field.input_value()
    assert secret.startswith("whsec_")
    await page.get_by_role("button", name="Скопировать").click()
    assert await page.evaluate("window.getSelection().toString() || document.activeElement.value") == secret

    await _publish(hook_stack, token)
    await _received(receiver, 2)  # a 500, then the same delivery again
    assert receiver.received[0].body == receiver.received[1].body
    assert all(verify(secret, r) for r in receiver.received)
    delivery_id = json.loads(receiver.received[0].body)["id"]

    await page.goto(f"{hook_stack.url}/settings/webhooks")  # not a reload: that would post the form again
    await expect(page.get_by_label("Секрет", exact=True)).to_have_count(0)  # shown once
    row = page.locator(f"#delivery-{delivery_id}")
    await expect(row).to_contain_text("Доставлено · HTTP 200")
    await expect(row.locator("td").nth(3)).to_have_text("2")
    await row.get_by_role("button", name="Повторить").click()
    await expect(page.locator("#notice")).to_contain_text("Отправлено ещё раз")
    await _received(receiver, 3)
    assert json.loads(receiver.received[2].body)["id"] == delivery_id
    await page.reload()
    await expect(page.locator(f"#delivery-{delivery_id} td").nth(3)).to_have_text("3")
