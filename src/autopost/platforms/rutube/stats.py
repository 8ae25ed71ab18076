"""Counters for many Rutube videos in as few calls as the API allows.

GET /api/video/{id}/ answers one video per call; the owner's listing answers up
to 100 videos per call with the same hits/comments_count. With more than a few
ids the newest pages of the listing are walked first, and only what they did
not contain is fetched one by one (older or deleted videos).
"""

from __future__ import annotations

from collections.abc import Sequence

from autopost.platforms.base import Counters
from autopost.platforms.errors import Permanent
from autopost.platforms.rutube import wire
from autopost.platforms.rutube.client import RutubeSession
from autopost.platforms.rutube.outcome import counters_of
from autopost.platforms.rutube.recovery import page_videos

# Up to this many ids single GETs are cheaper than a listing page that may miss them.
SINGLE_GETS_UP_TO = 2
# Publications we follow are recent: the newest 300 videos cover them; older ones cost a GET each.
LISTING_PAGES = 3


async def collect_counters(api: RutubeSession, remote_ids: Sequence[str]) -> dict[str, Counters]:
    wanted = set(remote_ids)
    found: dict[str, Counters] = {}
    if len(wanted) > SINGLE_GETS_UP_TO:
        found = await _from_listing(api, wanted)
    for video_id in sorted(wanted - found.keys()):
        try:
            video = await api.call("GET", wire.video_path(video_id))
        except Permanent:
            continue  # deleted on Rutube or no longer ours: no counters, the rest still count
        if isinstance(video, dict) and not video.get("is_deleted"):
            found[video_id] = counters_of(video)
    return found


async def _from_listing(api: RutubeSession, wanted: set[str]) -> dict[str, Counters]:
    found: dict[str, Counters] = {}
    for number in range(1, LISTING_PAGES + 1):
        page = await api.call("GET", wire.MY_VIDEOS, params={"page": number, "limit": wire.PAGE_LIMIT})
        videos, has_next = page_videos(page)
        for video in videos:
            if video.get("id") in wanted:
                found[str(video["id"])] = counters_of(video)
        if not has_next or found.keys() >= wanted:
            break
    return found
