"""Rutube's wire format as the emulator speaks it; every ASSUMPTION about it lives in this module.

Sourced (docs/platforms/rutube.md cites each): endpoints, request fields and the
status-code → exception table of the archived official client rutube/php-api-client;
the fields of GET /api/video/{id}/ read by yt-dlp's rutube extractor. Assumed (no
public source): error texts beyond the two in ../shared/design/platforms.md, the
throttle, the `status` field, action_reason names other than downloading_video and
moderation, the callback payloads, limits and the category list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from starlette.responses import HTMLResponse, JSONResponse, Response

from autopost_sandbox.rutube.store import Video

SITE = "https://rutube.ru"
# Rutube shows Moscow time; its API timestamps carry no offset (yt-dlp parses them as naive).
MOSCOW = timezone(timedelta(hours=3))
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S"
PUBLICATION_FORMAT = "%Y-%m-%d %H:%M:%S"  # php-api-client: publication($id, 'Y-m-d H:i:s')

# ASSUMED limits: conservative, since Rutube publishes none for this API.
THROTTLE_CALLS = 1
THROTTLE_PERIOD = 1.0
TITLE_MAX = 100
DESCRIPTION_MAX = 5000
THUMBNAIL_MAX_BYTES = 10 * 1024 * 1024
DOWNLOAD_MAX_BYTES = 10 * 1024**3
DOWNLOAD_TIMEOUT = 30.0
CALLBACK_TIMEOUT = 10.0
DEFAULT_CATEGORY = 13  # php-api-client's default category_id

CATEGORIES: dict[int, str] = {
    1: "Авто-мото",
    4: "Спорт",
    6: "Юмор",
    9: "Кино",
    11: "Обучение",
    13: "Разное",
    14: "Путешествия",
    16: "Музыка",
}

# ASSUMED action_reason ids; the names downloading_video / moderation are observed (platforms.md).
ACTION_REASONS: dict[str, int] = {
    "downloading_video": 1,
    "moderation": 2,
    "download_failed": 3,
    "not_a_video": 4,
    "file_too_large": 5,
    "processing_failed": 6,
}

# Django REST framework's stock messages (Rutube's API is DRF: token_auth, {"detail": ...}).
NOT_AUTHENTICATED = "Authentication credentials were not provided."
INVALID_TOKEN = "Invalid token."
NOT_FOUND = "Not found."
FORBIDDEN = "You do not have permission to perform this action."
LOGIN_REFUSED = "Unable to login with provided credentials."
# Sourced in platforms.md (texts); the {field: [message]} shape is DRF's and ASSUMED.
BAD_URL = "Неправильный url"
URL_REQUIRED = "url обязательное поле"
FIELD_REQUIRED = "Обязательное поле."
BAD_IMAGE = (
    "Загрузите правильное изображение. Файл, который вы загрузили, поврежден или не является изображением."
)
BAD_PUBLICATION_TIME = "Неправильный формат даты. Используйте формат YYYY-MM-DD hh:mm:ss."
BAD_CATEGORY = "Категория не найдена."
BAD_BOOLEAN = "Требуется логическое значение."

_BAD_GATEWAY = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


def detail(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": message}, status_code=status, headers=headers)


def unauthorized(message: str) -> JSONResponse:
    # DRF's TokenAuthentication answers 401 (not 403) because it names its scheme here.
    return detail(401, message, {"WWW-Authenticate": "Token"})


def field_errors(errors: dict[str, list[str]]) -> JSONResponse:
    return JSONResponse(errors, status_code=400)


def throttled(wait: int) -> JSONResponse:
    """DRF's Throttled: 429, Retry-After, singular/plural wording as DRF words it."""
    unit = "second" if wait == 1 else "seconds"
    message = f"Request was throttled. Expected available in {wait} {unit}."
    return detail(429, message, {"Retry-After": str(wait)})


def server_error() -> Response:
    """An outage as seen from outside: nginx in front of the API answers with its HTML page."""
    return HTMLResponse(_BAD_GATEWAY, status_code=502)


def rutube_time(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, MOSCOW).strftime(TIME_FORMAT)


