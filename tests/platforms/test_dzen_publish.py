"""Publishing to Дзен through the sandbox over real HTTP: the editor protocol end to end, resume, limits."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx2
import pytest

from autopost.platforms.base import PublishState
from autopost.platforms.errors import OutcomeUnknown, Permanent
from autopost.platforms.throttle import UnitLimiter
from autopost_sandbox.dzen.accounts import CHANNEL, READER
from tests.conftest import Sandbox
from tests.platforms.dzen_support import (
    CHUNK,
    CountingTransport,
    Recorder,
    add_fault,
    clip_source,
    posts,
    provider,
    publish_until_done,
    session_of,
    state,
)

EDITOR_STEPS = [
    "POST /dzen/media-api-video/validate-video",
    "POST /dzen/editor-api/v2/add-publication",
    "POST /dzen/media-api-video/start-upload-video",
    "POST /dzen/media-api-video/finish-upload-video",
    f"GET /dzen/editor-api/v2/publisher/{CHANNEL.publisher_id}/publication/",
    "POST /dzen/editor-api/v2/update-publication-content-and-publish",
]


async def test_verify_says_who_is_signed_in_and_which_channel_they_publish_to(sandbox: Sandbox) -> None:
    account = await provider(sandbox).verify(credentials=session_of(connected=False))
    assert (account.account_id, account.name) == (CHANNEL.publisher_id, CHANNEL.name)
    assert account.meta["publisher_id"] == CHANNEL.publisher_id
    assert account.meta["signed_in_as"] == "Анна Монтажёрова"


async def test_a_session_without_a_channel_cannot_connect(sandbox: Sandbox) -> None:
    with pytest.raises(Permanent) as refused:
        await provider(sandbox).verify(credentials=session_of(READER, connected=False))
    assert refused.value.code == "dzen.no_channel"


async def test_a_clip_is_published_end_to_end_once_with_its_exact_bytes(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    clip = clip_source(tmp_path / "lesson.mp4")
    transport, recorder = CountingTransport(), Recorder()
    results = await publish_until_done(sandbox, provider(sandbox, transport), recorder, session_of(), clip)

    done = results[-1]
    assert done.state is PublishState.PUBLISHED and results[0].state is PublishState.PROCESSING
    [post] = posts(sandbox)
    assert post["remote_id"] == done.remote_id == recorder.last["remote_id"]
    assert done.remote_url == f"https://dzen.ru/shorts/{done.remote_id}"
    assert (post["status"], post["title"], post["caption"]) == (
        "published",
        "Монтаж за 60 секунд",
        "Урок 1: склейка",
    )
    assert (post["bytes"], post["sha256"]) == (clip.size, clip.sha256)
    assert post["owner"] == CHANNEL.publisher_id
    # The protocol's steps, each once, in order; the file went as TUS PATCHes of our chunk size.
    sent = [f"{r.method} {r.url.path}" for r in transport.requests if "/dzen/profile" not in r.url.path]
    editor_calls = [call for call in sent if "/dzen-upload/" not in call]
    assert [next(s for s in EDITOR_STEPS if c.startswith(s)) for c in editor_calls] == [
        *EDITOR_STEPS[:5],
        *[EDITOR_STEPS[4]] * (len(editor_calls) - 6),
        EDITOR_STEPS[5],
    ]
    assert transport.count("PATCH", "/dzen-upload/files/") == -(-clip.size // CHUNK)
    for request in transport.requests:
        if "/dzen-upload/" not in request.url.path and "/profile/" not in request.url.path:
            assert request.url.params["publisherId"] == CHANNEL.publisher_id
            assert request.url.params["clid"] == "320" and request.headers["x-csrf-token"]
        if "/dzen-upload/" in request.url.path:
            assert "cookie" not in request.headers  # the upload URL is the credential
    assert recorder.progress[-1] == (clip.size, clip.size)
    # The editor page was read once per call to publish, never per request.
    assert transport.count("GET", "/dzen/profile/editor") == len(results)


class Killed(Exception):
    """The worker died: nothing after this runs."""


class DiesAfterPatches(CountingTransport):
    """Sends the `n`-th PATCH to the host, then dies before its answer is read (or saved)."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        response = await super().handle_async_request(request)
        if request.method == "PATCH" and self.count("PATCH", "/dzen-upload/") == self.n:
            await response.aread()
            raise Killed
        return response


async def test_a_killed_upload_resumes_at_the_servers_offset_without_a_second_draft(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    clip = clip_source(tmp_path / "lesson.mp4")
    recorder, limiter = Recorder(), UnitLimiter.in_memory()
    with pytest.raises(Killed):
        await provider(sandbox, DiesAfterPatches(3), limiter).publish(
            request=recorder.request(session_of(), clip)
        )
    stopped_at = recorder.last
    # Two chunks acknowledged and saved; the host holds a third the worker never heard of.
    assert stopped_at["remote_id"] and stopped_at["upload_url"] and stopped_at["offset"] == 2 * CHUNK
    assert state(sandbox)["uploads"][0]["offset"] == 3 * CHUNK

    transport = CountingTransport()
    results = await publish_until_done(
        sandbox, provider(sandbox, transport, limiter), recorder, session_of(), clip
    )
    assert results[-1].state is PublishState.PUBLISHED
    # Resumed where the server was (HEAD), not where the checkpoint was; nothing created again.
    first_patch = next(r for r in transport.requests if r.method == "PATCH")
    assert first_patch.headers["upload-offset"] == str(3 * CHUNK)
    assert transport.count("POST", "add-publication") == 0 and transport.count("POST", "start-upload") == 0
    [post] = posts(sandbox)
    assert (post["remote_id"], post["sha256"]) == (stopped_at["remote_id"], clip.sha256)
    [upload] = state(sandbox)["uploads"]
    assert (
        upload["complete"]
        and upload["sha256"] == hashlib.sha256((tmp_path / "lesson.mp4").read_bytes()).hexdigest()
    )


async def test_a_lost_answer_to_add_publication_is_never_repeated(sandbox: Sandbox, tmp_path: Path) -> None:
    clip = clip_source(tmp_path / "lesson.mp4")
    recorder = Recorder()
    add_fault(sandbox, "reset", "add-publication")
    dzen = provider(sandbox)
    with pytest.raises(OutcomeUnknown) as lost:
        await dzen.publish(request=recorder.request(session_of(), clip))
    assert lost.value.code == "dzen.draft_unconfirmed" and recorder.last["create_sent"] is True
    with pytest.raises(OutcomeUnknown):
        await dzen.publish(request=recorder.request(session_of(), clip))
    assert len(posts(sandbox)) == 1  # the one draft the lost call made; none more


async def test_a_lost_answer_to_the_publish_call_is_settled_by_reading_the_publication(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    clip = clip_source(tmp_path / "lesson.mp4")
    add_fault(sandbox, "reset", "publish")
    transport = CountingTransport()
    results = await publish_until_done(sandbox, provider(sandbox, transport), Recorder(), session_of(), clip)
    assert results[-1].state is PublishState.PUBLISHED
    assert transport.count("POST", "update-publication-content-and-publish") == 1
    [post] = posts(sandbox)
    assert post["status"] == "published"


async def test_limits_are_refused_before_anything_is_sent(sandbox: Sandbox, tmp_path: Path) -> None:
    clip = clip_source(tmp_path / "lesson.mp4")
    transport = CountingTransport()
    with pytest.raises(Permanent) as refused:
        await provider(sandbox, transport).publish(request=Recorder().request(session_of(), clip, title=" "))
    assert refused.value.code == "dzen.title_missing" and not transport.requests
