"""The clips path, shortVideo.* (not in the public schema; platforms.md §VK, docs/platforms/vk.md).

Only the official web client's token (app 6287487, from a signed-in vk.com page) may call
these, unless the sandbox config says VK opened them to every app (api.py). A published
clip lives only in the owner's Клипы section (shortVideo.getOwnerVideos): video.get does
not list it and it is never put on the wall, whatever `wallpost` says
(crosspostly/diveclub-vkposter:clip_web_upload.py).

Encoding as encodeProgress reports it, over the encoding time T (processing_seconds
when the upload completed):
- first half of T: error 3001 "short video in processing" (the encoder has not reported yet);
- second half: {"percents": 50..99, "is_ready": false};
- after T: {"percents": 100, "is_ready": true}.
shortVideo.publish before the end answers 3001 too. A failed encoding answers
error 22 "Upload error: video encoding failed" from encodeProgress and publish.
A publish_date in the future starts the clip's stats then; publishing again
answers the same clip without a second post.
"""

from __future__ import annotations

from typing import Any

from autopost_sandbox.vk.accounts import GROUPS
from autopost_sandbox.vk.errors import (
    ACCESS_DENIED,
    SHORT_VIDEO_IN_PROCESSING,
    UPLOAD_ERROR,
    VkApiError,
    bad_param,
)
from autopost_sandbox.vk.social import group_object
from autopost_sandbox.vk.store import Video
from autopost_sandbox.vk.video import MAX_DESCRIPTION, video_object
from autopost_sandbox.vk.world import Call, MethodSpec

# Assumption (no public source): getOwnerVideos pages with offset/count like video.get, at most 100.
MAX_OWNER_VIDEOS = 100


def _clip(call: Call) -> Video:
    """The clip named by owner_id + video_id, if the caller may manage it."""
    owner_id = call.params.required_integer("owner_id")
    video = call.world.videos.get(owner_id, call.params.required_integer("video_id"))
    if video is None or video.kind != "short_video":
        raise bad_param("video_id is invalid")
    if owner_id < 0:
        call.owner_for_group(-owner_id)
    elif owner_id != call.token.user_id:
        raise VkApiError(ACCESS_DENIED)
    return video


def _ensure_encoded(video: Video, now: float) -> None:
    if video.failed(now):
        raise VkApiError(UPLOAD_ERROR, "video encoding failed")
    if not video.ready(now):
        raise VkApiError(SHORT_VIDEO_IN_PROCESSING)


def short_video_groups_for_uploading(call: Call) -> dict[str, Any]:
    """The communities the user may upload clips to: where she is an editor or admin (with admin_level)."""
    user_id = call.token.user_id
    public_url = call.world.state.config.public_url
    groups = [group_object(g, user_id, public_url) for g in GROUPS.values() if user_id in g.admins]
    return {"count": len(groups), "items": groups}


def short_video_create(call: Call) -> dict[str, Any]:
    params = call.params
    file_size = params.required_integer("file_size")
    if file_size <= 0:
        raise bad_param("file_size is invalid")
    video = call.world.videos.create(
        owner_id=call.owner_for_group(params.integer("group_id")),
        user_id=call.token.user_id,
        kind="short_video",
        app=call.token.client_id,
        title="",
        description=params.text("description", max_length=MAX_DESCRIPTION),
    )
    video.declared_size = file_size
    video.wallpost = params.flag("wallpost")
    return {
        "upload_url": f"{call.world.state.config.public_url}/vk/upload/clip/{video.upload_key}",
        "owner_id": video.owner_id,
        "video_id": video.id,
    }


def short_video_encode_progress(call: Call) -> dict[str, Any]:
    video = _clip(call)
    if call.params.has("hash") and call.params.text("hash") != video.video_hash:
        raise bad_param("hash is invalid")
    now = call.world.now()
    if video.uploaded_at is None:
        raise VkApiError(SHORT_VIDEO_IN_PROCESSING)
    if video.failed(now):
        raise VkApiError(UPLOAD_ERROR, "video encoding failed")
    if video.ready(now):
        return {"percents": 100, "is_ready": True}
    fraction = video.encoded_fraction(now)
    if fraction < 0.5:
        raise VkApiError(SHORT_VIDEO_IN_PROCESSING)
    return {"percents": min(99, int(fraction * 100)), "is_ready": False}


def short_video_edit(call: Call) -> int:
    video = _clip(call)
    if call.params.has("description"):
        video.description = call.params.text("description", max_length=MAX_DESCRIPTION)
        call.world.state.update_post("vk", video.full_id, caption=video.description)
    return 1


def short_video_publish(call: Call) -> dict[str, Any]:
    params = call.params
    video = _clip(call)
    if not params.flag("license_agree"):
        # The live API's wording, typo included, whether license_agreement is sent or nothing.
        raise bad_param("license_agreement must by true")
    now = call.world.now()
    _ensure_encoded(video, now)
    if video.published_at is None:
        publish_date = params.integer("publish_date", 0) or 0
        video.published_at = max(now, float(publish_date))
        # wallpost is accepted and dropped: VK puts no clip on the wall.
        call.world.record_video(video, status="published", path="clips")
    return {"video": video_object(video, now)}


def short_video_owner_videos(call: Call) -> dict[str, Any]:
    """The owner's Клипы section: published clips, newest first."""
    params = call.params
    owner_id = params.integer("owner_id") or call.token.user_id
    now = call.world.now()
    section = [
        v
        for v in call.world.videos.owned_by(owner_id, "short_video")
        if v.published_at is not None and v.published_at <= now
    ]
    offset = max(0, params.integer("offset", 0) or 0)
    count = min(MAX_OWNER_VIDEOS, max(0, params.integer("count", 10) or 0))
    return {"count": len(section), "items": [video_object(v, now) for v in section[offset : offset + count]]}


METHODS = [
    MethodSpec(
        "shortVideo.getGroupsForUploading", frozenset(), short_video_groups_for_uploading, scope="video"
    ),
    MethodSpec(
        "shortVideo.create",
        frozenset(
            {
                "file_size",
                "group_id",
                "description",
                "wallpost",
                "privacy_view",
                "can_make_duet",
                "publish_date",
                "license_2022_agree",
            }
        ),
        short_video_create,
        scope="video",
    ),
    MethodSpec(
        "shortVideo.encodeProgress",
        frozenset({"video_id", "owner_id", "hash"}),
        short_video_encode_progress,
        scope="video",
    ),
    MethodSpec(
        "shortVideo.edit",
        frozenset(
            {"video_id", "owner_id", "description", "privacy_view", "privacy_comment", "can_make_duet"}
        ),
        short_video_edit,
        scope="video",
    ),
    MethodSpec(
        "shortVideo.publish",
        frozenset({"video_id", "owner_id", "license_agree", "wallpost", "publish_date"}),
        short_video_publish,
        scope="video",
    ),
    MethodSpec(
        "shortVideo.getOwnerVideos",
        frozenset({"owner_id", "count", "offset"}),
        short_video_owner_videos,
        scope="video",
    ),
]
