"""The video path, the documented one: video.save → upload → video.get until processed → wall.post.

It makes a VK Video, not a clip: even a vertical video published this way stays `type: video`
and is not shown in the Clips section (crosspostly/diveclub-vkposter:CLIPS.md).
"""

from __future__ import annotations

from typing import Any

from autopost.platforms.base import PublishRequest, PublishResult
from autopost.platforms.errors import Permanent
from autopost.platforms.vk.answers import VkRefusal
from autopost.platforms.vk.run import Run, group_of

WALL_REFUSED = frozenset({15, 214})


async def create(run: Run, request: PublishRequest) -> dict[str, Any]:
    params = {
        "name": request.title or None,
        "description": request.description or None,
        "group_id": group_of(request.credentials),
        # Our own wall.post (with guid) follows processing: VK's wallpost=1 would post at upload time.
        "wallpost": False,
    }
    answer: dict[str, Any] = await run.caller.call("video.save", params)
    return answer


async def video_item(run: Run) -> dict[str, Any]:
    answer = await run.caller.call("video.get", {"videos": run.remote_id, "count": 1})
    items = answer.get("items", []) if isinstance(answer, dict) else []
    if not items:
        raise Permanent("vk.video_missing", f"video.get found no {run.remote_id}")
    item: dict[str, Any] = items[0]
    if item.get("content_restricted"):
        raise Permanent("vk.processing_failed", "video.get: content_restricted")
    return item


async def arrived(run: Run) -> bool:
    """After a lost upload answer: VK shows a video as processing until its file is in and encoded.

    True when processing is over (the file arrived); False when it cannot tell yet
    (a placeholder without a file also shows as processing).
    """
    return not (await video_item(run)).get("processing")


async def poll(run: Run) -> PublishResult:
    """video.get until processing ends, then one wall post for the video (guid: never twice)."""
    item = await video_item(run)
    if item.get("processing"):
        return run.processing()
    if "wall_post_id" not in run.checkpoint:
        await _post_to_wall(run, item)
    return run.published()


async def _post_to_wall(run: Run, item: dict[str, Any]) -> None:
    owner_id = run.owner_id
    params = {
        "owner_id": owner_id,
        "from_group": True if owner_id < 0 else None,
        "attachments": f"video{run.remote_id}",
        "message": item.get("description") or None,
        # VK's duplicate guard: a repeated wall.post with this guid answers the first post.
        "guid": f"autopost-{run.remote_id}",
    }
    try:
        answer = await run.caller.call("wall.post", params, handles=WALL_REFUSED)
    except VkRefusal as refusal:
        # The video is already on the page; without wall rights only the wall post is missing.
        run.checkpoint.update(wall_post_id=None, wall_post_refused=refusal.code)
        return
    run.checkpoint["wall_post_id"] = answer.get("post_id")
