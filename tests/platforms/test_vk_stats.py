"""fetch_stats: video.get with up to 200 ids a call, clips from the Клипы section; counters as the sandbox
grows them on its clock."""

from __future__ import annotations

from pathlib import Path

from autopost.platforms.base import Counters
from autopost.platforms.vk import VkProvider
from tests.conftest import Sandbox
from tests.platforms.test_vk_support import ANNA, Recorder, Recording, drive, publish_request, vk_settings
from tests.sandbox.test_vk_support import Vk

pytest_plugins = ["tests.platforms.test_vk_support"]


async def test_201_videos_take_two_calls(sandbox: Sandbox, vk: Vk) -> None:
    remote_ids = []
    for index in range(201):
        saved = vk.ok("video.save", name=f"клип {index}")
        remote_ids.append(f"{saved['owner_id']}_{saved['video_id']}")
    published = vk.publish_video(b"video bytes", name="опубликован")
    published_id = f"{published['owner_id']}_{published['video_id']}"
    vk.advance(10 * 60)

    recording = Recording()
    provider = VkProvider(vk_settings(sandbox), transport=recording)
    try:
        wanted = [*remote_ids, published_id, "1001_999", "not-an-id", remote_ids[0]]
        stats = await provider.fetch_stats(credentials=ANNA, remote_ids=wanted)
    finally:
        await provider.aclose()

    calls = recording.calls("video.get")
    assert [len(call["videos"].split(",")) for call in calls] == [200, 3]
    assert set(stats) == {*remote_ids, published_id}  # the unknown and the malformed ids are left out
    assert stats[remote_ids[0]] == Counters(views=0, likes=0, shares=0, comments=0)
    item = vk.ok("video.get", videos=published_id)["items"][0]
    assert item["views"] > 0
    assert stats[published_id] == Counters(
        views=item["views"],
        likes=item["likes"]["count"],
        shares=item["reposts"]["count"],
        comments=item["comments"],
    )


async def test_stats_of_a_published_video_grow(vk_provider: VkProvider, vk: Vk, vk_clip: Path) -> None:
    recorder = Recorder()
    result = await drive(vk_provider, publish_request(vk_clip, recorder), vk, recorder)
    assert result.remote_id is not None
    vk.advance(60 * 60)
    first = (await vk_provider.fetch_stats(credentials=ANNA, remote_ids=[result.remote_id]))[result.remote_id]
    vk.advance(60 * 60)
    later = (await vk_provider.fetch_stats(credentials=ANNA, remote_ids=[result.remote_id]))[result.remote_id]
    assert first.views is not None and later.views is not None and later.views > first.views > 0
    assert later.likes == later.views // 12 and later.shares == later.views // 60
    assert later.comments == later.views // 40


async def test_no_ids_no_calls(sandbox: Sandbox, vk: Vk) -> None:
    recording = Recording()
    provider = VkProvider(vk_settings(sandbox), transport=recording)
    try:
        assert await provider.fetch_stats(credentials=ANNA, remote_ids=[]) == {}
    finally:
        await provider.aclose()
    assert recording.requests == []


async def test_an_app_vk_opened_clips_to_reads_videos_and_clips_where_each_lives(
    sandbox: Sandbox, vk: Vk, vk_clip: Path
) -> None:
    vk.configure(vk_clips_access=True)
    video = vk.publish_video(b"video bytes", name="видео")
    video_id = f"{video['owner_id']}_{video['video_id']}"
    recording = Recording()
    provider = VkProvider(vk_settings(sandbox, clips_approved=True), transport=recording)
    try:
        recorder = Recorder()
        clip = await drive(provider, publish_request(vk_clip, recorder), vk, recorder)
        assert clip.remote_id is not None and clip.checkpoint["path"] == "clips"
        vk.advance(60 * 60)
        stats = await provider.fetch_stats(credentials=ANNA, remote_ids=[video_id, clip.remote_id])
    finally:
        await provider.aclose()
    assert set(stats) == {video_id, clip.remote_id}
    assert all((counters.views or 0) > 0 for counters in stats.values())
    # video.get knows the video only; the Клипы section is asked for the clip alone.
    [listing] = recording.calls("shortVideo.getOwnerVideos")[-1:]
    assert listing["owner_id"] == "1001" and listing["offset"] == "0"
    assert recording.calls("video.get")[-1]["videos"] == f"{video_id},{clip.remote_id}"
