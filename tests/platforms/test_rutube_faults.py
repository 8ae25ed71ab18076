"""Rutube provider under the sandbox's faults: each is classified, and nothing is created twice."""

from __future__ import annotations

import asyncio
import time

import pytest

from autopost.platforms.base import PublishState
from autopost.platforms.errors import AuthExpired, OutcomeUnknown, PlatformError, RateLimited, Transient
from autopost.platforms.rutube.recovery import pending_create
from tests.conftest import Sandbox
from tests.platforms.rendered import text_of
from tests.platforms.rutube_support import (
    CLASSIC,
    DESCRIPTION,
    TITLE,
    ClipServer,
    Saved,
    api,
    credentials,
    fault,
    posts,
    provider,
    publish_request,
    resumed,
    until_done,
)


def assert_no_token(error: PlatformError) -> None:
    assert CLASSIC.token not in f"{error} {text_of(error)} {error.detail}"


@pytest.mark.parametrize("kind", ["timeout", "reset"])
async def test_lost_create_answer_is_found_on_resume_not_created_again(
    rutube_world: Sandbox, rutube_clips: ClipServer, kind: str
) -> None:
    fault(rutube_world, kind, "video.create", delay=3)
    rutube, saved = provider(rutube_world, http_timeout=0.5), Saved()
    request = publish_request(rutube_clips, saved)

    with pytest.raises(Transient) as caught:
        await rutube.publish(request=request)

    assert caught.value.code == "rutube.create_unconfirmed"
    assert saved.last["request_sent"] is True and "remote_id" not in saved.last
    [made] = posts(rutube_world)  # Rutube did create it: only the answer was lost
    resumed_result = await rutube.publish(request=resumed(request, saved))
    assert resumed_result.remote_id == made["remote_id"]
    assert saved.last["remote_id"] == made["remote_id"] and saved.last["recovered"] is True
    await until_done(rutube, resumed_result)
    assert len(posts(rutube_world)) == 1


@pytest.mark.parametrize(
    ("kind", "error", "code"),
    [
        ("server_error", Transient, "rutube.server_error"),
        ("rate_limit", RateLimited, "rutube.rate_limited"),
        ("token_expired", AuthExpired, "rutube.token_invalid"),
    ],
)
async def test_refused_create_is_classified_and_resume_creates_once(
    rutube_world: Sandbox, rutube_clips: ClipServer, kind: str, error: type[PlatformError], code: str
) -> None:
    fault(rutube_world, kind, "video.create", retry_after=2)
    rutube, saved = provider(rutube_world), Saved()
    request = publish_request(rutube_clips, saved)

    with pytest.raises(error) as caught:
        await rutube.publish(request=request)

    assert caught.value.code == code
    assert_no_token(caught.value)
    if isinstance(caught.value, RateLimited):
        assert caught.value.retry_after == 2
        # The 429 holds the token's calls for its wait: they are not sent until it is over.
        await asyncio.sleep(caught.value.retry_after + 0.5)
    assert posts(rutube_world) == []
    # The resumed attempt looks first (nothing there), then creates exactly one video.
    result = await rutube.publish(request=resumed(request, saved))
    assert result.state is PublishState.PROCESSING
    assert [p["remote_id"] for p in posts(rutube_world)] == [result.remote_id]


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        ("server_error", "rutube.server_error"),
        ("timeout", "rutube.connection_lost"),
        ("reset", "rutube.connection_lost"),
    ],
)
async def test_failed_status_poll_is_transient(
    rutube_world: Sandbox, rutube_clips: ClipServer, kind: str, code: str
) -> None:
    rutube = provider(rutube_world, http_timeout=0.5)
    result = await rutube.publish(request=publish_request(rutube_clips, Saved()))
    fault(rutube_world, kind, "video.get", delay=3)

    with pytest.raises(Transient) as caught:
        await rutube.check(credentials=credentials(), checkpoint=result.checkpoint)

    assert caught.value.code == code
    await until_done(rutube, result)


async def test_expired_token_while_polling_needs_reconnect(
    rutube_world: Sandbox, rutube_clips: ClipServer
) -> None:
    rutube = provider(rutube_world)
    result = await rutube.publish(request=publish_request(rutube_clips, Saved()))
    fault(rutube_world, "token_expired", "video.get")

    with pytest.raises(AuthExpired) as polled:
        await rutube.check(credentials=credentials(), checkpoint=result.checkpoint)
    with pytest.raises(AuthExpired) as refreshed:
        await rutube.refresh(credentials=credentials())

    assert polled.value.code == "rutube.token_invalid" and refreshed.value.code == "rutube.reconnect"
    assert_no_token(polled.value)


async def test_captcha_does_not_exist_on_rutube(rutube_world: Sandbox, rutube_clips: ClipServer) -> None:
    fault(rutube_world, "captcha", "video.create")
    result = await provider(rutube_world).publish(request=publish_request(rutube_clips, Saved()))
    assert result.state is PublishState.PROCESSING and len(posts(rutube_world)) == 1


async def test_two_lookalikes_after_a_lost_answer_are_not_guessed(
    rutube_world: Sandbox, rutube_clips: ClipServer
) -> None:
    saved = Saved()
    request = publish_request(rutube_clips, saved)
    await saved(pending_create(TITLE, DESCRIPTION))
    with api(rutube_world) as direct:
        for _ in range(2):
            body = {
                "url": rutube_clips.clip_url,
                "title": TITLE,
                "description": DESCRIPTION,
                "is_hidden": False,
            }
            assert direct.post("/video/", json=body).status_code == 201

    with pytest.raises(OutcomeUnknown) as caught:
        await provider(rutube_world).publish(request=resumed(request, saved))

    assert caught.value.code == "rutube.ambiguous" and "Проверьте канал" in text_of(caught.value)
    assert len(posts(rutube_world)) == 2


async def test_an_older_lookalike_is_not_taken_for_ours(
    rutube_world: Sandbox, rutube_clips: ClipServer
) -> None:
    with api(rutube_world) as direct:
        body = {"url": rutube_clips.clip_url, "title": TITLE, "description": DESCRIPTION, "is_hidden": False}
        older = direct.post("/video/", json=body).json()["video_id"]
    saved = Saved()
    request = publish_request(rutube_clips, saved)
    # Our create went out an hour after that video was made, and never arrived.
    await saved({**pending_create(TITLE, DESCRIPTION), "sent_at": time.time() + 3600})

    result = await provider(rutube_world).publish(request=resumed(request, saved))

    assert result.remote_id != older
    assert len(posts(rutube_world)) == 2


async def test_throttle_answer_carries_retry_after(sandbox: Sandbox) -> None:
    rutube = provider(sandbox)  # our pacing off: the sandbox's 1 request/s throttle answers
    await rutube.verify(credentials=credentials())

    with pytest.raises(RateLimited) as caught:
        await rutube.verify(credentials=credentials())

    assert caught.value.code == "rutube.rate_limited" and caught.value.retry_after >= 1


async def test_pacing_keeps_us_under_the_throttle(sandbox: Sandbox) -> None:
    rutube = provider(sandbox, token_limit="1/second")
    for _ in range(2):
        account = await rutube.verify(credentials=credentials())
    assert account.name
