"""Every VK fault the sandbox offers, classified; resumes that never post twice (/_sandbox/state).

Both paths: "clips" through a vk.com web session (shortVideo.*), "video" through a VK ID token
(video.save).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from autopost.platforms.base import Credentials, PublishState
from autopost.platforms.errors import AuthExpired, Permanent, RateLimited, Transient
from autopost.platforms.vk import VkProvider
from tests.conftest import Sandbox
from tests.platforms.rendered import text_of
from tests.platforms.test_vk_support import (
    ANNA,
    HANG,
    Recorder,
    drive,
    publish_request,
    route,
    sha256_of,
    vk_settings,
)
from tests.sandbox.test_vk_support import Vk

pytest_plugins = ["tests.platforms.test_vk_support"]

PATHS = pytest.mark.parametrize("clips", [True, False], ids=["clips", "video"])


def first_op(clips: bool) -> str:
    return "shortVideo.create" if clips else "video.save"


def poll_op(clips: bool) -> str:
    return "shortVideo.encodeProgress" if clips else "video.get"


@PATHS
async def test_rate_limit_is_rate_limited_for_a_second(
    vk_provider: VkProvider, vk: Vk, vk_clip: Path, clips: bool, vk_session: Credentials
) -> None:
    vk.fault("rate_limit", on=first_op(clips))
    recorder = Recorder()
    with pytest.raises(RateLimited) as limited:
        await vk_provider.publish(
            request=publish_request(vk_clip, recorder, credentials=route(clips, vk_session))
        )
    assert (limited.value.code, limited.value.retry_after) == ("vk.too_many_requests", 1.0)
    assert recorder.checkpoints == []
    await drive(
        vk_provider, publish_request(vk_clip, recorder, credentials=route(clips, vk_session)), vk, recorder
    )
    assert len(vk.posts()) == 1


@pytest.mark.parametrize("pace", [True, False], ids=["paced", "unpaced"])
async def test_pacing_keeps_a_token_under_three_calls_a_second(
    sandbox: Sandbox, vk: Vk, vk_clip: Path, pace: bool
) -> None:
    vk.configure(enforce_rate_limits=True, processing_seconds=0)
    # Unpaced: an allowance far above VK's, so nothing holds the five calls back.
    provider = VkProvider(vk_settings(sandbox, **({} if pace else {"token_limit": "1000/second"})))

    async def five_calls_at_once() -> PublishState:
        # users.get and groups.get, then video.save, video.get and wall.post.
        await provider.verify(credentials=ANNA)
        return (await provider.publish(request=publish_request(vk_clip, Recorder()))).state

    try:
        if pace:
            assert await five_calls_at_once() is PublishState.PUBLISHED
        else:
            with pytest.raises(RateLimited):
                await five_calls_at_once()
    finally:
        await provider.aclose()


@PATHS
async def test_server_error_is_transient_and_the_resume_posts_once(
    vk_provider: VkProvider, vk: Vk, vk_clip: Path, clips: bool, vk_session: Credentials
) -> None:
    recorder = Recorder()
    vk.fault("server_error", on=poll_op(clips))
    with pytest.raises(Transient) as failed:
        await vk_provider.publish(
            request=publish_request(vk_clip, recorder, credentials=route(clips, vk_session))
        )
    assert (
        failed.value.code == "vk.internal_error"
        and text_of(failed.value) == "Внутренняя ошибка VK, повторим позже"
    )
    assert recorder.last["uploaded"]
    await drive(
        vk_provider, publish_request(vk_clip, recorder, credentials=route(clips, vk_session)), vk, recorder
    )
    assert len(vk.posts()) == 1


@PATHS
async def test_upload_server_error_is_transient_and_the_same_url_takes_the_file(
    vk_provider: VkProvider, vk: Vk, vk_clip: Path, clips: bool, vk_session: Credentials
) -> None:
    vk.fault("server_error", on="upload")
    recorder = Recorder()
    with pytest.raises(Transient) as failed:
        await vk_provider.publish(
            request=publish_request(vk_clip, recorder, credentials=route(clips, vk_session))
        )
    assert failed.value.code == "vk.upload_failed"
    upload_url = recorder.last["upload_url"]
    assert recorder.last["upload_sent"] and not recorder.last["uploaded"]
    result = await drive(
        vk_provider, publish_request(vk_clip, recorder, credentials=route(clips, vk_session)), vk, recorder
    )
    assert result.checkpoint["upload_url"] == upload_url and "abandoned" not in result.checkpoint
    [post] = vk.posts()
    assert post["sha256"] == sha256_of(vk_clip)


@PATHS
async def test_reset_mid_upload_is_transient_and_the_resume_posts_once(
    vk_provider: VkProvider, vk: Vk, vk_big_clip: Path, clips: bool, vk_session: Credentials
) -> None:
    vk.fault("reset", on="upload")
    recorder = Recorder()
    with pytest.raises(Transient) as cut:
        await vk_provider.publish(
            request=publish_request(vk_big_clip, recorder, credentials=route(clips, vk_session))
        )
    assert cut.value.code == "vk.connection_lost"
    await drive(
        vk_provider,
        publish_request(vk_big_clip, recorder, credentials=route(clips, vk_session)),
        vk,
        recorder,
    )
    [post] = vk.posts()
    assert post["sha256"] == sha256_of(vk_big_clip) and post["bytes"] == vk_big_clip.stat().st_size


async def test_a_cut_after_the_whole_body_is_checked_like_a_lost_answer(
    vk_provider: VkProvider, vk: Vk, vk_clip: Path
) -> None:
    # A small file is all in the socket before the server cuts: the answer is what got lost.
    vk.fault("reset", on="upload")
    recorder = Recorder()
    lost = await vk_provider.publish(request=publish_request(vk_clip, recorder))
    assert lost.state is PublishState.PROCESSING and not lost.checkpoint["uploaded"]
    await recorder.save(lost.checkpoint)
    await drive(vk_provider, publish_request(vk_clip, recorder), vk, recorder)
    [post] = vk.posts()
    assert post["sha256"] == sha256_of(vk_clip)


@PATHS
async def test_a_lost_upload_answer_is_checked_not_repeated(
    vk_impatient: VkProvider, vk: Vk, vk_clip: Path, clips: bool, vk_session: Credentials
) -> None:
    vk.fault("timeout", on="upload", **HANG)
    recorder = Recorder()
    request = publish_request(vk_clip, recorder, credentials=route(clips, vk_session))
    lost = await vk_impatient.publish(request=request)
    # The file went out whole but no answer came: wait and look, never upload blindly.
    assert lost.state is PublishState.PROCESSING
    assert lost.checkpoint["upload_sent"] and not lost.checkpoint["uploaded"]
    await recorder.save(lost.checkpoint)
    vk.advance(1)  # VK finishes processing the file that did arrive
    result = await drive(vk_impatient, request, vk, recorder)
    [post] = vk.posts()
    assert post["remote_id"] == result.remote_id == lost.remote_id and post["sha256"] == sha256_of(vk_clip)


@PATHS
async def test_a_lost_upload_answer_while_vk_still_encodes(
    vk_impatient: VkProvider, vk: Vk, vk_clip: Path, clips: bool, vk_session: Credentials
) -> None:
    vk.configure(processing_seconds=100)
    vk.fault("timeout", on="upload", **HANG)
    recorder = Recorder()
    request = publish_request(vk_clip, recorder, credentials=route(clips, vk_session))
    lost = await vk_impatient.publish(request=request)
    await recorder.save(lost.checkpoint)
    # VK cannot tell yet (video.get: processing; encodeProgress: 3001): the same upload URL refuses a
    # second file, which proves the first arrived.
    resumed = await vk_impatient.publish(request=replace(request, checkpoint=recorder.last))
    assert resumed.state is PublishState.PROCESSING and resumed.checkpoint["uploaded"]
    await recorder.save(resumed.checkpoint)
    vk.advance(101)
    await drive(vk_impatient, request, vk, recorder)
    [post] = vk.posts()
    assert post["remote_id"] == lost.remote_id and post["bytes"] == vk_clip.stat().st_size


@PATHS
async def test_a_lost_create_answer_leaves_only_an_invisible_placeholder(
    vk_impatient: VkProvider, vk: Vk, vk_clip: Path, clips: bool, vk_session: Credentials
) -> None:
    vk.fault("timeout", on=first_op(clips), **HANG)
    recorder = Recorder()
    with pytest.raises(Transient):
        await vk_impatient.publish(
            request=publish_request(vk_clip, recorder, credentials=route(clips, vk_session))
        )
    assert recorder.checkpoints == [] and vk.posts() == []
    result = await drive(
        vk_impatient, publish_request(vk_clip, recorder, credentials=route(clips, vk_session)), vk, recorder
    )
    [post] = vk.posts()
    assert post["remote_id"] == result.remote_id


async def test_a_lost_publish_answer_is_repeated_safely(
    vk_impatient: VkProvider, vk: Vk, vk_clip: Path, vk_session: Credentials
) -> None:
    recorder = Recorder()
    request = publish_request(vk_clip, recorder, credentials=vk_session)
    first = await vk_impatient.publish(request=request)
    await recorder.save(first.checkpoint)
    vk.advance(1)
    vk.fault("timeout", on="shortVideo.publish", **HANG)
    with pytest.raises(Transient):
        await vk_impatient.publish(request=replace(request, checkpoint=recorder.last))
    result = await drive(vk_impatient, request, vk, recorder)
    [post] = vk.posts()
    assert post["remote_id"] == result.remote_id and result.checkpoint["published"]


@PATHS
async def test_an_expired_upload_url_gets_a_new_placeholder(
    vk_provider: VkProvider, vk: Vk, vk_clip: Path, clips: bool, vk_session: Credentials
) -> None:
    vk.fault("server_error", on="upload")
    recorder = Recorder()
    with pytest.raises(Transient):
        await vk_provider.publish(
            request=publish_request(vk_clip, recorder, credentials=route(clips, vk_session))
        )
    old = recorder.last["remote_id"]
    vk.advance(24 * 3600 + 1)  # the upload URL lives 24 hours
    result = await drive(
        vk_provider, publish_request(vk_clip, recorder, credentials=route(clips, vk_session)), vk, recorder
    )
    assert result.checkpoint["abandoned"] == [old] and result.remote_id != old
    [post] = vk.posts()
    assert post["remote_id"] == result.remote_id


async def test_token_expired_is_auth_expired_and_the_resume_continues(
    vk_provider: VkProvider, vk: Vk, vk_clip: Path
) -> None:
    vk.fault("token_expired", on="video.get")
    recorder = Recorder()
    with pytest.raises(AuthExpired) as expired:
        await vk_provider.publish(request=publish_request(vk_clip, recorder))
    assert expired.value.code == "vk.token_expired"
    await drive(vk_provider, publish_request(vk_clip, recorder), vk, recorder)
    assert len(vk.posts()) == 1


async def test_a_web_token_refused_as_expired_is_read_again_from_the_page(
    vk_provider: VkProvider, vk: Vk, vk_clip: Path, vk_session: Credentials
) -> None:
    vk.fault("token_expired", on="shortVideo.encodeProgress")
    recorder = Recorder()
    result = await drive(
        vk_provider, publish_request(vk_clip, recorder, credentials=vk_session), vk, recorder
    )
    assert result.state is PublishState.PUBLISHED and len(vk.posts()) == 1
    assert vk.http.get("/_sandbox/state").json()["faults"] == []


@PATHS
async def test_captcha_is_permanent_with_advice(
    vk_provider: VkProvider, vk: Vk, vk_clip: Path, clips: bool, vk_session: Credentials
) -> None:
    vk.fault("captcha", on=first_op(clips))
    with pytest.raises(Permanent) as captcha:
        await vk_provider.publish(
            request=publish_request(vk_clip, Recorder(), credentials=route(clips, vk_session))
        )
    assert captcha.value.code == "vk.captcha_check" and "по ссылке" in text_of(captcha.value)
    # The check page on VK ID (the sandbox's /vkid stands for id.vk.com): what the person must open.
    link = str(captcha.value.params["captcha_url"])
    assert link.startswith(f"{vk.url}/vkid/not_robot_captcha?domain=vk.com&session_token=")


@PATHS
async def test_failed_processing_is_permanent(
    vk_provider: VkProvider, vk: Vk, vk_clip: Path, clips: bool, vk_session: Credentials
) -> None:
    vk.fault("processing_failed", on="upload")
    recorder = Recorder()
    with pytest.raises(Permanent) as failed:
        await drive(
            vk_provider,
            publish_request(vk_clip, recorder, credentials=route(clips, vk_session)),
            vk,
            recorder,
        )
    assert failed.value.code == "vk.processing_failed" and "не смог обработать" in text_of(failed.value)
    assert [p["status"] for p in vk.posts()] == ([] if clips else ["failed"])
