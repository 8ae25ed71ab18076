"""VkProvider.publish against the sandbox: clips through a web session, VK Видео through VK ID, the
clips-approved app and its fallback, communities, limits."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import httpx2
import pytest

from autopost.clips.sources import FileReader
from autopost.platforms.base import Credentials, PublishState
from autopost.platforms.catalog import PostFormat
from autopost.platforms.errors import Permanent
from autopost.platforms.media import ClipSource
from autopost.platforms.vk import VkProvider
from tests.conftest import Sandbox
from tests.platforms.rendered import text_of
from tests.platforms.test_vk_support import (
    ADMIN_COMMUNITY,
    ANNA,
    READER_COMMUNITY,
    Recorder,
    Recording,
    drive,
    publish_request,
    session_of,
    sha256_of,
    vk_settings,
)
from tests.sandbox.test_vk_support import CLIENT_ID, WEB_APP_ID, Vk

pytest_plugins = ["tests.platforms.test_vk_support"]

MiB = 1024 * 1024


async def test_a_web_session_makes_a_clip_in_the_clips_section_only(
    vk_provider: VkProvider, vk: Vk, vk_clip: Path, vk_session: Credentials
) -> None:
    recorder = Recorder()
    request = publish_request(vk_clip, recorder, credentials=vk_session)
    result = await drive(vk_provider, request, vk, recorder)

    [post] = vk.posts()
    assert post["sha256"] == sha256_of(vk_clip) and post["bytes"] == vk_clip.stat().st_size
    assert post["caption"] == "Цветокоррекция за 60 секунд\n\nПолный урок — по ссылке в профиле #монтаж"
    assert post["extra"]["path"] == "clips" and post["extra"]["app"] == WEB_APP_ID
    assert result.format is PostFormat.CLIP and result.checkpoint["path"] == "clips"
    assert result.remote_id is not None and result.remote_id == post["remote_id"]
    assert result.remote_id.startswith("1001_")
    assert result.remote_url == f"https://vk.com/clip{result.remote_id}" == post["url"]
    assert result.checkpoint["edited"] and result.checkpoint["published"] and result.checkpoint["listed"]
    # Where VK shows it: the Клипы section, once; not the video library, not the wall.
    vk.use_web_token()
    section = vk.ok("shortVideo.getOwnerVideos", owner_id=1001, count=10)
    assert [f"{item['owner_id']}_{item['id']}" for item in section["items"]] == [result.remote_id]
    assert vk.ok("video.get", videos=result.remote_id)["count"] == 0
    assert vk.ok("wall.get", domain="anna.smirnova")["count"] == 0

    # The id was saved before a byte of the file went out, and the upload was announced first.
    first = recorder.checkpoints[0]
    assert first["remote_id"] == result.remote_id and first["upload_url"] and not first["upload_sent"]
    assert recorder.checkpoints[1]["upload_sent"] and not recorder.checkpoints[1]["uploaded"]
    assert recorder.checkpoints[2]["uploaded"] and recorder.checkpoints[2]["video_hash"]
    assert recorder.progress[-1] == (vk_clip.stat().st_size, vk_clip.stat().st_size)


async def test_the_legacy_upload_answer_is_success_too(
    vk_provider: VkProvider, vk: Vk, vk_clip: Path, vk_session: Credentials
) -> None:
    vk.configure(vk_clip_upload_answer="retval")
    recorder = Recorder()
    result = await drive(
        vk_provider, publish_request(vk_clip, recorder, credentials=vk_session), vk, recorder
    )
    assert result.format is PostFormat.CLIP and result.checkpoint["listed"]
    # <retval>1</retval> names no hash: encodeProgress is asked without one.
    assert result.checkpoint["uploaded"] and result.checkpoint["video_hash"] is None
    [post] = vk.posts()
    assert post["sha256"] == sha256_of(vk_clip)


async def test_a_vk_id_connection_makes_a_vk_video(sandbox: Sandbox, vk: Vk, vk_clip: Path) -> None:
    recording = Recording()
    provider = VkProvider(vk_settings(sandbox), transport=recording)
    try:
        recorder = Recorder()
        result = await drive(provider, publish_request(vk_clip, recorder), vk, recorder)
    finally:
        await provider.aclose()

    [post] = vk.posts()
    assert post["extra"]["path"] == "video" and post["sha256"] == sha256_of(vk_clip)
    assert (post["title"], post["caption"]) == (
        "Цветокоррекция за 60 секунд",
        "Полный урок — по ссылке в профиле #монтаж",
    )
    assert result.format is PostFormat.VIDEO and result.checkpoint["path"] == "video"
    assert result.remote_url == f"https://vk.com/video{result.remote_id}" == post["url"]
    # Our wall.post (after processing) put the video on the wall, and the sandbox saw it attached.
    assert result.checkpoint["wall_post_id"] == post["extra"]["wall_post_id"] == 1
    # VK has not opened clips to the app: it is not even asked.
    assert not [call for call in recording.calls() if call["method"].startswith("shortVideo.")]


async def test_an_app_vk_opened_clips_to_makes_clips(sandbox: Sandbox, vk: Vk, vk_clip: Path) -> None:
    vk.configure(vk_clips_access=True)
    provider = VkProvider(vk_settings(sandbox, clips_approved=True))
    try:
        recorder = Recorder()
        result = await drive(provider, publish_request(vk_clip, recorder), vk, recorder)
    finally:
        await provider.aclose()
    [post] = vk.posts()
    assert post["extra"]["path"] == "clips" and post["extra"]["app"] == CLIENT_ID
    assert result.format is PostFormat.CLIP and result.checkpoint["listed"]


async def test_an_app_vk_refuses_clips_after_all_falls_back_to_a_video(
    sandbox: Sandbox, vk: Vk, vk_clip: Path
) -> None:
    recording = Recording()
    provider = VkProvider(vk_settings(sandbox, clips_approved=True), transport=recording)
    try:
        recorder = Recorder()
        result = await drive(provider, publish_request(vk_clip, recorder), vk, recorder)
    finally:
        await provider.aclose()
    [create] = recording.calls("shortVideo.create")  # answered with error 3
    assert create["file_size"] == str(vk_clip.stat().st_size)
    [post] = vk.posts()
    assert post["extra"]["path"] == "video"
    assert result.format is PostFormat.VIDEO and result.checkpoint["path"] == "video"


async def test_a_repeated_wall_post_returns_the_same_post(
    vk_provider: VkProvider, vk: Vk, vk_clip: Path
) -> None:
    recorder = Recorder()
    request = publish_request(vk_clip, recorder)
    result = await drive(vk_provider, request, vk, recorder)
    # As if the answer of wall.post had been lost: the guid makes VK answer the first post.
    without_post = {k: v for k, v in result.checkpoint.items() if k != "wall_post_id"}
    again = await vk_provider.publish(request=replace(request, checkpoint=without_post))
    assert again.checkpoint["wall_post_id"] == result.checkpoint["wall_post_id"]
    assert len(vk.posts()) == 1


@pytest.mark.parametrize("clips", [True, False], ids=["clips", "video"])
async def test_publishing_to_a_community_the_user_administers(
    vk_provider: VkProvider, vk: Vk, vk_clip: Path, clips: bool
) -> None:
    credentials = session_of(vk, group_id=2001) if clips else ADMIN_COMMUNITY
    recorder = Recorder()
    request = publish_request(vk_clip, recorder, credentials=credentials)
    result = await drive(vk_provider, request, vk, recorder)
    [post] = vk.posts()
    assert post["owner"] == "-2001" and result.remote_id is not None and result.remote_id == post["remote_id"]
    assert result.remote_url == f"https://vk.com/{'clip' if clips else 'video'}-2001_{result.remote_id[6:]}"
    assert post["extra"]["wall_post_id"] == (None if clips else 1)


@pytest.mark.parametrize("clips", [True, False], ids=["clips", "video"])
async def test_a_community_the_user_only_reads_is_refused(
    vk_provider: VkProvider, vk: Vk, vk_clip: Path, clips: bool
) -> None:
    credentials = session_of(vk, group_id=2002) if clips else READER_COMMUNITY
    recorder = Recorder()
    with pytest.raises(Permanent) as refused:
        await vk_provider.publish(request=publish_request(vk_clip, recorder, credentials=credentials))
    assert (refused.value.code, text_of(refused.value)) == (
        "vk.no_rights",
        "Нет прав на публикацию в сообществе",
    )
    assert vk.posts() == [] and recorder.checkpoints == []


@pytest.mark.parametrize("clips", [True, False], ids=["clips", "video"])
async def test_check_polls_from_the_checkpoint_alone(
    vk_provider: VkProvider, vk: Vk, vk_clip: Path, vk_session: Credentials, clips: bool
) -> None:
    recorder = Recorder()
    request = publish_request(vk_clip, recorder, credentials=vk_session if clips else ANNA)
    first = await vk_provider.publish(request=request)
    assert first.state is PublishState.PROCESSING and first.checkpoint["uploaded"]
    vk.advance(1)
    checked = await vk_provider.check(credentials=request.credentials, checkpoint=first.checkpoint)
    assert checked.state is PublishState.PUBLISHED and checked.remote_id == first.remote_id
    assert checked.format is (PostFormat.CLIP if clips else PostFormat.VIDEO)
    assert len(vk.posts()) == 1


class NoNetwork(httpx2.AsyncBaseTransport):
    """Fails the test if the provider sends anything."""

    def __init__(self) -> None:
        self.requests: list[httpx2.Request] = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        raise AssertionError(f"unexpected request to {request.url}")


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        ({"size": 256 * MiB + 1}, "vk.file_too_large", "Файл 256 МБ больше предела VK (256 МБ)"),
        ({"title": "т" * 129}, "vk.title_too_long", "Название для VK: 129 символов, можно не больше 128"),
        (
            {"description": "о" * 5001},
            "vk.description_too_long",
            "Описание для VK: 5001 символов, можно не больше 5000",
        ),
    ],
)
async def test_limits_are_refused_before_any_byte(
    sandbox: Sandbox, vk: Vk, vk_clip: Path, change: dict[str, object], code: str, message: str
) -> None:
    recorder = Recorder()
    request = publish_request(vk_clip, recorder)
    if "size" in change:
        request = replace(request, clip=ClipSource(reader=FileReader(vk_clip), size=int(str(change["size"]))))
    else:
        request = replace(request, **change)  # type: ignore[arg-type]
    transport = NoNetwork()
    offline = VkProvider(vk_settings(sandbox), transport=transport)
    try:
        with pytest.raises(Permanent) as refused:
            await offline.publish(request=request)
    finally:
        await offline.aclose()
    assert (refused.value.code, text_of(refused.value)) == (code, message)
    assert transport.requests == [] and recorder.checkpoints == [] and recorder.progress == []
    assert vk.posts() == []


async def test_exactly_the_limits_are_accepted(
    vk_provider: VkProvider, vk: Vk, vk_clip: Path, vk_session: Credentials
) -> None:
    recorder = Recorder()
    request = publish_request(
        vk_clip, recorder, title="т" * 128, description="о" * 5000, credentials=vk_session
    )
    await drive(vk_provider, request, vk, recorder)
    [post] = vk.posts()
    # Title and description together pass 5000 characters: the clip keeps the description.
    assert post["caption"] == "о" * 5000
