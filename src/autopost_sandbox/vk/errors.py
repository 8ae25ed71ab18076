"""VK API errors as VK words them (codes from vk-api-schema/errors.json).

VK answers every error with HTTP 200 and {"error": {error_code, error_msg,
request_params, ...}}; error_msg is the schema's description, optionally
followed by ": <detail>".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

UNKNOWN_METHOD = 3
AUTH_FAILED = 5
TOO_MANY_REQUESTS = 6
INVALID_REQUEST = 8
FLOOD_CONTROL = 9
INTERNAL = 10
CAPTCHA = 14
ACCESS_DENIED = 15
UPLOAD_ERROR = 22
RATE_LIMIT_REACHED = 29
BAD_PARAM = 100
INVALID_USER_ID = 113
WALL_ADD_POST = 214
# Not in the public schema: answered by shortVideo.* while a clip is still encoding (platforms.md).
SHORT_VIDEO_IN_PROCESSING = 3001

_BASE_MESSAGES = {
    UNKNOWN_METHOD: "Unknown method passed",
    AUTH_FAILED: "User authorization failed",
    TOO_MANY_REQUESTS: "Too many requests per second",
    INVALID_REQUEST: "Invalid request",
    FLOOD_CONTROL: "Flood control",
    INTERNAL: "Internal server error",
    CAPTCHA: "Captcha needed",
    ACCESS_DENIED: "Access denied",
    UPLOAD_ERROR: "Upload error",
    RATE_LIMIT_REACHED: "Rate limit reached",
    BAD_PARAM: "One of the parameters specified was missing or invalid",
    INVALID_USER_ID: "Invalid user id",
    WALL_ADD_POST: "Access to adding post denied",
    SHORT_VIDEO_IN_PROCESSING: "short video in processing",
}

# Every code above except 3001 exists in vk-api-schema/errors.json; the contract tests check it.
SERVED_CODES = frozenset(_BASE_MESSAGES)


class VkApiError(Exception):
    """An error answer of the VK API; `extra` adds fields such as captcha_sid."""

    def __init__(self, code: int, detail: str = "", **extra: str | int | float | bool) -> None:
        base = _BASE_MESSAGES[code]
        self.code = code
        self.message = f"{base}: {detail}" if detail else base
        self.extra = extra
        super().__init__(self.message)


def bad_param(detail: str) -> VkApiError:
    return VkApiError(BAD_PARAM, detail)


def error_body(error: VkApiError, method: str, params: Mapping[str, str]) -> dict[str, Any]:
    """The error envelope; request_params echo the call as VK does, never the token."""
    echoed = [{"key": "method", "value": method}, {"key": "oauth", "value": "1"}]
    echoed += [{"key": k, "value": v} for k, v in params.items() if k != "access_token"]
    body: dict[str, Any] = {"error_code": error.code, "error_msg": error.message, "request_params": echoed}
    body.update(error.extra)
    return {"error": body}
