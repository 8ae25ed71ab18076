"""Publishing through the Telegram provider against the Bot API emulator, over real HTTP."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from autopost.i18n import render
from autopost.platforms.base import PublishState
from autopost.platforms.errors import AuthExpired, Permanent, PlatformError
from tests.conftest import Sandbox
from tests.platforms.rendered import text_of
from tests.platforms.telegram_support import (
    ADMIN,
    CAPTION,
    MB,
    MEMBER,
    NEVER_ISSUED,
    OTHER,
    PRIVATE_ID,
    PUBLIC_ID,
    MiB,
    Recorder,
    configure,
    connected,
    credentials,
    posts,
    provider,
    publish_request,
    real_clip,
    sized_clip,
)


async def test_publishes_clip_with_thumbnail_byte_exact(sandbox: Sandbox, tmp_path: Path) -> None:
    clip, recorder = real_clip(tmp_path), Recorder()
    result = await provider(sandbox).publish(request=publish_request(clip, recorder))

    [post] = posts(sandbox)
    assert (post["sha256"], post["bytes"]) == (clip.sha256, clip.path.stat().st_size)
    assert post["caption"] == CAPTION
    assert post["extra"]["thumbnail_sent"] and post["extra"]["thumbnail"] is not None
    assert (post["extra"]["duration"], post["extra"]["width"], post["extra"]["height"]) == (1, 180, 320)
    assert post["extra"]["supports_streaming"] is True
    assert result.state is PublishState.PUBLISHED
    assert result.remote_id == post["remote_id"] == "2"
    assert result.remote_url == "https://t.me/clipmaker_demo/2"
    # "May have posted" was saved before the last byte, the message id right after the answer.
    assert recorder.checkpoints[0]["request_sent"] is True
    assert recorder.last["remote_id"] == "2" and "request_sent" not in recorder.last
    assert recorder.progress == (clip.path.stat().st_size, clip.path.stat().st_size)


async def test_connection_without_chat_id_resolves_it_first(sandbox: Sandbox, tmp_path: Path) -> None:
    request = publish_request(real_clip(tmp_path), Recorder(), creds=credentials(channel="clipmaker_demo"))
    result = await provider(sandbox).publish(request=request)
    assert result.remote_url == "https://t.me/clipmaker_demo/2"


async def test_private_channel_post_links_by_internal_id(sandbox: Sandbox, tmp_path: Path) -> None:
    request = publish_request(real_clip(tmp_path), Recorder(), creds=connected(PRIVATE_ID, None))
    result = await provider(sandbox).publish(request=request)
    [post] = posts(sandbox)
    assert result.remote_url == post["url"] == f"https://t.me/c/1000000002/{result.remote_id}"


async def test_resume_with_message_id_posts_nothing(sandbox: Sandbox, tmp_path: Path) -> None:
    clip, recorder = real_clip(tmp_path), Recorder()
    first = await provider(sandbox).publish(request=publish_request(clip, recorder))
    again = await provider(sandbox).publish(
        request=publish_request(clip, Recorder(), checkpoint=recorder.last)
    )
    assert len(posts(sandbox)) == 1
    assert (again.state, again.remote_id, again.remote_url) == (
        PublishState.PUBLISHED,
        first.remote_id,
        first.remote_url,
    )


async def test_a_clip_of_exactly_50_mb_is_sent_and_one_byte_more_is_refused_before_any_byte(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    # Telegram's 50 MB are decimal: 50,000,000 bytes, not 50 MiB.
    await provider(sandbox).publish(request=publish_request(sized_clip(tmp_path, 50 * MB), Recorder()))
    assert [p["bytes"] for p in posts(sandbox)] == [50_000_000]
    clip, recorder = sized_clip(tmp_path, 50 * MB + 1), Recorder()
    with pytest.raises(Permanent) as caught:
        await provider(sandbox).publish(request=publish_request(clip, recorder))
    assert caught.value.code == "telegram.file_too_large"
    assert caught.value.params == {"size_bytes": 50_000_001, "limit_bytes": 50_000_000}
    # Beside a decimal limit the size is in the same units, in bytes where megabytes would read equal.
    assert (
        text_of(caught.value)
        == "Telegram принимает от бота видео до 50 МБ, а клип весит 50\xa0000\xa0001 байт"
    )
    assert render(caught.value.code, "en", **caught.value.params) == (
        "Telegram accepts videos from a bot up to 50 MB, and the clip is 50,000,001 bytes"
    )
    assert len(posts(sandbox)) == 1 and recorder.checkpoints == [] and recorder.progress == (0, 0)


async def test_clip_over_50_mb_reads_in_the_limits_megabytes(sandbox: Sandbox, tmp_path: Path) -> None:
    clip = sized_clip(tmp_path, 51 * MiB)
    with pytest.raises(Permanent) as caught:
        await provider(sandbox).publish(request=publish_request(clip, Recorder()))
    assert (
        render(caught.value.code, "en", **caught.value.params)
        == "Telegram accepts videos from a bot up to 50 MB, and the clip is 53.5 MB"
    )
    assert posts(sandbox) == []


async def test_local_server_takes_clips_over_50_mb(sandbox: Sandbox, tmp_path: Path) -> None:
    configure(sandbox, telegram_local_server=True)
    clip = sized_clip(tmp_path, 51 * MiB)
    telegram = provider(sandbox, local_server=True)
    assert telegram.capabilities.max_bytes == 2000 * MB
    await telegram.publish(request=publish_request(clip, Recorder()))
    [post] = posts(sandbox)
    assert (post["bytes"], post["sha256"]) == (51 * MiB, clip.sha256)


async def test_platform_413_is_permanent(sandbox: Sandbox, tmp_path: Path) -> None:
    # Settings claim a local server the Bot API is not: Telegram's own 413 must still read clearly.
    clip, recorder = sized_clip(tmp_path, 51 * MiB), Recorder()
    with pytest.raises(Permanent) as caught:
        await provider(sandbox, local_server=True).publish(request=publish_request(clip, recorder))
    assert caught.value.code == "telegram.platform_file_too_large"
    assert text_of(caught.value) == "Telegram не принял файл: он больше, чем разрешено боту"
    assert posts(sandbox) == [] and recorder.last == {}


async def test_caption_over_1024_characters_is_refused_before_any_byte(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    recorder = Recorder()
    request = publish_request(real_clip(tmp_path), recorder, title="Т" * 20, description="я" * 1003)
    with pytest.raises(Permanent) as caught:
        await provider(sandbox).publish(request=request)
    assert caught.value.code == "telegram.caption_too_long"
    assert caught.value.params == {"length": 1025, "limit": 1024}
    assert "1024" in text_of(caught.value) and "1025" in text_of(caught.value)
    assert posts(sandbox) == [] and recorder.progress == (0, 0)


async def test_caption_of_exactly_1024_characters_after_trimming_is_posted(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    request = publish_request(real_clip(tmp_path), Recorder(), title="  " + "Т" * 20, description="я" * 1002)
    await provider(sandbox).publish(request=request)
    assert len(posts(sandbox)[0]["caption"]) == 1024


@pytest.mark.parametrize(
    ("token", "channel", "error", "code"),
    [
        (MEMBER, "@clipmaker_demo", Permanent, "telegram.not_admin"),
        (ADMIN, OTHER, Permanent, "telegram.not_member"),
        (NEVER_ISSUED, "@clipmaker_demo", AuthExpired, "telegram.token_revoked"),
        (ADMIN, "@no_such_channel", Permanent, "telegram.chat_not_found"),
    ],
)
async def test_refusals_are_classified(
    sandbox: Sandbox, tmp_path: Path, token: str, channel: str, error: type[PlatformError], code: str
) -> None:
    recorder = Recorder()
    request = publish_request(real_clip(tmp_path), recorder, creds=credentials(token, channel))
    with pytest.raises(error) as caught:
        await provider(sandbox).publish(request=request)
    assert caught.value.code == code
    assert posts(sandbox) == []
    # Telegram answered, so nothing was posted: no "may have posted" mark is left behind.
    assert recorder.last == {}


async def test_token_never_reaches_logs_or_errors(
    sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    telegram = provider(sandbox)
    await telegram.publish(request=publish_request(real_clip(tmp_path), Recorder(), creds=connected()))
    with pytest.raises(AuthExpired) as caught:
        await telegram.publish(
            request=publish_request(real_clip(tmp_path), Recorder(), creds=credentials(NEVER_ISSUED))
        )
    assert "/bot7000000001:***/sendVideo" in caplog.text  # the request log is there, masked
    for secret in (ADMIN.split(":")[1], NEVER_ISSUED.split(":")[1]):
        assert secret not in caplog.text
        assert secret not in f"{caught.value} {caught.value.detail} {text_of(caught.value)}"


async def test_post_goes_to_the_chat_id_from_verify(sandbox: Sandbox, tmp_path: Path) -> None:
    request = publish_request(real_clip(tmp_path), Recorder(), creds=connected(PUBLIC_ID, "clipmaker_demo"))
    await provider(sandbox).publish(request=request)
    assert posts(sandbox)[0]["extra"]["chat_id"] == PUBLIC_ID
