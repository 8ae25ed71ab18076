"""Request bodies of the Rutube API: parsed as DRF would (JSON or form), validated with DRF-style errors."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from autopost_sandbox.rutube import protocol

Errors = dict[str, list[str]]


async def read_body(request: Request) -> dict[str, Any] | Response:
    """A small JSON or urlencoded body (DRF's default parsers); never used on file routes."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        try:
            body = json.loads(await request.body() or b"{}")
        except (ValueError, UnicodeDecodeError) as error:
            return protocol.parse_error(str(error))
        return body if isinstance(body, dict) else protocol.parse_error("expected a JSON object")
    if content_type in ("application/x-www-form-urlencoded", ""):
        form = await request.form()
        return {k: v for k, v in form.items() if isinstance(v, str)}
    return protocol.unsupported_media_type(content_type)


def is_http_url(value: object) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value.strip())
    return parts.scheme in ("http", "https") and bool(parts.hostname)


@dataclass
class NewVideo:
    url: str
    title: str
    description: str
    is_hidden: bool
    category_id: int
    callback_url: str | None
    errback_url: str | None
    query_fields: list[str] | None
    extra: Any


def parse_new_video(body: dict[str, Any]) -> NewVideo | Errors:
    """POST /api/video/ fields as php-api-client sends them; missing/bad url → the documented messages."""
    errors: Errors = {}
    url = body.get("url")
    if url is None or url == "":
        errors["url"] = [protocol.URL_REQUIRED]
    elif not is_http_url(url):
        errors["url"] = [protocol.BAD_URL]
    for name in ("callback_url", "errback_url"):
        if body.get(name) not in (None, "") and not is_http_url(body[name]):
            errors[name] = [protocol.BAD_URL]
    title, description = _texts(body, errors)
    # ASSUMED server default: hidden, as php-api-client's upload() defaults is_hidden to 1.
    hidden = protocol.parse_flag(body.get("is_hidden", 1))
    if hidden is None:
        errors["is_hidden"] = [protocol.BAD_BOOLEAN]
    category = _category(body.get("category_id", protocol.DEFAULT_CATEGORY), "category_id", errors)
    if errors:
        return errors
    return NewVideo(
        url=str(url).strip(),
        title=title,
        description=description,
        is_hidden=bool(hidden),
        category_id=category,
        callback_url=body.get("callback_url") or None,
        errback_url=body.get("errback_url") or None,
        query_fields=_query_fields(body.get("query_fields")),
        extra=_maybe_json(body.get("extra")),
    )


def parse_patch(body: dict[str, Any]) -> tuple[dict[str, Any], Errors]:
    """PATCH /api/video/{id}/: any of title, description, is_hidden, category (the client's names)."""
    errors: Errors = {}
    changes: dict[str, Any] = {}
    title, description = _texts(body, errors)
    if "title" in body:
        changes["title"] = title
    if "description" in body:
        changes["description"] = description
    if "is_hidden" in body:
        hidden = protocol.parse_flag(body["is_hidden"])
        if hidden is None:
            errors["is_hidden"] = [protocol.BAD_BOOLEAN]
        changes["is_hidden"] = hidden
    for name in ("category", "category_id"):
        if name in body:
            changes["category_id"] = _category(body[name], name, errors)
    return changes, errors


def parse_publication(body: dict[str, Any]) -> tuple[str, float] | Errors:
    errors: Errors = {}
    video_id = body.get("video")
    if not isinstance(video_id, str) or not video_id:
        errors["video"] = [protocol.FIELD_REQUIRED]
    moment = protocol.parse_publication_time(body.get("timestamp"))
    if moment is None:
        errors["timestamp"] = [protocol.BAD_PUBLICATION_TIME]
    if errors or not isinstance(video_id, str) or moment is None:
        return errors
    return video_id, moment


def _texts(body: dict[str, Any], errors: Errors) -> tuple[str, str]:
    title = str(body.get("title") or "")
    description = str(body.get("description") or "")
    if len(title) > protocol.TITLE_MAX:
        errors["title"] = [protocol.too_long(protocol.TITLE_MAX, len(title))]
    if len(description) > protocol.DESCRIPTION_MAX:
        errors["description"] = [protocol.too_long(protocol.DESCRIPTION_MAX, len(description))]
    return title, description


def _category(value: object, name: str, errors: Errors) -> int:
    try:
        category = int(str(value))
    except ValueError:
        category = -1
    if category not in protocol.CATEGORIES:
        errors[name] = [protocol.BAD_CATEGORY]
    return category


def _maybe_json(value: object) -> Any:
    """php-api-client json_encode()s `extra` and `query_fields` into strings."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _query_fields(value: object) -> list[str] | None:
    parsed = _maybe_json(value)
    if isinstance(parsed, list):
        return [str(name) for name in parsed]
    return None
