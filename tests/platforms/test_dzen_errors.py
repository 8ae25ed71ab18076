"""Each Дзен error type, served by the sandbox over HTTP, classified once (platforms/dzen/answers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from autopost.platforms.base import PublishState
from autopost.platforms.errors import AuthExpired, Permanent, RateLimited, Transient
from autopost.platforms.media import ClipSource
from tests.conftest import Sandbox
from tests.platforms.dzen_support import (
    CountingTransport,
    Recorder,
    add_fault,
    advance,
    clip_source,
    control,
    posts,
    provider,
    publish_until_done,
    session_of,
)


@pytest.fixture
def clip(tmp_path: Path) -> ClipSource:
    return clip_source(tmp_path / "lesson.mp4")


async def test_auth_error_ends_the_session_and_says_to_sign_in_again(
    sandbox: Sandbox, clip: ClipSource
) -> None:
    add_fault(sandbox, "token_expired", "add-publication")  # Дзен answers auth-error: signed out
    dzen = provider(sandbox)
    with pytest.raises(AuthExpired) as expired:
        await dzen.publish(request=Recorder().request(session_of(), clip))
    assert expired.value.code == "dzen.session_ended"
    # What the engine does next: ask the session; it stays signed out, so the connection needs reconnecting.
    with pytest.raises(AuthExpired) as still:
        await dzen.refresh(credentials=session_of())
    assert still.value.code == "dzen.session_ended"
    assert posts(sandbox) == []


async def test_forbidden_means_the_channel_is_no_longer_offered(sandbox: Sandbox, clip: ClipSource) -> None:
    add_fault(sandbox, "forbidden", "start-upload-video")
    dzen = provider(sandbox)
    with pytest.raises(AuthExpired) as refused:
        await dzen.publish(request=Recorder().request(session_of(), clip))
    assert refused.value.code == "dzen.forbidden"
    with pytest.raises(AuthExpired) as still:
        await dzen.refresh(credentials=session_of())
    assert still.value.code == "dzen.forbidden"


async def test_a_signed_out_session_is_auth_expired_on_every_call(sandbox: Sandbox, clip: ClipSource) -> None:
    control(sandbox, "/sessions/end", {"platform": "dzen"})  # she pressed «Выйти» on dzen.ru
    dzen = provider(sandbox)
    for call in (
        dzen.verify(credentials=session_of()),
        dzen.refresh(credentials=session_of()),
        dzen.publish(request=Recorder().request(session_of(), clip)),
    ):
        with pytest.raises(AuthExpired) as expired:
            await call
        assert expired.value.code == "dzen.session_ended"


async def test_a_stale_csrf_token_is_read_again_once_and_the_call_repeated(
    sandbox: Sandbox, clip: ClipSource
) -> None:
    add_fault(sandbox, "invalid_csrf", "add-publication")
    transport = CountingTransport()
    results = await publish_until_done(sandbox, provider(sandbox, transport), Recorder(), session_of(), clip)
    assert results[-1].state is PublishState.PUBLISHED
    tokens = [r.headers["x-csrf-token"] for r in transport.requests if "add-publication" in r.url.path]
    assert len(tokens) == 2 and tokens[0] != tokens[1]  # the second with the page's new token
    assert len(posts(sandbox)) == 1


async def test_a_csrf_token_refused_twice_in_a_row_is_transient(sandbox: Sandbox, clip: ClipSource) -> None:
    add_fault(sandbox, "invalid_csrf", "add-publication", count=2)
    recorder = Recorder()
    with pytest.raises(Transient) as refused:
        await provider(sandbox).publish(request=recorder.request(session_of(), clip))
    assert refused.value.code == "dzen.csrf_invalid"
    assert recorder.last["create_sent"] is False  # refused before acting: a later attempt may create


async def test_a_rate_limit_waits_as_the_platform_asks(sandbox: Sandbox, clip: ClipSource) -> None:
    add_fault(sandbox, "rate_limit", "validate-video", retry_after=7)
    with pytest.raises(RateLimited) as limited:
        await provider(sandbox).publish(request=Recorder().request(session_of(), clip))
    assert (limited.value.code, limited.value.retry_after) == ("dzen.rate_limited", 7)


async def test_a_server_error_is_transient(sandbox: Sandbox, clip: ClipSource) -> None:
    add_fault(sandbox, "server_error", "finish-upload-video")
    recorder = Recorder()
    with pytest.raises(Transient) as failed:
        await provider(sandbox).publish(request=recorder.request(session_of(), clip))
    assert failed.value.code == "dzen.unavailable"
    assert recorder.last["offset"] == clip.size and "uploaded" not in recorder.last
    results = await publish_until_done(sandbox, provider(sandbox), recorder, session_of(), clip)
    assert results[-1].state is PublishState.PUBLISHED and len(posts(sandbox)) == 1


async def test_a_failed_conversion_fails_with_a_message(sandbox: Sandbox, clip: ClipSource) -> None:
    add_fault(sandbox, "processing_failed", "finish-upload-video")
    recorder, dzen = Recorder(), provider(sandbox)
    first = await dzen.publish(request=recorder.request(session_of(), clip))
    assert first.state is PublishState.PROCESSING
    advance(sandbox, 5)
    with pytest.raises(Permanent) as failed:
        await dzen.publish(request=recorder.request(session_of(), clip))
    assert failed.value.code == "dzen.processing_failed"
    [post] = posts(sandbox)
    assert post["status"] == "draft"


async def test_stats_are_the_publications_own_counters(sandbox: Sandbox, clip: ClipSource) -> None:
    dzen = provider(sandbox)
    results = await publish_until_done(sandbox, dzen, Recorder(), session_of(), clip)
    remote_id = results[-1].remote_id
    assert remote_id is not None
    advance(sandbox, 600)
    found = await dzen.fetch_stats(credentials=session_of(), remote_ids=[remote_id, remote_id, "f" * 24])
    assert list(found) == [remote_id]
    counters = found[remote_id]
    assert counters.views is not None and counters.views >= 50
    assert counters.likes == counters.views // 12 and counters.shares == counters.views // 45
