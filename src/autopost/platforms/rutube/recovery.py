"""Finding the video a create call made when its answer was lost (timeout, reset, 5xx).

Before POST /api/video/ goes out the provider checkpoints what it is about to
create (title, a hash of the description, the time). The listing of the caller's
own videos (newest first) is then searched for a video with that title and
description, created no earlier than that time minus a clock-skew allowance.
The source URL cannot be matched: Rutube does not return it, and ours is
re-signed on every attempt anyway.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from typing import Any

from autopost.platforms.errors import OutcomeUnknown
from autopost.platforms.rutube import wire
from autopost.platforms.rutube.client import RutubeSession

# Our clock against Rutube's: NTP keeps servers within seconds; a minute is generous.
CLOCK_SKEW_SECONDS = 60.0
# A lookup that has not reached videos older than the create after this many pages gives up.
MAX_PAGES = 10


def pending_create(title: str, description: str) -> dict[str, Any]:
    """The checkpoint written before the create goes out."""
    return {
        "request_sent": True,
        "title": title,
        "description_sha256": description_hash(description),
        "sent_at": time.time(),
    }


def description_hash(description: str) -> str:
    return hashlib.sha256(description.encode()).hexdigest()


async def find_lost_video(api: RutubeSession, pending: Mapping[str, Any]) -> dict[str, Any] | None:
    """The one video our lost create made, None if there is none; OutcomeUnknown if unsure."""
    since = float(pending.get("sent_at", 0.0)) - CLOCK_SKEW_SECONDS
    matches: list[dict[str, Any]] = []
    for number in range(1, MAX_PAGES + 1):
        page = await api.call("GET", wire.MY_VIDEOS, params={"page": number, "limit": wire.PAGE_LIMIT})
        videos, has_next = page_videos(page)
        matches += [v for v in videos if _is_ours(v, pending, since)]
        if _reached_older(videos, since) or not has_next:
            break
    else:
        raise OutcomeUnknown("rutube.lookup_inconclusive", f"{MAX_PAGES} pages of newer videos")
    if len(matches) > 1:
        raise OutcomeUnknown("rutube.ambiguous", f"{len(matches)} videos match")
    return matches[0] if matches else None


def page_videos(page: Any) -> tuple[list[dict[str, Any]], bool]:
    """A listing page's videos and whether another page follows."""
    if not isinstance(page, dict):
        return [], False
    results = page.get("results")
    videos = [v for v in results if isinstance(v, dict)] if isinstance(results, list) else []
    return videos, bool(page.get("has_next"))


def _is_ours(video: Mapping[str, Any], pending: Mapping[str, Any], since: float) -> bool:
    created = wire.parse_time(video.get("created_ts"))
    return (
        isinstance(video.get("id"), str)
        and not video.get("is_deleted")
        and (created is None or created >= since)
        and video.get("title") == pending.get("title")
        and description_hash(str(video.get("description") or "")) == pending.get("description_sha256")
    )


def _reached_older(videos: list[dict[str, Any]], since: float) -> bool:
    oldest = wire.parse_time(videos[-1].get("created_ts")) if videos else None
    return oldest is not None and oldest < since
