"""Both VK publish paths end to end, encoding on the clock, stats growth, video.get batching.

The clips path (shortVideo.*) runs on the vk.com web client's token, the only one VK opens it
to by default; tests/sandbox/test_vk_web.py covers the page that hands it out.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator

import pytest

from tests.conftest import Sandbox
from tests.sandbox.test_vk_support import ADMIN_GROUP_ID, DEMO_USER_ID, OTHER_GROUP_ID, WEB_APP_ID, Vk

# Long enough that the real seconds a test takes never finish encoding: only moving the clock does.
ENCODING_SECONDS = 100


@pytest.fixture
def vk(sandbox: Sandbox) -> Iterator[Vk]:
    with Vk(sandbox) as client:
        client.configure(enforce_rate_limits=False, processing_seconds=ENCODING_SECONDS)
        yield client


def test_video_save_path_publishes_to_the_community_with_a_wall_post(vk: Vk) -> None:
    content = os.urandom(300_000)
    video = vk.publish_video(content, name="Урок 1", description="Склейка без швов", group_id=ADMIN_GROUP_ID)
    assert video["owner_id"] == -ADMIN_GROUP_ID
    assert video["size"] == len(content)
    full_id = f"-{ADMIN_GROUP_ID}_{video['video_id']}"

    item = vk.ok("video.get", videos=full_id)["items"][0]
    assert item["processing"] == 1 and item["converting"] == 1
    vk.advance(ENCODING_SECONDS + 1)
    item = vk.ok("video.get", videos=full_id)["items"][0]
    assert "processing" not in item and "converting" not in item
    assert (item["type"], item["title"], item["description"]) == ("video", "Урок 1", "Склейка без швов")

    attachment = f"video{full_id}"
    post = vk.ok(
        "wall.post", owner_id=-ADMIN_GROUP_ID, from_group=1, message="Новый урок", attachments=attachment
    )
    [recorded] = vk.posts()
    assert recorded["remote_id"] == full_id and recorded["owner"] == f"-{ADMIN_GROUP_ID}"
    assert (recorded["bytes"], recorded["sha256"]) == (len(content), hashlib.sha256(content).hexdigest())
    assert recorded["url"] == f"https://vk.com/video{full_id}"
    assert (recorded["title"], recorded["caption"]) == ("Урок 1", "Склейка без швов")
    assert recorded["extra"]["path"] == "video" and recorded["extra"]["wall_post_id"] == post["post_id"]


def test_video_save_to_her_own_page_and_wallpost_flag(vk: Vk) -> None:
    video = vk.publish_video(b"v" * 1000, name="", wallpost=1)
    assert video["owner_id"] == DEMO_USER_ID
    [recorded] = vk.posts()
    # No name given: VK titles the video after the uploaded file.
    assert recorded["title"] == "clip"
    assert recorded["owner"] == str(DEMO_USER_ID) and recorded["extra"]["wall_post_id"] == 1


def test_clips_path_encodes_then_publishes_into_the_clips_section_only(vk: Vk) -> None:
    vk.use_web_token()
    content = os.urandom(200_000)
    clip = vk.upload_clip(content, group_id=ADMIN_GROUP_ID, description="черновик", wallpost=1)
    ids = {"owner_id": clip["owner_id"], "video_id": clip["video_id"]}
    assert clip["owner_id"] == -ADMIN_GROUP_ID and clip["video_hash"]

    assert vk.error("shortVideo.encodeProgress", **ids, hash=clip["video_hash"])["error_code"] == 3001
    assert vk.error("shortVideo.publish", **ids, license_agree=1)["error_code"] == 3001
    vk.advance(ENCODING_SECONDS * 0.6)
    progress = vk.ok("shortVideo.encodeProgress", **ids, hash=clip["video_hash"])
    assert progress["is_ready"] is False and 60 <= progress["percents"] < 100
    vk.advance(ENCODING_SECONDS * 0.5)
    assert vk.ok("shortVideo.encodeProgress", **ids, hash=clip["video_hash"]) == {
        "percents": 100,
        "is_ready": True,
    }
    assert vk.posts() == []

    assert vk.ok("shortVideo.edit", **ids, description="Монтаж за минуту") == 1
    assert vk.ok("shortVideo.getOwnerVideos", owner_id=-ADMIN_GROUP_ID, count=10)["count"] == 0
    published = vk.ok("shortVideo.publish", **ids, license_agree=1, wallpost=1, publish_date=0)["video"]
    assert published["type"] == "short_video" and published["description"] == "Монтаж за минуту"
    assert "wall_post_id" not in published

    full_id = f"{clip['owner_id']}_{clip['video_id']}"
    [recorded] = vk.posts()
    assert recorded["remote_id"] == full_id and recorded["url"] == f"https://vk.com/clip{full_id}"
    assert (recorded["bytes"], recorded["sha256"]) == (len(content), hashlib.sha256(content).hexdigest())
    assert recorded["caption"] == "Монтаж за минуту" and recorded["extra"]["path"] == "clips"
    assert recorded["extra"]["app"] == WEB_APP_ID and recorded["extra"]["wall_post_id"] is None
    # In the Клипы section; not in the video library, not on the wall (wallpost=1 is dropped).
    section = vk.ok("shortVideo.getOwnerVideos", owner_id=-ADMIN_GROUP_ID, count=10)
    assert section["count"] == 1 and section["items"][0]["id"] == clip["video_id"]
    assert vk.ok("video.get", videos=full_id) == {"count": 0, "items": []}
    assert vk.ok("video.get", owner_id=-ADMIN_GROUP_ID)["count"] == 0
    assert vk.ok("wall.get", domain="montage_courses")["count"] == 0
    # Publishing again answers the same clip and records nothing new.
    assert vk.ok("shortVideo.publish", **ids, license_agree=1)["video"]["id"] == clip["video_id"]
    assert len(vk.posts()) == 1
    assert vk.ok("shortVideo.getOwnerVideos", owner_id=-ADMIN_GROUP_ID, count=10)["count"] == 1


@pytest.mark.parametrize("sent", [{}, {"license_agreement": 1}], ids=["nothing", "license_agreement"])
def test_publish_needs_license_agree(vk: Vk, sent: dict[str, int]) -> None:
    vk.use_web_token()
    clip = vk.upload_clip(b"c" * 5000)
    ids = {"owner_id": clip["owner_id"], "video_id": clip["video_id"]}
    vk.advance(ENCODING_SECONDS + 1)
    error = vk.error("shortVideo.publish", **ids, **sent)
    assert (error["error_code"], error["error_msg"]) == (
        100,
        "One of the parameters specified was missing or invalid: license_agreement must by true",
    )
    assert vk.posts() == []
    assert vk.ok("shortVideo.publish", **ids, license_agree=1)["video"]["id"] == clip["video_id"]


METHODS = (
    "shortVideo.getGroupsForUploading",
    "shortVideo.create",
    "shortVideo.encodeProgress",
    "shortVideo.edit",
    "shortVideo.publish",
    "shortVideo.getOwnerVideos",
)


def test_clips_are_unknown_methods_to_vk_id_apps(vk: Vk) -> None:
    for method in METHODS:
        error = vk.error(method, file_size=10, owner_id=1, video_id=1)
        assert (error["error_code"], error["error_msg"]) == (3, "Unknown method passed")
    assert vk.publish_video(b"x" * 100, name="fallback")["video_id"]
    # Unless VK opened clips to the app (an operator who asked VK and got it).
    vk.configure(vk_clips_access=True)
    assert vk.ok("shortVideo.create", file_size=10)["upload_url"]


def test_communities_she_does_not_administer_are_refused(vk: Vk) -> None:
    assert vk.error("video.save", name="x", group_id=OTHER_GROUP_ID)["error_code"] == 15
    vk.use_web_token()
    assert vk.error("shortVideo.create", file_size=10, group_id=OTHER_GROUP_ID)["error_code"] == 15
    error = vk.error("wall.post", owner_id=-OTHER_GROUP_ID, from_group=1, message="hi")
    assert (error["error_code"], error["error_msg"]) == (214, "Access to adding post denied")
    admin_groups = vk.ok("groups.get", filter="admin", extended=1)
    assert [g["id"] for g in admin_groups["items"]] == [ADMIN_GROUP_ID]
    assert vk.ok("groups.get")["items"] == [ADMIN_GROUP_ID, OTHER_GROUP_ID]


def test_stats_grow_with_the_clock_after_publishing(vk: Vk) -> None:
    video = vk.publish_video(b"s" * 100, name="stats")
    full_id = f"{video['owner_id']}_{video['video_id']}"
    before = vk.ok("video.get", videos=full_id)["items"][0]
    assert (before["views"], before["likes"]["count"], before["reposts"]["count"]) == (0, 0, 0)

    vk.advance(ENCODING_SECONDS + 600)
    first = vk.ok("video.get", videos=full_id)["items"][0]
    vk.advance(3600)
    later = vk.ok("video.get", videos=full_id)["items"][0]
    assert 0 < first["views"] < later["views"]
    assert first["local_views"] == first["views"]
    assert later["likes"]["count"] > first["likes"]["count"] > 0
    assert later["comments"] > first["comments"]
    assert later["reposts"]["count"] > first["reposts"]["count"]


def test_video_get_takes_up_to_200_videos_per_call(vk: Vk) -> None:
    refs = []
    for number in range(200):
        saved = vk.ok("video.save", name=f"v{number}")
        refs.append(f"{saved['owner_id']}_{saved['video_id']}")
    batch = vk.ok("video.get", videos=",".join(refs))
    assert batch["count"] == 200 and {f"{i['owner_id']}_{i['id']}" for i in batch["items"]} == set(refs)

    error = vk.error("video.get", videos=",".join([*refs, refs[0]]))
    assert error["error_code"] == 100 and "videos" in error["error_msg"]


def test_owner_listing_shows_videos_not_clips(vk: Vk) -> None:
    vk.use_web_token()
    video = vk.publish_video(b"l" * 10, name="listed", group_id=ADMIN_GROUP_ID)
    vk.upload_clip(b"k" * 10, group_id=ADMIN_GROUP_ID)
    listing = vk.ok("video.get", owner_id=-ADMIN_GROUP_ID)
    assert listing["count"] == 1 and listing["items"][0]["id"] == video["video_id"]


def test_upload_server_refusals(vk: Vk) -> None:
    saved = vk.ok("video.save", name="x")
    wrong_field = vk.upload(saved["upload_url"], "file", b"data")
    assert wrong_field.status_code == 400 and set(wrong_field.json()) == {
        "error",
        "error_code",
        "error_descr",
    }
    assert vk.upload(saved["upload_url"], "video_file", b"data").status_code == 200
    again = vk.upload(saved["upload_url"], "video_file", b"data")
    assert again.status_code == 400 and again.json()["error"] == "already_uploaded"
    assert vk.upload(f"{vk.url}/vk/upload/video/unknown", "video_file", b"data").status_code == 404

    vk.use_web_token()
    created = vk.ok("shortVideo.create", file_size=10)
    short = vk.upload(created["upload_url"], "file", b"123")
    assert short.status_code == 400 and short.json()["error"] == "bad_file_size"
    assert len(vk.posts()) == 1


def test_wall_post_guid_prevents_a_second_post(vk: Vk) -> None:
    first = vk.ok("wall.post", message="раз", guid="publication-42")
    assert vk.ok("wall.post", message="раз", guid="publication-42") == first
    assert vk.ok("wall.post", message="два")["post_id"] != first["post_id"]


def test_parameter_limits(vk: Vk) -> None:
    assert vk.error("video.save", name="я" * 129)["error_code"] == 100
    assert vk.error("video.save", description="я" * 5001)["error_code"] == 100
    assert vk.ok("video.save", name="я" * 128, description="я" * 5000)["title"] == "я" * 128
