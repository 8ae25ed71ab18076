"""Story 17 in the browser: an editor's publication waits «На согласовании»; the approver opens the
dialog, is told its time has passed, chooses «Опубликовать сейчас», and it goes out once."""

from __future__ import annotations

import os
from pathlib import Path

import httpx2
import pytest
from playwright.async_api import Locator, Page, expect

from tests.support.mail import invitation_token, shared_mail_server
from tests.web.browser.conftest import DESKTOP, PHONE, Stack, go, login

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _team(stack: Stack) -> tuple[tuple[str, str], str, str]:
    """An owner with approval on, a Telegram channel and two clips an editor has published
    (one now, one for later); returns the approver's (email, token) and the owner's email."""
    owner, owner_token = await stack.new_user()
    editor, editor_token = await stack.new_user()
    approver = await stack.new_user()
    await stack.connect_telegram(owner_token, "@clipmaker_demo")
    clips = [await stack.upload_clip(owner_token, title) for title in ("Склейка по движению", "Тёплый закат")]
    async with httpx2.AsyncClient(
        base_url=stack.url, headers={"Authorization": f"Bearer {owner_token}"}
    ) as client:
        workspace = (await client.get("/api/v1/me")).json()["workspace_id"]
        await client.patch(f"/api/v1/workspaces/{workspace}", json={"approval_required": True})
        for (email, token), role in (((editor, editor_token), "editor"), (approver, "approver")):
            added = await client.post(
                f"/api/v1/workspaces/{workspace}/members", json={"email": email, "role": role}
            )
            assert added.status_code == 201, added.text
            # They join by the mailed link, as an invited person does (tests/workspaces).
            link = invitation_token(shared_mail_server().mailbox, email.lower())
            joined = await client.post(
                "/api/v1/workspaces/join", json={"token": link}, headers={"Authorization": f"Bearer {token}"}
            )
            assert joined.status_code == 200, joined.text
        [connection] = (await client.get("/api/v1/connections")).json()
    headers = {"Authorization": f"Bearer {editor_token}", "X-Workspace-Id": workspace}
    async with httpx2.AsyncClient(base_url=stack.url, headers=headers) as client:
        for clip, at in zip(clips, (None, "2030-01-01T12:00:00+03:00"), strict=True):
            made = await client.post(
                f"/api/v1/clips/{clip}/publish",
                json={"targets": [{"connection_id": connection["id"]}], "scheduled_at": at},
            )
            assert made.json()[0]["status"] == "awaiting_approval"
    return approver, owner, connection["id"]


async def _shoot(page: Page, name: str, tmp_path: Path, shown: Locator) -> None:
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        await page.set_viewport_size(viewport)
        await shown.scroll_into_view_if_needed()
        shot = Path(os.environ.get("AUTOPOST_SCREENSHOTS", tmp_path)) / f"{name}-{size}.png"
        await page.screenshot(path=str(shot))
    await page.set_viewport_size(DESKTOP)


async def test_an_approver_approves_a_publication_whose_time_has_passed(
    page: Page, stack: Stack, tmp_path: Path
) -> None:
    (approver, _), owner, _ = await _team(stack)
    await login(page, stack, approver)
    await page.locator("#workspace-switcher").click()
    await page.get_by_role("button", name=owner).click()
    await go(page, "Публикации")
    row = page.locator("tr", has_text="Склейка по движению")
    await expect(page.locator(".badge-amber")).to_have_count(2)
    await expect(row.locator(".badge-amber")).to_have_text("На согласовании")
    await _shoot(page, "approval-awaiting", tmp_path, row.get_by_role("button", name="Отклонить"))
    assert stack.posts() == []

    await row.get_by_role("button", name="Согласовать").click()
    dialog = page.locator("dialog#approve-dialog[open]")
    await expect(dialog).to_contain_text(
        "Время публикации прошло: опубликовать сейчас или выбрать новое время"
    )
    await expect(dialog.get_by_label("Опубликовать сейчас")).to_be_checked()
    # The new time is asked for only once it is chosen.
    await expect(dialog.get_by_label("Дата и время", exact=False)).to_be_hidden()
    await dialog.get_by_label("Выбрать новое время").check()
    await expect(dialog.get_by_label("Дата и время", exact=False)).to_be_visible()
    await _shoot(page, "approval-dialog", tmp_path, dialog)
    await dialog.get_by_label("Опубликовать сейчас").check()
    await dialog.get_by_role("button", name="Согласовать").click()
    await expect(page.locator("#notice")).to_contain_text("Публикация согласована")
    await expect(dialog).to_have_count(0)
    await expect(row.locator(".badge-green")).to_have_text("Опубликовано", timeout=60_000)
    # The other one still waits: only the approved one went out, once.
    await expect(page.locator(".badge-amber")).to_have_count(1)
    posts = [post for post in stack.posts() if post["platform"] == "telegram"]
    assert len(posts) == 1 and "Склейка по движению" in f"{posts[0]['title']} {posts[0]['caption']}"
