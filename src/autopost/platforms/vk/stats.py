"""Counters for published posts: video.get for videos, the Clips section for clips.

Videos: video.get with up to 200 "<owner>_<id>" per call. Clips are not in video.get
(crosspostly/diveclub-vkposter:clip_web_upload.py), so their counters come from the one
listing the web route offers, shortVideo.getOwnerVideos. **Assumption** (shared with the
sandbox; no public source): it pages with offset/count (at most 100 a call) and its items
are video objects with views, likes{count}, reposts{count} and comments, as video.get's
are. Only the newest MAX_CLIP_PAGES pages of an owner are read: older clips keep the
counters they last had.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from autopost.platforms.base import Counters
from autopost.platforms.vk.answers import VkRefusal
from autopost.platforms.vk.api import Caller

MAX_PER_CALL = 200
CLIPS_PER_CALL = 100
MAX_CLIP_PAGES = 10
# A VK ID app that VK closed clips to again: its clips get no counters (nothing to ask with).
UNKNOWN_METHOD = frozenset({3})
_REMOTE_ID = re.compile(r"^-?\d+_\d+$")


def _count(value: Any) -> int | None:
    """VK gives counts as numbers or as {"count": n} objects."""
    if isinstance(value, dict):
        value = value.get("count")
    return value if isinstance(value, int) else None


def counters(item: dict[str, Any]) -> Counters:
    return Counters(
        views=_count(item.get("views")),
        likes=_count(item.get("likes")),
        shares=_count(item.get("reposts")),
        comments=_count(item.get("comments")),
    )


def valid_ids(remote_ids: Sequence[str]) -> list[str]:
    return [rid for rid in dict.fromkeys(remote_ids) if _REMOTE_ID.match(rid)]


async def video_counters(caller: Caller, remote_ids: Sequence[str]) -> dict[str, Counters]:
    """Latest counters per remote id; videos VK no longer shows (deleted, or clips) are left out."""
    wanted = valid_ids(remote_ids)
    found: dict[str, Counters] = {}
    for start in range(0, len(wanted), MAX_PER_CALL):
        batch = wanted[start : start + MAX_PER_CALL]
        answer = await caller.call("video.get", {"videos": ",".join(batch), "count": len(batch)})
        for item in answer.get("items", []):
            found[f"{item['owner_id']}_{item['id']}"] = counters(item)
    return found


async def clip_counters(caller: Caller, remote_ids: Sequence[str]) -> dict[str, Counters]:
    """Counters of clips from their owners' Clips sections; clips not found there are left out."""
    by_owner: dict[int, set[str]] = {}
    for remote_id in valid_ids(remote_ids):
        by_owner.setdefault(int(remote_id.split("_")[0]), set()).add(remote_id)
    found: dict[str, Counters] = {}
    for owner_id, wanted in by_owner.items():
        for page in range(MAX_CLIP_PAGES):
            params = {"owner_id": owner_id, "count": CLIPS_PER_CALL, "offset": page * CLIPS_PER_CALL}
            try:
                answer = await caller.call("shortVideo.getOwnerVideos", params, handles=UNKNOWN_METHOD)
            except VkRefusal:
                return found
            items = answer.get("items", [])
            for item in items:
                remote_id = f"{item['owner_id']}_{item['id']}"
                if remote_id in wanted:
                    found[remote_id] = counters(item)
            if wanted <= found.keys() or len(items) < CLIPS_PER_CALL:
                break
    return found
