"""The engine with the worker on Дзен's editor protocol: a publish end to end, a signed-out or
forbidden session needing reconnecting, and a worker SIGKILLed mid-TUS-upload resuming at the
upload host's offset with one publication and the clip's exact bytes."""

from __future__ import annotations

import asyncio
import json
import secrets
import signal
from pathlib import Path

import pytest

from autopost.connections.models import Connection, ConnectionStatus, connection_error
from autopost.connections.usecases import connect_web_session
from autopost.db import transaction
from autopost.platforms.catalog import ConnectionKind, Platform
from autopost.publications.models import PublicationStatus
from autopost.workspaces.access import resolve_member
from autopost_sandbox.dzen.accounts import CHANNEL, EDITOR
from tests.publications.checks import assert_published_once
from tests.support.stack import Stack, StackFactory
from tests.support.worker_process import start_worker_process

CHUNK = 4 * 1024 * 1024  # the provider's default PATCH size, as dzen.ru's own uploader sends


async def connect_dzen_session(stack: Stack) -> Connection:
    """Анна's dzen.ru session, connected as the settings page does: her cookies.txt, checked live."""
    accounts = await stack.control_api.call("GET", "/accounts")
    [export, _] = [a["credentials"]["cookies_txt"] for a in accounts if a["platform"] == "dzen"]
    async with transaction(stack.runtime.session_factory) as session:
        member = await resolve_member(session, await session.merge(stack.user), None)
        return await connect_web_session(session, stack.runtime, member, Platform.DZEN, export)


async def test_a_clip_is_published_to_dzen_through_the_session_once(stack: Stack) -> None:
    dzen = await connect_dzen_session(stack)
    assert (dzen.kind, dzen.account_id, dzen.account_name) == (
        ConnectionKind.WEB_SESSION,
        CHANNEL.publisher_id,
        CHANNEL.name,
    )
    await stack.start_worker()
    [publication_id] = await stack.publish(dzen, title="Урок 1: склейка")
    publication = await stack.wait_for(publication_id)
    assert publication.status is PublicationStatus.PUBLISHED, publication.error_code
    assert publication.remote_url == f"https://dzen.ru/shorts/{publication.remote_id}"
    await assert_published_once(stack, publication)
    [post] = await stack.posts(Platform.DZEN)
    assert (post["status"], post["title"]) == ("published", "Урок 1: склейка")
    assert (post["sha256"], post["bytes"]) == (stack.clip.sha256, stack.clip.size_bytes)
    # The session stays sealed in the connection: never in its meta, the checkpoint or the history.
    events = [e.data for e in await stack.events(publication_id)]
    connection = await stack.connection(dzen.id)
    for seen in (connection.meta, publication.checkpoint, events):
        assert EDITOR.session not in json.dumps(seen, ensure_ascii=False)


@pytest.mark.parametrize(
    ("end_it", "code", "ru", "en"),
    [
        (
            ("/sessions/end", {"platform": "dzen"}),  # she pressed «Выйти» on dzen.ru
            "dzen.session_ended",
            "Войдите на dzen.ru снова, выгрузите cookies заново",
            "The dzen.ru session has ended: you signed out of Dzen in the browser or Yandex ended the sign-in. "
            "Sign in to dzen.ru again, export the cookies anew and reconnect Dzen",
        ),
        (
            ("/faults", {"platform": "dzen", "fault": "forbidden", "on": "add-publication"}),
            "dzen.forbidden",
            "Войдите на dzen.ru как владелец или редактор канала",
            "Dzen no longer lets this session publish to the channel. Sign in to dzen.ru as the channel's owner "
            "or editor, export the cookies anew and reconnect Dzen",
        ),
    ],
)
async def test_a_session_that_may_no_longer_publish_needs_reconnecting(
    stack: Stack, end_it: tuple[str, dict[str, str]], code: str, ru: str, en: str
) -> None:
    dzen = await connect_dzen_session(stack)
    await stack.control(*end_it)
    await stack.start_worker()
    [publication_id] = await stack.publish(dzen)

    publication = await stack.wait_for(publication_id)
    assert (publication.status, publication.error_code) == (PublicationStatus.FAILED, code)
    connection = await stack.connection(dzen.id)
    assert (connection.status, connection.last_error_code) == (ConnectionStatus.NEEDS_RECONNECT, code)
    message = connection_error(connection, "ru")
    assert message is not None and ru in message
    assert connection_error(connection, "en") == en
    assert all(post["status"] == "draft" for post in await stack.posts(Platform.DZEN))
    assert [call.method for call in stack.calls_of("refresh")] == ["refresh"]


async def test_a_worker_killed_mid_tus_upload_resumes_at_the_servers_offset(
    database_url: str, stack_factory: StackFactory, tmp_path: Path
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL only: worker processes sharing one database is the PostgreSQL deployment")
    stack = await stack_factory()
    dzen = await connect_dzen_session(stack)
    big = tmp_path / "big.mp4"
    big.write_bytes(b"\x00\x00\x00\x18ftypmp42" + secrets.token_bytes(10 * CHUNK))
    clip = await stack.add_clip(big)
    # Every chunk is held back half a second by the upload host, so the kill lands mid-upload.
    await stack.fault(Platform.DZEN, "timeout", on="tus.patch", rate=1.0, delay=0.5)
    workers = dict(start_worker_process(stack, name, Platform.DZEN) for name in ("one", "two"))
    try:
        [publication_id] = await stack.publish(dzen, clip=clip)
        while (await stack.publication(publication_id)).checkpoint.get("offset", 0) < 2 * CHUNK:
            assert all(w.poll() is None for w in workers), [log.read_text() for log in workers.values()]
            await asyncio.sleep(0.02)
        [started] = [e for e in await stack.events(publication_id) if e.kind == "started"]
        [doomed] = [w for w in workers if started.data["worker"].endswith(f":{w.pid}")]
        doomed.send_signal(signal.SIGKILL)
        assert doomed.wait(timeout=10) == -signal.SIGKILL
        mid_upload = (await stack.publication(publication_id)).checkpoint
        [upload] = (await stack.sandbox_state())["uploads"]
        assert 2 * CHUNK <= upload["offset"] < clip.size_bytes
        await stack.control_api.clear_faults()

        publication = await stack.wait_for(publication_id, timeout=90)
        assert publication.status is PublicationStatus.PUBLISHED, [
            log.read_text() for log in workers.values()
        ]
    finally:
        for process in workers:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)

    # One draft, the killed worker's, published with the clip's exact bytes.
    [post] = await stack.posts(Platform.DZEN)
    assert post["remote_id"] == publication.remote_id == mid_upload["remote_id"]
    assert (post["sha256"], post["bytes"]) == (clip.sha256, clip.size_bytes)
    # The upload went on from the host's offset: one upload, no chunk sent twice from the start.
    [upload] = (await stack.sandbox_state())["uploads"]
    assert upload["id"] == mid_upload["upload_id"] and upload["complete"]
    assert upload["patches"] <= -(-clip.size_bytes // CHUNK) + 1
    assert publication.attempts == 1
    kinds = await stack.event_kinds(publication_id)
    assert kinds.count("started") == 1 and kinds[-1] == "published"
