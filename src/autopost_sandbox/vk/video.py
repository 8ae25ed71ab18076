"""video.save and video.get (vk-api-schema/video/methods.json), and the video object they share.

video.get knows the video library only (type "video"): clips are neither listed nor found by
id there (crosspostly/diveclub-vkposter:clip_web_upload.py; **assumption** for the by-id case).
"""

from __future__ import annotations

import re
from typing import Any

from autopost_sandbox.vk.errors import bad_param
from autopost_sandbox.vk.store import Video, stats_at
from autopost_sandbox.vk.world import Call, MethodSpec

MAX_TITLE = 128
MAX_DESCRIPTION = 5000
MAX_VIDEOS_PER_GET = 200
# Assumed wording: the schema allows content_restricted(_message) on a video; VK's text is not public.
PROCESSING_FAILED_MESSAGE = "Не удалось обработать видео"

_VIDEO_REF = re.compile(r"^(-?\d+)_(\d+)(?:_[0-9a-zA-Z]+)?$")


def video_object(video: Video, now: float) -> dict[str, Any]:
    """A video_video_full as video.get returns it; every key exists in video/objects.json."""
    stats = stats_at(video, now)
    item: dict[str, Any] = {
        "id": video.id,
        "owner_id": video.owner_id,
        "title": video.title,
        "description": video.description,
        "type": video.kind,
        "date": int(video.created_at),
        "adding_date": int(video.created_at),
        "access_key": video.access_key,
        "player": f"https://vk.com/video_ext.php?oid={video.owner_id}&id={video.id}&hash={video.access_key}",
        "can_edit": 1,
        "can_like": 1,
        "can_repost": 1,
        "can_add": 1,
        "can_comment": 1,
        "views": stats.views,
        "local_views": stats.views,
        "comments": stats.comments,
        "likes": {"count": stats.likes, "user_likes": 0},
        "reposts": {"count": stats.reposts, "user_reposted": 0},
    }
    if video.is_private:
        item["is_private"] = 1
    if video.failed(now):
        item["content_restricted"] = 1
        item["content_restricted_message"] = PROCESSING_FAILED_MESSAGE
    elif video.encoding(now):
        item["processing"] = 1
        item["converting"] = 1
    return item


def video_save(call: Call) -> dict[str, Any]:
    params = call.params
    owner_id = call.owner_for_group(params.integer("group_id"))
    video = call.world.videos.create(
        owner_id=owner_id,
        user_id=call.token.user_id,
        kind="video",
        app=call.token.client_id,
        title=params.text("name", max_length=MAX_TITLE),
        description=params.text("description", max_length=MAX_DESCRIPTION),
    )
    video.wallpost = params.flag("wallpost")
    video.is_private = params.flag("is_private")
    return {
        "upload_url": f"{call.world.state.config.public_url}/vk/upload/video/{video.upload_key}",
        "video_id": video.id,
        "owner_id": video.owner_id,
        "title": video.title,
        "description": video.description,
        "access_key": video.access_key,
    }


def _find(call: Call, refs: list[str]) -> list[Video]:
    found: list[Video] = []
    for ref in refs:
        match = _VIDEO_REF.match(ref)
        if match is None:
            raise bad_param("videos is invalid")
        video = call.world.videos.get(int(match.group(1)), int(match.group(2)))
        # Unknown ids are left out silently, as VK does for deleted or inaccessible videos; so are clips.
        if video is not None and video.kind == "video":
            found.append(video)
    return found


def video_get(call: Call) -> dict[str, Any]:
    params = call.params
    refs = params.items("videos")
    if len(refs) > MAX_VIDEOS_PER_GET:
        raise bad_param(f"videos is too long, maximum {MAX_VIDEOS_PER_GET} videos per call")
    if refs:
        videos = _find(call, refs)
        count = len(videos)
    else:
        # Clips live in the Клипы section, not in the owner's video list.
        owner_id = params.integer("owner_id", 0) or call.token.user_id
        listing = call.world.videos.owned_by(owner_id, "video")
        offset = max(0, params.integer("offset", 0) or 0)
        limit = min(MAX_VIDEOS_PER_GET, max(0, params.integer("count", 100) or 0))
        videos, count = listing[offset : offset + limit], len(listing)
    now = call.world.now()
    return {"count": count, "items": [video_object(v, now) for v in videos]}


METHODS = [
    MethodSpec(
        "video.save",
        frozenset(
            {
                "name",
                "description",
                "is_private",
                "wallpost",
                "group_id",
                "privacy_view",
                "privacy_comment",
                "no_comments",
                "repeat",
                "compression",
            }
        ),
        video_save,
        scope="video",
    ),
    MethodSpec("video.get", frozenset({"videos", "owner_id", "count", "offset"}), video_get, scope="video"),
]
