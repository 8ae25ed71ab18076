"""The Bot API's wire format: how parameters arrive and how answers and errors look.

Parameters may come in the query string, an application/x-www-form-urlencoded or
application/json body, or multipart/form-data (the only way to upload files),
as https://core.telegram.org/bots/api#making-requests says. Every answer is
{"ok": true, "result": ...} or {"ok": false, "error_code", "description",
"parameters"?} with the HTTP status equal to error_code.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from python_multipart.multipart import parse_options_header
from starlette.requests import Request
from starlette.responses import JSONResponse

from autopost_sandbox.uploads import ReceivedFile, UploadRejected, receive_form

# Non-multipart bodies are plain parameters; anything bigger is not a Bot API call.
MAX_PLAIN_BODY = 1024 * 1024


class ApiError(Exception):
    """An error answer exactly as the Bot API words it."""

    def __init__(self, code: int, description: str, parameters: dict[str, int] | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    @classmethod
    def bad_request(cls, reason: str) -> ApiError:
        return cls(400, f"Bad Request: {reason}")

    @classmethod
    def too_many_requests(cls, retry_after: int) -> ApiError:
        return cls(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})


UNAUTHORIZED = ApiError(401, "Unauthorized")
NOT_FOUND = ApiError(404, "Not Found")
TOO_LARGE = ApiError(413, "Request Entity Too Large")
INTERNAL = ApiError(500, "Internal Server Error")


def ok_response(result: Any) -> JSONResponse:
    return JSONResponse({"ok": True, "result": result})


def error_response(error: ApiError) -> JSONResponse:
    body: dict[str, Any] = {"ok": False, "error_code": error.code, "description": error.description}
    headers = {}
    if error.parameters:
        body["parameters"] = error.parameters
        if "retry_after" in error.parameters:
            # telegram-bot-api's HttpConnection adds the header next to parameters.retry_after.
            headers["Retry-After"] = str(error.parameters["retry_after"])
    return JSONResponse(body, status_code=error.code, headers=headers)


@dataclass
class ApiCall:
    """The parameters of one call: text arguments plus uploaded file parts by field name."""

    args: dict[str, str]
    files: dict[str, ReceivedFile]

    @property
    def too_large(self) -> bool:
        return any(f.too_large for f in self.files.values())


def _as_arg(value: Any) -> str | None:
    """A JSON body value as the string argument the Bot API server turns it into."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


async def _read_plain_body(request: Request) -> bytes:
    body = bytearray()
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        # Keep draining past the cap so the client finishes sending and reads the 413.
        if size <= MAX_PLAIN_BODY:
            body += chunk
    if size > MAX_PLAIN_BODY:
        raise TOO_LARGE
    return bytes(body)


def _merge(target: dict[str, str], pairs: Mapping[str, str] | list[tuple[str, str]]) -> None:
    # The first occurrence wins, as in telegram-bot-api's Query::arg lookup (query string first).
    items = pairs.items() if isinstance(pairs, Mapping) else pairs
    for name, value in items:
        target.setdefault(name, value)


async def read_call(request: Request, max_file_bytes: int) -> ApiCall:
    """Collect a call's parameters from wherever the client put them, streaming any file parts."""
    args: dict[str, str] = {}
    _merge(args, list(request.query_params.multi_items()))
    content_type, _ = parse_options_header(request.headers.get("content-type", ""))
    if content_type == b"multipart/form-data":
        try:
            form = await receive_form(request, max_file_bytes)
        except UploadRejected as exc:
            raise ApiError.bad_request(f"can't parse multipart/form-data body: {exc}") from exc
        _merge(args, form.fields)
        return ApiCall(args, form.files)
    body = await _read_plain_body(request)
    if content_type == b"application/x-www-form-urlencoded":
        _merge(args, parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    elif content_type == b"application/json" and body.strip():
        _merge(args, _json_args(body))
    return ApiCall(args, {})


def _json_args(body: bytes) -> dict[str, str]:
    try:
        parsed = json.loads(body)
    except ValueError as exc:
        raise ApiError.bad_request("can't parse JSON object") from exc
    if not isinstance(parsed, dict):
        raise ApiError.bad_request("JSON object expected")
    converted = {name: _as_arg(value) for name, value in parsed.items()}
    return {name: value for name, value in converted.items() if value is not None}


def to_bool(value: str) -> bool:
    """telegram-bot-api's to_bool: "true", "yes" or "1", any case."""
    return value.strip().lower() in {"true", "yes", "1"}


def to_int(value: str, default: int = 0) -> int:
    """Integer arguments are parsed leniently by the Bot API server: junk reads as the default."""
    try:
        return int(value.strip())
    except ValueError:
        return default
