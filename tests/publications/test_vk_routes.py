"""The engine with the worker on both VK routes: a clip through a vk.com session, a VK Видео through VK ID.

Each test checks the publication row (status, format, events), what VK holds (/_sandbox/state
and the VK API itself: the Клипы section, the video library, the wall), and what the pages show.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx2
import pytest
from sqlalchemy import func, select

from autopost.connections.models import Connection, ConnectionStatus, connection_error
from autopost.connections.usecases import connect_web_session, set_vk_target
from autopost.db import transaction
from autopost.i18n import render
from autopost.platforms.catalog import ConnectionKind, Platform, PostFormat
from autopost.publications.models import Publication, PublicationStatus
from autopost.refusals import Refused
from autopost.security.sessions import SESSION_COOKIE
from autopost.users.sessions import start_session
from autopost.workspaces.access import resolve_member
from autopost_testing.media import make_clip
from tests.platforms.test_vk_support import Recording
from tests.publications.checks import assert_published_once
from tests.support.stack import Stack, StackFactory

API_VERSION = "5.199"
WEB_TOKEN = re.compile(r'"webToken":\{"access_token":"([^"]+)"')


async def connect_vk_session(stack: Stack) -> Connection:
    """Анна's vk.com session, connected as the settings page does: her cookies.txt, checked live."""
    accounts = await stack.control_api.call("GET", "/accounts")
    [export] = [
        a["credentials"]["cookies_txt"]
        for a in accounts
        if a["platform"] == "vk" and "cookies_txt" in a["credentials"]
    ]
    async with transaction(stack.runtime.session_factory) as session:
        member = await resolve_member(session, await session.merge(stack.user), None)
        return await connect_web_session(session, stack.runtime, member, Platform.VK, export)


async def vk_api(stack: Stack, method: str, **params: Any) -> Any:
    """A VK API call as the vk.com web client (a fresh token from Анна's signed-in page)."""
    async with httpx2.AsyncClient(base_url=stack.sandbox.url, timeout=10) as client:
        page = await client.get(
            "/vkweb/clips", headers={"Cookie": "remixsid=1_sandbox-anna-smirnova-7c41f09be2d84a6f"}
        )
        match = WEB_TOKEN.search(page.text)
        assert match is not None
        answer = await client.post(
            f"/vk/method/{method}",
            data={"v": API_VERSION, **{k: str(v) for k, v in params.items()}},
            headers={"Authorization": f"Bearer {match.group(1)}"},
        )
    return answer.json()["response"]


async def clips_page(stack: Stack) -> str:
    """Клипы as the user sees it in the browser (Russian)."""
    url = stack.serve_web()
    async with transaction(stack.runtime.session_factory) as session:
        cookie = await start_session(session, await session.merge(stack.user), user_agent="tests")
    async with httpx2.AsyncClient(base_url=url, timeout=30, cookies={SESSION_COOKIE: cookie}) as client:
        return (await client.get("/")).text


def format_badge(page: str) -> str:
    return page.split('class="badge badge-neutral post-format"', 1)[1].split(">", 1)[1].split("<", 1)[0]


async def test_a_clip_through_a_vk_web_session_lands_in_the_clips_section_once(stack: Stack) -> None:
    session = await connect_vk_session(stack)
    assert session.kind is ConnectionKind.WEB_SESSION and session.meta["communities"][0]["id"] == 2001
    # «Куда публиковать»: the community, checked live against what VK lets her upload clips to.
    async with transaction(stack.runtime.session_factory) as db:
        session = await set_vk_target(db, stack.runtime, await db.merge(session), 2001)
    await stack.start_worker()
    [publication_id] = await stack.publish(session)

    publication = await stack.wait_for(publication_id)
    post = await assert_published_once(stack, publication)
    assert publication.format is PostFormat.CLIP and publication.attempts == 1
    assert publication.remote_url == f"https://vk.com/clip{publication.remote_id}"
    assert post["owner"] == "-2001" and post["extra"]["path"] == "clips"
    assert publication.checkpoint["listed"] is True
    kinds = await stack.event_kinds(publication_id)
    assert kinds.count("started") == 1 and kinds[-1] == "published"
    # In the community's Клипы section, once; not in its video library, not on its wall.
    section = await vk_api(stack, "shortVideo.getOwnerVideos", owner_id=-2001, count=10)
    assert [f"-2001_{item['id']}" for item in section["items"]] == [publication.remote_id]
    assert (await vk_api(stack, "video.get", owner_id=-2001))["count"] == 0
    assert (await vk_api(stack, "video.get", videos=publication.remote_id))["count"] == 0
    assert (await vk_api(stack, "wall.get", domain="montage_courses"))["count"] == 0
    assert format_badge(await clips_page(stack)) == "Клип"


