"""Rutube's wire format as the provider reads it; every ASSUMPTION about it lives in this module.

It mirrors the emulator's autopost_sandbox.rutube.protocol (docs/platforms/rutube.md
names the source of each fact). If Rutube turns out to differ, correct this module,
the emulator's and the docs together; tests/platforms/test_rutube_contract.py keeps
the two in step.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

SITE = "https://rutube.ru"

TOKEN_AUTH = "/api/accounts/token_auth/"  # php-api-client authorize()
VIDEOS = "/api/video/"  # POST: upload by URL (php-api-client uploadVideo)
MY_VIDEOS = "/api/video/person/"  # the caller's videos, newest first (php-api-client loadVideoPerson)

# SSO accounts (platforms.md Part 2): the refreshToken cookie → a JWT access token (Bearer).
MULTIPASS_TOKEN = "/multipass/api/v3/accounts/token/"
REFRESH_COOKIE = "refreshToken"
# ASSUMED from public fetcher scripts: a channel's public profile ({id, name, avatar_url}).
PROFILE = "/api/profile/user/{user_id}/"

# The studio flow (TheVSAKeeper/MediaOrcestrator: MediaOrcestrator.Rutube/RutubeService.cs).
STUDIO_CLIENT = {"client": "vulp"}
UPLOAD_SESSION = "/api/uploader/upload_session/"
V2_VIDEO = "/api/v2/video/{video_id}/"
UPLOAD_PATH = "/upload/{sid}"  # on the upload host (u.rutube.ru)
# u.rutube.ru sits behind anti-bot checks: the studio's own Origin and Referer, a browser's User-Agent.
BROWSER_HEADERS = {
    "User-Agent": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/143.0.0.0 Safari/537.36"
    ),
    "Origin": "https://studio.rutube.ru",
    "Referer": "https://studio.rutube.ru/",
}
UPLOAD_CHUNK_BYTES = 4 * 1024 * 1024

# php-api-client's default category (Miscellaneous); publications carry no category of their own.
DEFAULT_CATEGORY = 13
# ASSUMED, as the emulator: the listing serves at most 100 videos a page.
PAGE_LIMIT = 100

# ASSUMED: DRF's stock texts (Rutube's API is Django REST framework).
LOGIN_REFUSED_PREFIX = "Unable to login"

# action_reason names: the first two are observed (platforms.md), the failures ASSUMED.
IN_PROGRESS_REASONS = frozenset({"downloading_video", "moderation"})
READY_STATUS = "ready"
ERROR_STATUS = "error"

# API times are Moscow time without an offset (yt-dlp parses them so).
MOSCOW = timezone(timedelta(hours=3))
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"


def video_path(video_id: str) -> str:
    return f"{VIDEOS}{video_id}/"


def v2_video_path(video_id: str) -> str:
    return V2_VIDEO.format(video_id=video_id)


def public_url(video_id: str) -> str:
    return f"{SITE}/video/{video_id}/"


def parse_time(text: object) -> float | None:
    """A `created_ts` value → epoch seconds, or None when absent or malformed."""
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.strptime(text, TIME_FORMAT)
    except ValueError:
        return None
    return moment.replace(tzinfo=MOSCOW).timestamp()