def parse_publication_time(text: object) -> float | None:
    """'Y-m-d H:i:s' in Moscow time → epoch seconds, or None when malformed."""
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.strptime(text, PUBLICATION_FORMAT).replace(tzinfo=MOSCOW)
    except ValueError:
        return None
    return moment.astimezone(UTC).timestamp()


def parse_flag(value: object) -> bool | None:
    """is_hidden as the PHP client sends it (0/1) or as JSON booleans/strings; None when invalid."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("0", "1", "true", "false"):
        return value.lower() in ("1", "true")
    return None


@dataclass
class VideoView:
    """What one reader sees of a video at one moment (status and counters depend on the clock)."""

    video: Video
    status: str
    action_reason: str | None
    hits: int
    comments: int


def video_url(video_id: str) -> str:
    return f"{SITE}/video/{video_id}/"


def category_json(category_id: int) -> dict[str, Any]:
    return {
        "id": category_id,
        "name": CATEGORIES.get(category_id, ""),
        "category_url": f"{SITE}/video/category/{category_id}/",
    }


def video_json(view: VideoView, now: float) -> dict[str, Any]:
    """GET /api/video/{id}/: yt-dlp's fields, track_id/is_hidden/category (php tests); `status` ASSUMED."""
    video = view.video
    owner = video.owner
    future = video.publication_at if video.publication_at and video.publication_at > now else None
    reason = view.action_reason
    return {
        "id": video.id,
        "track_id": video.track_id,
        "title": video.title,
        "description": video.description,
        "thumbnail_url": video.thumbnail_url or _auto_thumbnail(video, view.status),
        "duration": video.duration,
        "hits": view.hits,
        "comments_count": view.comments,
        "is_hidden": video.is_hidden,
        "is_deleted": video.deleted,
        "is_adult": False,
        "is_livestream": False,
        "video_url": video_url(video.id),
        "embed_url": f"{SITE}/play/embed/{video.id}",
        "author": {"id": owner.id, "name": owner.name, "site_url": f"{SITE}/video/person/{owner.id}/"},
        "category": category_json(video.category_id),
        "created_ts": rutube_time(video.created_at),
        "last_update_ts": rutube_time(video.updated_at),
        "publication_ts": rutube_time(video.publication_at or video.ready_at),
        "future_publication": rutube_time(future),
        "status": view.status,
        "action_reason": {"id": ACTION_REASONS[reason], "name": reason} if reason else None,
    }


def _auto_thumbnail(video: Video, status: str) -> str | None:
    if status != "ready":
        return None
    return f"https://pic.rutube.ru/video/{video.id[:2]}/{video.id[2:4]}/{video.id}.jpg"


def callback_payload(body: dict[str, Any], video: Video) -> dict[str, Any]:
    """ASSUMED: the callback gets the video object (narrowed to query_fields) plus the caller's `extra`."""
    if video.query_fields:
        body = {name: body[name] for name in video.query_fields if name in body}
    return {**body, "video_id": video.id, "extra": video.extra}


def errback_payload(video: Video, reason: str) -> dict[str, Any]:
    """ASSUMED: the errback gets the video id, the failed action_reason and the caller's `extra`."""
    return {
        "video_id": video.id,
        "status": "error",
        "action_reason": {"id": ACTION_REASONS[reason], "name": reason},
        "extra": video.extra,
    }


def page(results: list[dict[str, Any]], number: int, per_page: int, total: int, base: str) -> dict[str, Any]:
    """Rutube's list envelope as yt-dlp walks it: results, has_next, next."""
    has_next = number * per_page < total
    return {
        "results": results,
        "page": number,
        "per_page": per_page,
        "has_next": has_next,
        "next": f"{base}?page={number + 1}&limit={per_page}" if has_next else None,
        "previous": f"{base}?page={number - 1}&limit={per_page}" if number > 1 else None,
    }


def too_long(limit: int, actual: int) -> str:
    """Django's max_length message, as a DRF serializer in Russian words it."""
    return f"Убедитесь, что это значение содержит не более {limit} символов (сейчас {actual})."


def unsupported_media_type(content_type: str) -> JSONResponse:
    return detail(415, f'Unsupported media type "{content_type}" in request.')


def parse_error(reason: str) -> JSONResponse:
    return detail(400, f"JSON parse error - {reason}")
