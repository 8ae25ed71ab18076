"""Deleting a clip from its card: the confirmation names the scheduled publications it cancels, and
exactly those are cancelled (with their reason) before the clip and its files go."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from autopost.clips.usecases import delete_clip
from autopost.platforms.catalog import Platform
from autopost.publications.models import PublicationEvent, PublicationStatus
from autopost.queue import Outbox
from autopost.runtime import Runtime
from autopost.users.service import get_user_by_email
from autopost.workspaces.usecases import acting_member
from autopost_testing.world import REDIS_URL
from tests.support.api import Api
from tests.web.support import add_publication, csrf_of, htmx, in_database, login, new_user, visible_text


def _schedule(api: Api, token: str, clip: str, connections: list[str]) -> None:
    with api.client(token) as client:
        made = client.post(
            f"/api/v1/clips/{clip}/publish",
            json={
                "targets": [{"connection_id": c} for c in connections],
                "scheduled_at": "2030-01-01T12:00:00+03:00",
            },
        )
    assert made.status_code == 201, made.text


def test_the_confirmation_names_what_is_cancelled_and_the_notice_the_same(api: Api) -> None:
    email, token = new_user(api)
    clip = str(api.upload_clip(token, title="Урок 3")["id"])
    channels = [api.add_connection(email, Platform.TELEGRAM, f"-10010000000{n}") for n in (1, 2)]
    _schedule(api, token, clip, channels)
    vk = api.add_connection(email, Platform.VK)
    add_publication(api, email, clip, vk, status=PublicationStatus.PUBLISHED)  # history, not cancelled
    with login(api, email) as browser:
        page = browser.get("/").text
        assert f'id="delete-{clip}"' in page
        dialog = visible_text(browser.get(f"/clips/{clip}/delete").text)
        assert "Удалить клип «Урок 3»?" in dialog
        assert "Будут отменены 2 запланированные публикации." in dialog
        done = browser.post(f"/clips/{clip}/delete", headers=htmx(browser, csrf_of(page)))
        assert done.status_code == 200
        assert f'id="clip-{clip}" hx-swap-oob="delete"' in done.text
        notice = visible_text(done.text)
        assert "Клип «Урок 3» удалён. Отменены 2 запланированные публикации." in notice
        assert f"clip-{clip}" not in browser.get("/").text
    with api.client(token) as client:
        assert client.get(f"/api/v1/clips/{clip}").status_code == 404
        assert client.get("/api/v1/publications").json() == []
    assert not [p for p in api.settings.resolved_storage_dir.rglob("*") if p.is_file()]


def test_the_use_case_cancels_with_the_reason_and_takes_the_jobs_back(api: Api) -> None:
    email, token = new_user(api)
    clip = str(api.upload_clip(token)["id"])
    channel = api.add_connection(email, Platform.TELEGRAM, "-100100000009")
    _schedule(api, token, clip, [channel])

    async def delete_and_look(session: AsyncSession) -> tuple[int, list[object], Outbox]:
        user = await get_user_by_email(session, email)
        assert user is not None
        member = await acting_member(session, user, None)
        runtime = Runtime.create(api.settings, REDIS_URL)
        outbox = Outbox()
        try:
            cancelled = await delete_clip(session, outbox, runtime, member, uuid.UUID(clip))
        finally:
            await runtime.close()
        # The history entries as written, before the clip's delete cascades to them on flush.
        events = [e.data.get("by") for e in session.new if isinstance(e, PublicationEvent)]
        await session.rollback()
        return cancelled, events, outbox

    cancelled, reasons, outbox = in_database(api.settings, delete_and_look)
    assert cancelled == 1 and reasons == ["clip_deleted"]
    [(publication_id, platform)] = outbox._removals  # its delayed job is taken back after the commit
    assert platform is Platform.TELEGRAM
    with api.client(token) as client:
        [kept] = client.get("/api/v1/publications").json()  # rolled back here: still scheduled
    assert kept["id"] == str(publication_id) and kept["status"] == "scheduled"
