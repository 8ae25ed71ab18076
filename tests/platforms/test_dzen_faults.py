"""Every fault the Дзен sandbox offers, classified, and resumed without a second video."""

from __future__ import annotations

import pytest

from autopost.platforms.base import Credentials, PublishState
from autopost.platforms.dzen import DzenProvider
from autopost.platforms.errors import AuthExpired, Permanent, PlatformError, RateLimited, Transient
from autopost.platforms.media import ClipSource
from tests.conftest import Sandbox
from tests.platforms.dzen_support import (
    CountingTransport,
    Recorder,
    add_fault,
    clip_source,
    connect,
    posts,
    publish_until_done,
    seeded_credentials,
    unpaced,
)
from tests.platforms.rendered import text_of

# The client gives up on an answer after half a second; a `timeout` fault holds it for three.
READ_TIMEOUT, HANG = 0.5, 3.0


@pytest.fixture
def transport() -> CountingTransport:
    return CountingTransport(read_timeout=READ_TIMEOUT)


@pytest.fixture
def provider(sandbox: Sandbox, transport: CountingTransport) -> DzenProvider:
    return unpaced(sandbox, transport)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> ClipSource:
    """One real H.264 clip for the module: a ClipSource reads its file afresh on every upload."""
    return clip_source(tmp_path_factory.mktemp("dzen") / "lesson.mp4")


async def first_attempt_fails(
    provider: DzenProvider, recorder: Recorder, clip: ClipSource, credentials: Credentials | None = None
) -> PlatformError:
    with pytest.raises(PlatformError) as failure:
        await provider.publish(request=recorder.request(credentials or seeded_credentials(), clip))
    return failure.value


def exactly_one_post(sandbox: Sandbox, clip: ClipSource, video_id: str | None) -> None:
    [post] = posts(sandbox)
    assert (post["remote_id"], post["sha256"], post["status"]) == (video_id, clip.sha256, "published")


@pytest.mark.parametrize(
    ("fault", "on", "error", "code", "saved"),
    [
        ("rate_limit", "upload.create", RateLimited, "dzen.rate_limited", set()),
        ("server_error", "upload.create", Transient, "dzen.unavailable", set()),
        ("timeout", "upload.create", Transient, "dzen.connection_lost", set()),
        ("rate_limit", "upload", RateLimited, "dzen.rate_limited", {"upload_id"}),
        ("server_error", "upload", Transient, "dzen.unavailable", {"upload_id"}),
        ("reset", "upload", Transient, "dzen.connection_lost", {"upload_id"}),
        ("timeout", "upload", Transient, "dzen.connection_lost", {"upload_id"}),
        ("rate_limit", "publish", RateLimited, "dzen.rate_limited", {"upload_id", "publish_sent"}),
        ("server_error", "publish", Transient, "dzen.unavailable", {"upload_id", "publish_sent"}),
        ("token_expired", "publish", AuthExpired, "dzen.token_expired", {"upload_id", "publish_sent"}),
    ],
)
async def test_a_failed_step_is_classified_and_the_resume_publishes_once(
    provider: DzenProvider,
    sandbox: Sandbox,
    transport: CountingTransport,
    clip: ClipSource,
    fault: str,
    on: str,
    error: type[PlatformError],
    code: str,
    saved: set[str],
) -> None:
    recorder = Recorder()
    add_fault(sandbox, fault, on, retry_after=7, delay=HANG)

    failure = await first_attempt_fails(provider, recorder, clip)
    saved_by_failed_attempt = set(recorder.last)
    results = await publish_until_done(sandbox, provider, recorder, seeded_credentials(), clip)

    assert type(failure) is error
    assert failure.code == code
    if isinstance(failure, RateLimited):
        assert failure.retry_after == 7.0
    assert saved_by_failed_attempt == saved
    assert results[-1].state is PublishState.PUBLISHED
    exactly_one_post(sandbox, clip, results[-1].remote_id)
    assert transport.count("POST", "/api/v1/videos") == (2 if on == "publish" else 1)


async def test_a_lost_create_answer_is_settled_in_the_same_call(
    provider: DzenProvider, sandbox: Sandbox, transport: CountingTransport, clip: ClipSource
) -> None:
    """The video is created, the answer never comes; GET /uploads/{id} names the video."""
    recorder = Recorder()
    add_fault(sandbox, "timeout", "publish", delay=HANG)

    results = await publish_until_done(sandbox, provider, recorder, seeded_credentials(), clip)

    assert results[0].state is PublishState.PROCESSING
    exactly_one_post(sandbox, clip, results[0].remote_id)
    assert transport.count("POST", "/api/v1/videos") == 1
    assert transport.count("GET", "/api/v1/uploads/") == 1


async def test_a_connection_cut_after_create_is_settled_the_same_way(
    provider: DzenProvider, sandbox: Sandbox, transport: CountingTransport, clip: ClipSource
) -> None:
    recorder = Recorder()
    add_fault(sandbox, "reset", "publish")

    results = await publish_until_done(sandbox, provider, recorder, seeded_credentials(), clip)

    exactly_one_post(sandbox, clip, results[-1].remote_id)
    assert transport.count("POST", "/api/v1/videos") == 1


