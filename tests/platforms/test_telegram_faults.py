"""Faults on the way to Telegram: each lands in the right error class, and nothing is posted twice."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx2
import pytest

from autopost.platforms.base import PublishState
from autopost.platforms.errors import AuthExpired, OutcomeUnknown, RateLimited, Transient
from autopost.platforms.telegram import TelegramProvider
from autopost.platforms.telegram.preview import find_posts
from autopost.settings import TelegramSettings
from tests.conftest import Sandbox
from tests.platforms.rendered import text_of
from tests.platforms.telegram_support import (
    CAPTION,
    PRIVATE_ID,
    MiB,
    Recorder,
    advance_clock,
    configure,
    connected,
    inject,
    posts,
    provider,
    publish_request,
    real_clip,
    send_plain_videos,
    sized_clip,
)
from tests.support.servers import free_port

# The sandbox holds a timed-out answer this long; the client gives up after about half a second.
HANG = 3.0
SHORT = 0.5


async def test_rate_limit_fault_is_rate_limited_with_telegrams_wait(sandbox: Sandbox, tmp_path: Path) -> None:
    inject(sandbox, "rate_limit", retry_after=17, on="sendVideo")
    recorder = Recorder()
    with pytest.raises(RateLimited) as caught:
        await provider(sandbox).publish(request=publish_request(real_clip(tmp_path), recorder))
    assert (caught.value.code, caught.value.retry_after) == ("telegram.rate_limited", 17)
    assert posts(sandbox) == [] and recorder.last == {}


async def test_an_overloaded_server_is_rate_limited_for_60_seconds_and_a_resend_posts_once(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    clip, recorder = real_clip(tmp_path), Recorder()
    inject(sandbox, "overloaded", on="sendVideo")
    with pytest.raises(RateLimited) as caught:
        await provider(sandbox).publish(request=publish_request(clip, recorder))
    assert (caught.value.code, caught.value.retry_after) == ("telegram.rate_limited", 60)
    # The answer came: nothing was posted, so the checkpoint is cleared and a resend is safe.
    assert posts(sandbox) == [] and recorder.last == {}
    result = await provider(sandbox).publish(
        request=publish_request(clip, recorder, checkpoint=recorder.last)
    )
    [post] = posts(sandbox)
    assert (result.remote_id, post["sha256"]) == (post["remote_id"], clip.sha256)


async def test_channel_flood_limit_is_rate_limited(sandbox: Sandbox, tmp_path: Path) -> None:
    send_plain_videos(sandbox, *(f"пост {n}" for n in range(20)))
    with pytest.raises(RateLimited) as caught:
        await provider(sandbox).publish(request=publish_request(real_clip(tmp_path), Recorder()))
    assert 0 < caught.value.retry_after <= 60
    advance_clock(sandbox, 61)
    result = await provider(sandbox).publish(request=publish_request(real_clip(tmp_path), Recorder()))
    assert result.remote_id == "22"


async def test_server_error_is_transient(sandbox: Sandbox, tmp_path: Path) -> None:
    inject(sandbox, "server_error", on="sendVideo")
    recorder = Recorder()
    with pytest.raises(Transient) as caught:
        await provider(sandbox).publish(request=publish_request(real_clip(tmp_path), recorder))
    assert caught.value.code == "telegram.unavailable"
    assert posts(sandbox) == [] and recorder.last == {}
    await provider(sandbox).publish(request=publish_request(real_clip(tmp_path), recorder))
    assert len(posts(sandbox)) == 1


async def test_html_502_from_the_front_is_transient() -> None:
    def bad_gateway(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(502, html="<html><center><h1>502 Bad Gateway</h1></center></html>")

    telegram = TelegramProvider(TelegramSettings(), transport=httpx2.MockTransport(bad_gateway))
    with pytest.raises(Transient) as caught:
        await telegram.fetch_stats(credentials=connected(), remote_ids=["2"])
    assert caught.value.code == "telegram.preview_unavailable"
    with pytest.raises(Transient) as caught:
        await telegram.verify(credentials=connected())
    assert (caught.value.code, caught.value.detail) == ("telegram.unavailable", "HTTP 502")


async def test_revoked_token_is_auth_expired(sandbox: Sandbox, tmp_path: Path) -> None:
    inject(sandbox, "token_expired", on="sendVideo")
    with pytest.raises(AuthExpired) as caught:
        await provider(sandbox).publish(request=publish_request(real_clip(tmp_path), Recorder()))
    assert caught.value.code == "telegram.token_revoked"
    with pytest.raises(AuthExpired):
        await provider(sandbox).refresh(credentials=connected())


async def test_reset_mid_upload_is_transient_and_a_resend_posts_once(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    # Big enough that half of it cannot hide in socket buffers: the cut comes mid-body.
    clip, recorder = sized_clip(tmp_path, 40 * MiB), Recorder()
    inject(sandbox, "reset", on="sendVideo")
    with pytest.raises(Transient) as caught:
        await provider(sandbox).publish(request=publish_request(clip, recorder))
    assert caught.value.code == "telegram.connection_lost"
    assert posts(sandbox) == [] and recorder.last == {}

    result = await provider(sandbox).publish(
        request=publish_request(clip, recorder, checkpoint=recorder.last)
    )
    [post] = posts(sandbox)
    assert (result.remote_id, post["sha256"]) == (post["remote_id"], clip.sha256)


async def test_timeout_after_the_body_adopts_the_post_from_the_preview(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    send_plain_videos(sandbox, "чужой пост раньше нашего")
    inject(sandbox, "timeout", on="sendVideo", delay=HANG)
    recorder = Recorder()
    result = await provider(sandbox, http_timeout=SHORT).publish(
        request=publish_request(real_clip(tmp_path), recorder)
    )
    [_, ours] = posts(sandbox)
    assert (result.state, result.remote_id) == (PublishState.PUBLISHED, ours["remote_id"])
    assert recorder.checkpoints[0]["request_sent"] is True
    assert recorder.last["remote_id"] == ours["remote_id"] and recorder.last["found_on_preview"] is True


async def test_timeout_then_resume_checks_the_preview_instead_of_posting_again(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    clip, recorder = real_clip(tmp_path), Recorder()
    inject(sandbox, "timeout", on="sendVideo", delay=HANG)
    # t.me unreachable at first: the outcome cannot be checked, so the provider must not guess.
    blind = TelegramProvider(
        TelegramSettings(api_url=f"{sandbox.url}/telegram", preview_url=f"http://127.0.0.1:{free_port()}"),
        http_timeout=SHORT,
    )
    with pytest.raises(OutcomeUnknown) as caught:
        await blind.publish(request=publish_request(clip, recorder))
    assert caught.value.code == "telegram.outcome_unknown"
    assert "Проверьте канал" in text_of(caught.value)
    assert recorder.last["request_sent"] is True

    resumed = await provider(sandbox).publish(
        request=publish_request(clip, recorder, checkpoint=recorder.last)
    )
    [post] = posts(sandbox)
    assert (resumed.remote_id, resumed.remote_url) == (post["remote_id"], post["url"])
    assert post["caption"] == CAPTION


async def test_timeout_in_a_private_channel_is_outcome_unknown_and_stays_so(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    clip, recorder = real_clip(tmp_path), Recorder()
    creds = connected(PRIVATE_ID, None)
    inject(sandbox, "timeout", on="sendVideo", delay=HANG)
    with pytest.raises(OutcomeUnknown):
        await provider(sandbox, http_timeout=SHORT).publish(
            request=publish_request(clip, recorder, creds=creds)
        )
    with pytest.raises(OutcomeUnknown) as caught:
        await provider(sandbox).publish(
            request=publish_request(clip, recorder, creds=creds, checkpoint=recorder.last)
        )
    assert caught.value.code == "telegram.outcome_unknown"
    assert len(posts(sandbox)) == 1


async def test_resume_finds_nothing_when_the_post_never_appeared(sandbox: Sandbox, tmp_path: Path) -> None:
    # A crash right after the last byte; Telegram never got it. Other posts must not be adopted.
    send_plain_videos(sandbox, "другая подпись")
    checkpoint = {"request_sent": True, "chat_id": -1001000000001, "channel_username": "clipmaker_demo"}
    checkpoint["sent_at"] = sandbox.state.clock.now()
    with pytest.raises(OutcomeUnknown):
        await provider(sandbox).publish(
            request=publish_request(real_clip(tmp_path), Recorder(), checkpoint=checkpoint)
        )
    assert len(posts(sandbox)) == 1


async def test_resume_does_not_adopt_an_older_post_with_the_same_caption(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    send_plain_videos(sandbox, CAPTION)
    advance_clock(sandbox, 3600)
    checkpoint = {"request_sent": True, "chat_id": -1001000000001, "channel_username": "clipmaker_demo"}
    checkpoint["sent_at"] = sandbox.state.clock.now()
    with pytest.raises(OutcomeUnknown):
        await provider(sandbox).publish(
            request=publish_request(real_clip(tmp_path), Recorder(), checkpoint=checkpoint)
        )


async def test_two_matching_posts_are_not_guessed_between(sandbox: Sandbox, tmp_path: Path) -> None:
    checkpoint = {"request_sent": True, "chat_id": -1001000000001, "channel_username": "clipmaker_demo"}
    checkpoint["sent_at"] = sandbox.state.clock.now()
    send_plain_videos(sandbox, CAPTION)
    send_plain_videos(sandbox, CAPTION)
    with pytest.raises(OutcomeUnknown) as caught:
        await provider(sandbox).publish(
            request=publish_request(real_clip(tmp_path), Recorder(), checkpoint=checkpoint)
        )
    assert "2 matching posts" in caught.value.detail


async def test_lost_post_search_gives_up_when_more_pages_were_posted_since(sandbox: Sandbox) -> None:
    configure(sandbox, enforce_rate_limits=False)
    since = datetime.fromtimestamp(sandbox.state.clock.now() - 60, UTC)
    send_plain_videos(sandbox, CAPTION, *(f"пост {n}" for n in range(25)))
    async with httpx2.AsyncClient(base_url=f"{sandbox.url}/tme") as client:
        found = [
            await find_posts(
                client, "clipmaker_demo", caption=CAPTION, duration=1, not_before=since, max_pages=pages
            )
            for pages in (1, 2)
        ]
    assert found == [None, [2]]
