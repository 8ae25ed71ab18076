"""The clips path, shortVideo.* (not in the public schema; platforms.md §VK, docs/platforms/vk.md).

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

from autopost_sandbox.vk.errors import (
    ACCESS_DENIED,
    SHORT_VIDEO_IN_PROCESSING,
    UPLOAD_ERROR,
    VkApiError,
    bad_param,
)
from autopost_sandbox.vk.store import Video
from autopost_sandbox.vk.video import MAX_DESCRIPTION, video_object
from autopost_sandbox.vk.world import Call, MethodSpec


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


def short_video_create(call: Call) -> dict[str, Any]:
    params = call.params
    file_size = params.required_integer("file_size")
    if file_size <= 0:
        raise bad_param("file_size is invalid")
    video = call.world.videos.create(
        owner_id=call.owner_for_group(params.integer("group_id")),
        user_id=call.token.user_id,
        kind="short_video",
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
        # Observed wording, typo included (third-party notes on the live API).
        raise bad_param("license_agreement must by true")
    now = call.world.now()
    _ensure_encoded(video, now)
    if video.published_at is None:
        publish_date = params.integer("publish_date", 0) or 0
        video.published_at = max(now, float(publish_date))
        if params.flag("wallpost") or video.wallpost:
            post = call.world.videos.add_wall_post(
                owner_id=video.owner_id,
                from_id=video.owner_id,
                message=video.description,
                attachments=(f"video{video.full_id}",),
            )
            video.wall_post_id = post.id
        call.world.record_video(video, status="published", path="clips")
    answer = video_object(video, now)
    if video.wall_post_id is not None:
        answer["wall_post_id"] = video.wall_post_id
    return {"video": answer}


METHODS = [
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
]