async def test_resume_after_a_lost_create_answer_does_not_create_twice(
    provider: DzenProvider, sandbox: Sandbox, transport: CountingTransport, clip: ClipSource
) -> None:
    """The answer is lost AND the check fails: the attempt ends Transient; the next one asks first."""
    recorder = Recorder()
    add_fault(sandbox, "timeout", "publish", delay=HANG)
    add_fault(sandbox, "server_error", "upload.get")

    failure = await first_attempt_fails(provider, recorder, clip)
    saved = dict(recorder.last)
    results = await publish_until_done(sandbox, provider, recorder, seeded_credentials(), clip)

    assert isinstance(failure, Transient)
    assert saved.keys() == {"upload_id", "publish_sent"}
    [post] = posts(sandbox)
    assert post["extra"]["upload_id"] == saved["upload_id"]
    exactly_one_post(sandbox, clip, results[-1].remote_id)
    assert transport.count("POST", "/api/v1/videos") == 1
    assert transport.count("PUT", "/dzen/upload/") == 1


async def test_a_resumed_upload_is_sent_again_only_when_it_did_not_arrive(
    provider: DzenProvider, sandbox: Sandbox, transport: CountingTransport, clip: ClipSource
) -> None:
    recorder = Recorder()
    add_fault(sandbox, "reset", "upload")  # half the body, then the connection drops: nothing stored

    await first_attempt_fails(provider, recorder, clip)
    upload_id = recorder.last["upload_id"]
    results = await publish_until_done(sandbox, provider, recorder, seeded_credentials(), clip)

    assert recorder.last["upload_id"] == upload_id  # the same session, PUT again from the start
    assert transport.count("PUT", f"/dzen/upload/{upload_id}") == 2
    exactly_one_post(sandbox, clip, results[-1].remote_id)


async def test_a_stored_upload_whose_answer_was_lost_is_not_sent_again(
    provider: DzenProvider, sandbox: Sandbox, transport: CountingTransport, clip: ClipSource
) -> None:
    recorder = Recorder()
    add_fault(sandbox, "timeout", "upload", delay=HANG)

    await first_attempt_fails(provider, recorder, clip)
    results = await publish_until_done(sandbox, provider, recorder, seeded_credentials(), clip)

    assert transport.count("PUT", "/dzen/upload/") == 1
    exactly_one_post(sandbox, clip, results[-1].remote_id)


async def test_expired_token_then_a_successful_refresh_continues_where_it_stopped(
    provider: DzenProvider, sandbox: Sandbox, transport: CountingTransport, clip: ClipSource
) -> None:
    credentials, _ = await connect(sandbox, provider)
    recorder = Recorder()
    add_fault(sandbox, "token_expired", "video.get")

    first = await provider.publish(request=recorder.request(credentials, clip))
    with pytest.raises(AuthExpired) as expired:
        await provider.publish(request=recorder.request(credentials, clip))
    tokens = await provider.refresh(credentials=credentials)
    fresh = Credentials(tokens.access_token, tokens.refresh_token, tokens.expires_at)
    results = await publish_until_done(sandbox, provider, recorder, fresh, clip)

    assert expired.value.code == "dzen.token_expired"
    assert credentials.access_token not in str(expired.value)
    assert tokens.refresh_token != credentials.refresh_token
    assert results[-1].remote_id == first.remote_id
    exactly_one_post(sandbox, clip, first.remote_id)
    assert transport.count("POST", "/api/v1/uploads") == 1


async def test_expired_token_and_a_failed_refresh_is_auth_expired(
    provider: DzenProvider, sandbox: Sandbox, clip: ClipSource
) -> None:
    credentials, _ = await connect(sandbox, provider)
    await provider.refresh(credentials=credentials)  # another worker refreshed: this refresh token is spent
    recorder = Recorder()
    add_fault(sandbox, "token_expired", "upload.create")

    failure = await first_attempt_fails(provider, recorder, clip, credentials)
    with pytest.raises(AuthExpired) as refused:
        await provider.refresh(credentials=credentials)

    assert isinstance(failure, AuthExpired)
    assert refused.value.code == "dzen.refresh_refused"
    assert recorder.checkpoints == []
    assert posts(sandbox) == []


async def test_processing_failure_is_permanent_with_a_clear_message(
    provider: DzenProvider, sandbox: Sandbox, clip: ClipSource
) -> None:
    recorder = Recorder()
    add_fault(sandbox, "processing_failed", "publish")

    with pytest.raises(Permanent) as failed:
        await publish_until_done(sandbox, provider, recorder, seeded_credentials(), clip)

    assert failed.value.code == "dzen.processing_failed"
    assert text_of(failed.value) == "Дзен не смог обработать видео"
    assert "remote_id" in recorder.last
    [post] = posts(sandbox)
    assert post["status"] == "failed"
