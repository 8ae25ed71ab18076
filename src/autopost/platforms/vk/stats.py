"""Counters for published videos: video.get with up to 200 "<owner>_<id>" per call."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from autopost.platforms.base import Counters
from autopost.platforms.vk.api import VkApi

MAX_PER_CALL = 200
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


async def fetch_counters(api: VkApi, token: str, remote_ids: Sequence[str]) -> dict[str, Counters]:
    """Latest counters per remote id; videos VK no longer shows (deleted) are left out."""
    wanted = [rid for rid in dict.fromkeys(remote_ids) if _REMOTE_ID.match(rid)]
    found: dict[str, Counters] = {}
    for start in range(0, len(wanted), MAX_PER_CALL):
        batch = wanted[start : start + MAX_PER_CALL]
        answer = await api.call("video.get", token, {"videos": ",".join(batch), "count": len(batch)})
        for item in answer.get("items", []):
            found[f"{item['owner_id']}_{item['id']}"] = counters(item)
    return found
