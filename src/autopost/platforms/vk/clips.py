"""The clips path, shortVideo.*: what makes a VK Clip (platforms.md Part 2, docs/platforms/vk.md).

  create(file_size, group_id?, description?, wallpost=0) → upload (publish.py) →
  encodeProgress(video_id, owner_id, hash) until is_ready → edit(privacy_view=all, …) →
  publish(license_agree=1, publish_date=0) → getOwnerVideos(owner_id): listed in the Clips section.

The same steps for a web session's token and for a VK ID app VK opened clips to. VK puts no
clip on the wall (wallpost=1 is dropped), so none is asked for.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from autopost.platforms.base import PublishRequest, PublishResult
from autopost.platforms.catalog import LIMITS, Platform, caption_text
from autopost.platforms.vk.answers import VkRefusal
from autopost.platforms.vk.api import FormValue
from autopost.platforms.vk.run import Run, group_of

# Error 3001 "short video in processing": the encoder has no figure yet (not in the public schema).
STILL_ENCODING = frozenset({3001})
# Just published: the clip heads its owner's section, so the newest few are enough to find it.
LISTING_COUNT = 10
LIMIT = LIMITS[Platform.VK]


def clip_caption(title: str, description: str) -> str:
    """A clip has no title: title and description go into its one caption when they fit."""
    joined = caption_text(title, description)
    limit = LIMIT.description_max or len(joined)
    return joined if len(joined) <= limit else description.strip()


async def create(run: Run, request: PublishRequest, *, handles: Collection[int]) -> dict[str, Any] | None:
    """shortVideo.create; None when VK refuses it with one of `handles` (no clips for this app)."""
    params = {
        "file_size": request.clip.size,
        "group_id": group_of(request.credentials),
        "description": clip_caption(request.title, request.description) or None,
        "wallpost": False,
    }
    try:
        answer: dict[str, Any] = await run.caller.call("shortVideo.create", params, handles=handles)
    except VkRefusal:
        return None
    return answer


def _ids(run: Run) -> dict[str, FormValue]:
    return {"owner_id": run.owner_id, "video_id": run.video_id}


async def arrived(run: Run) -> bool:
    """After a lost upload answer: encodeProgress gives a figure only once VK has the file.

    False when it cannot tell (3001 also answers before the file is in); the upload is then
    repeated to the same URL, which takes one file and says already_uploaded if it has it.
    """
    try:
        await run.caller.call("shortVideo.encodeProgress", _ids(run), handles=STILL_ENCODING)
    except VkRefusal:
        return False
    return True


async def poll(run: Run) -> PublishResult:
    """Encoding, then edit and publish once each, then look for the clip in the Clips section."""
    if not run.checkpoint.get("published"):
        ready, percents = await _encoding(run)
        if not ready:
            return run.processing(percents)
        if not run.checkpoint.get("edited"):
            # As VK's own publish form does; the caption was given to shortVideo.create.
            params = {**_ids(run), "privacy_view": "all", "privacy_comment": "all", "can_make_duet": True}
            await run.caller.call("shortVideo.edit", params)
            await run.save(edited=True)
        params = {**_ids(run), "license_agree": True, "wallpost": False, "publish_date": 0}
        try:
            await run.caller.call("shortVideo.publish", params, handles=STILL_ENCODING)
        except VkRefusal:
            return run.processing()
        await run.save(published=True)
    if "listed" not in run.checkpoint:
        await run.save(listed=await _listed(run))
    return run.published()


async def _encoding(run: Run) -> tuple[bool, int | None]:
    """Whether the clip is encoded, and VK's percents while it is not (None before VK has a figure)."""
    params = {**_ids(run), "hash": run.checkpoint.get("video_hash")}
    try:
        progress = await run.caller.call("shortVideo.encodeProgress", params, handles=STILL_ENCODING)
    except VkRefusal:
        return False, None
    percents = progress.get("percents")
    return bool(progress.get("is_ready")), percents if isinstance(percents, int) else None


async def _listed(run: Run) -> bool:
    """shortVideo.getOwnerVideos: the check that VK made a clip, not a plain video."""
    answer = await run.caller.call(
        "shortVideo.getOwnerVideos", {"owner_id": run.owner_id, "count": LISTING_COUNT}
    )
    return any(item.get("id") == run.video_id for item in answer.get("items", []))