async def test_a_vk_id_app_gets_error_3_for_clips_and_its_video_says_so(stack_factory: StackFactory) -> None:
    recording = Recording()
    # The operator believes VK opened clips to the app; VK (the sandbox's default) has not.
    stack = await stack_factory(transport=recording, vk={"clips_approved": True})
    vk_id = await stack.connect_vk_id()
    assert vk_id.kind is ConnectionKind.OAUTH
    await stack.start_worker()
    [publication_id] = await stack.publish(vk_id)

    publication = await stack.wait_for(publication_id)
    post = await assert_published_once(stack, publication)
    assert publication.format is PostFormat.VIDEO and post["extra"]["path"] == "video"
    assert publication.remote_url == f"https://vk.com/video{publication.remote_id}"
    # It asked for a clip first (VK answered error 3, creating nothing), then made the video.
    methods = [r.url.path.rsplit("/", 1)[-1] for r in recording.requests if "/method/" in r.url.path]
    assert methods.index("shortVideo.create") < methods.index("video.save")
    assert (await vk_api(stack, "shortVideo.getOwnerVideos", owner_id=1001))["count"] == 0
    assert publication.checkpoint["path"] == "video"
    assert format_badge(await clips_page(stack)) == "Видео"


async def test_a_signed_out_session_makes_the_connection_need_reconnecting(stack: Stack) -> None:
    session = await connect_vk_session(stack)
    await stack.control("/sessions/end", {"platform": "vk"})  # she pressed «Выйти» on vk.com
    await stack.start_worker()
    [publication_id] = await stack.publish(session)

    publication: Publication = await stack.wait_for(publication_id)
    assert publication.status is PublicationStatus.FAILED and publication.error_code == "vk.web_signed_out"
    connection = await stack.connection(session.id)
    assert connection.status is ConnectionStatus.NEEDS_RECONNECT
    assert connection.last_error_code == "vk.web_signed_out"
    message = connection_error(connection, "ru")
    assert message is not None and "Войдите на vk.com снова, выгрузите cookies заново" in message
    assert connection_error(connection, "en") == (
        "The vk.com session has ended: you signed out of VK in the browser or VK ended the sign-in. "
        "Sign in to vk.com again, export the cookies anew and reconnect VK Clips"
    )
    assert await stack.posts(Platform.VK) == []
    assert [call.method for call in stack.calls_of("refresh")] == ["refresh"]


async def test_a_worker_stopped_after_the_upload_is_followed_without_a_second_create(
    stack_factory: StackFactory,
) -> None:
    recording = Recording()
    stack = await stack_factory(transport=recording)
    await stack.control("/config", {"processing_seconds": 3600})  # VK encodes for an hour
    session = await connect_vk_session(stack)
    worker = await stack.start_worker()
    [publication_id] = await stack.publish(session)

    uploading = await stack.wait_for(publication_id, lambda p: bool((p.checkpoint or {}).get("uploaded")))
    await worker.stop()
    saved = uploading.checkpoint
    assert saved["path"] == "clips" and saved["video_hash"] and saved["owner_id"] == 1001
    await stack.control("/clock", {"advance": 3601})

    await stack.start_worker(stack.new_runtime())  # another worker, another process's view
    publication = await stack.wait_for(publication_id)
    await assert_published_once(stack, publication)
    assert publication.remote_id == f"{saved['owner_id']}_{saved['video_id']}"
    creates = [r for r in recording.requests if r.url.path.endswith("/method/shortVideo.create")]
    uploads = [r for r in recording.requests if "/vk/upload/" in r.url.path]
    assert len(creates) == 1 and len(uploads) == 1
    assert publication.format is PostFormat.CLIP


@pytest.mark.parametrize(
    ("seconds", "width", "height", "code", "message"),
    [
        (
            2,
            180,
            320,
            "clip_length_out_of_range",
            "VK Клипы принимают ролики длиной от 3 с до 3 мин, а этот длится 2 с",
        ),
        (
            3,
            320,
            180,
            "clip_not_vertical",
            "VK Клипы принимают вертикальное видео (9:16), а это 320×180. Опубликуйте его в VK Видео",
        ),
    ],
)
async def test_a_clip_vk_clips_do_not_take_is_refused_and_nothing_is_created(
    stack: Stack, tmp_path: Path, seconds: float, width: int, height: int, code: str, message: str
) -> None:
    session = await connect_vk_session(stack)
    clip = await stack.add_clip(make_clip(tmp_path / "odd.mp4", seconds=seconds, width=width, height=height))

    with pytest.raises(Refused) as refused:
        await stack.publish(session, clip=clip)

    assert refused.value.code == code
    assert render(refused.value.code, "ru", **refused.value.params) == message
    async with transaction(stack.runtime.session_factory) as db:
        assert await db.scalar(select(func.count()).where(Publication.clip_id == clip.id)) == 0
    # The same clip is a VK Видео through VK ID: the shape rule is the clip route's alone.
    [publication_id] = await stack.publish(await stack.connect_vk_id(), clip=clip)
    assert (await stack.publication(publication_id)).status is PublicationStatus.SCHEDULED
