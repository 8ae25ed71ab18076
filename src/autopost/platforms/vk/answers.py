"""Every VK answer judged once: the API envelope, the upload server, vk.com pages, VK ID's token endpoint.

VK answers every API error with HTTP 200 and {"error": {error_code, error_msg, ...}}
(codes from vk-api-schema/errors.json); the upload server answers
{error, error_code, error_descr} with an HTTP error status, and a clip's file either
with JSON or with the legacy body <retval>1</retval>; a signed-in vk.com page embeds
`"webToken":{"access_token":"…"}`; VK ID answers {"error", "error_description"} and
is judged on the body, as vkid-web-sdk does. This module is the one place to change
if VK turns out to behave differently.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import httpx2

from autopost.platforms.answers import StatusTable, retry_after
from autopost.platforms.errors import AuthExpired, Permanent, PlatformError, RateLimited, Transient
from autopost.platforms.http import json_body

# Error 6 is per second; 9 (flood control) is VK stopping repeated actions for a while; 29 is
# a method's daily quota (video.save: 5000 calls a day per app), which VK resets the next day.
TOO_MANY_RETRY_SECONDS = 1.0
FLOOD_RETRY_SECONDS = 600.0
MOSCOW = ZoneInfo("Europe/Moscow")

NO_RIGHTS_CODES = frozenset({15, 27, 204, 214})

# Answers without VK's envelope: a gateway's page or throttling in front of VK.
GATEWAY = StatusTable(statuses={429: (RateLimited, "vk.too_many_requests")})
# API error codes that need no more than the code to be classified.
_API_ERRORS: dict[int, tuple[type[PlatformError], str]] = {
    5: (AuthExpired, "vk.token_expired"),
    1: (Transient, "vk.internal_error"),
    10: (Transient, "vk.internal_error"),
    13: (Transient, "vk.internal_error"),
    17: (Permanent, "vk.validation_required"),
    18: (Permanent, "vk.user_deleted"),
    # Encoding of this file failed: asking again answers 22 again, so fail now with advice.
    22: (Permanent, "vk.processing_failed"),
    3: (Permanent, "vk.unknown_method"),
}
_VKID_TRANSIENT = frozenset({"server_error", "temporarily_unavailable", "slow_down"})
# Where VK ID's pages live (settings.id_url decides; this is the real one).
VK_ID_PAGES = "https://id.vk.com/"
# The upload server's old success answer for a clip's file (crosspostly/diveclub-vkposter).
LEGACY_UPLOAD_OK = "<retval>1</retval>"
# How VK's pages carry the web client's token: JSON, or a JavaScript object with a bare key.
_WEB_TOKEN = re.compile(r'"?webToken"?\s*:\s*\{\s*"access_token"\s*:\s*"([^"]+)"')


class VkRefusal(Exception):
    """A VK error answer the caller said it handles itself (e.g. 3001 while a clip encodes)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"VK error {code}: {message}")
        self.code = code


class UploadOutcome(StrEnum):
    ALREADY_UPLOADED = "already_uploaded"  # the URL holds a file already: an earlier upload arrived
    EXPIRED = "expired"  # the URL is unknown or expired: it never took a file in time


class UploadRefusal(Exception):
    def __init__(self, outcome: UploadOutcome) -> None:
        super().__init__(outcome.value)
        self.outcome = outcome


def seconds_until_tomorrow(now: datetime | None = None) -> float:
    """Seconds until 00:05 Moscow time (assumption: VK's daily quotas reset at midnight in Moscow)."""
    moment = (now or datetime.now(MOSCOW)).astimezone(MOSCOW)
    reset = moment.replace(hour=0, minute=5, second=0, microsecond=0)
    if reset <= moment:  # between 00:00 and 00:05 the reset is still ahead today
        reset += timedelta(days=1)
    return (reset - moment).total_seconds()


def unwrap(
    response: httpx2.Response,
    *,
    community: bool,
    handles: Collection[int] = (),
    captcha_prefix: str = VK_ID_PAGES,
) -> Any:
    """The `response` of a VK answer; errors become PlatformError, or VkRefusal when handled."""
    body = json_body(response)
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = body["error"]
        code = error.get("error_code")
        if isinstance(code, int) and code in handles:
            raise VkRefusal(code, str(error.get("error_msg", "")))
        raise classify_error(error, community=community, captcha_prefix=captcha_prefix)
    if not isinstance(body, dict) or "response" not in body:
        detail = f"HTTP {response.status_code} without a VK answer"
        raise GATEWAY.error(response, detail) or Transient("vk.bad_answer", detail)
    return body["response"]


def unwrap_upload(response: httpx2.Response) -> dict[str, Any]:
    """The upload server's answer ({} for the legacy one); a used or expired URL comes back as UploadRefusal."""
    body = json_body(response)
    if response.status_code == 200 and isinstance(body, dict) and "error" not in body:
        return body
    if response.status_code == 200 and LEGACY_UPLOAD_OK in response.text:
        return {}
    name = body.get("error") if isinstance(body, dict) else None
    if name == "already_uploaded":
        raise UploadRefusal(UploadOutcome.ALREADY_UPLOADED)
    if name == "invalid_upload_url" or response.status_code == 404:
        raise UploadRefusal(UploadOutcome.EXPIRED)
    status = response.status_code
    detail = f"upload server: HTTP {status} {name or ''}".strip()
    if not 400 <= status < 500 or status == 429:
        raise Transient("vk.upload_failed", detail)
    raise Permanent("vk.upload_refused", detail)


def web_token(response: httpx2.Response) -> str:
    """The web client's token a vk.com page embeds; a page without one means the session is over.

    A redirect counts as signed out too: to the login form, or to another domain the
    session's cookies are not for (either way the person signs in and exports cookies again).
    """
    status = response.status_code
    if status == 429:
        raise RateLimited("vk.too_many_requests", "vk.com page: HTTP 429", retry_after=retry_after(response))
    if status >= 500:
        raise Transient("vk.web_unavailable", f"vk.com page: HTTP {status}")
    match = _WEB_TOKEN.search(response.text) if status == 200 else None
    if match is None:
        raise AuthExpired("vk.web_signed_out", f"vk.com page without webToken: HTTP {status}")
    return match.group(1)


def _captcha(error: Mapping[str, Any], detail: str, captcha_prefix: str) -> Permanent:
    """Error 14: the person must open VK's check page (redirect_uri) themselves; we cannot solve it.

    Since 2025 captcha_img shows only a "not supported" picture and redirect_uri leads to the
    real check on VK ID (negezor/vk-io issue 581, python273/vk_api issue 536). A blind retry
    usually meets another captcha, so the publication fails with the link and the Retry button.
    """
    link = error.get("redirect_uri")
    if isinstance(link, str) and link.startswith(captcha_prefix):
        return Permanent("vk.captcha_check", detail, captcha_url=link)
    return Permanent("vk.captcha", detail)


def classify_error(
    error: Mapping[str, Any], *, community: bool, captcha_prefix: str = VK_ID_PAGES
) -> PlatformError:
    """The error class for a VK API error object; `community` says the call targeted a community."""
    code = error.get("error_code")
    message = str(error.get("error_msg", ""))
    detail = f"VK error {code}: {message}"
    if code == 14:
        return _captcha(error, detail, captcha_prefix)
    if code == 6:
        return RateLimited("vk.too_many_requests", detail, retry_after=TOO_MANY_RETRY_SECONDS)
    if code == 9:
        return RateLimited("vk.flood_control", detail, retry_after=FLOOD_RETRY_SECONDS)
    if code == 29:
        return RateLimited("vk.daily_limit", detail, retry_after=seconds_until_tomorrow())
    if isinstance(code, int) and code in _API_ERRORS:
        kind, our_code = _API_ERRORS[code]
        return kind(our_code, detail)
    if code in NO_RIGHTS_CODES:
        return Permanent("vk.no_rights" if community else "vk.access_denied", detail)
    if code == 100:
        # VK words a bad parameter as '<description>: <which parameter and why>'.
        _, _, parameter = message.partition(": ")
        return Permanent("vk.bad_parameter", detail, parameter=parameter or message)
    return Permanent("vk.refused", detail, error_code=code)


def classify_token_answer(response: httpx2.Response, *, refreshing: bool) -> PlatformError | None:
    """None for a VK ID token answer, else the error class it means."""
    body = json_body(response)
    if isinstance(body, dict) and "error" not in body and body.get("access_token"):
        return None
    error = body.get("error") if isinstance(body, dict) else None
    detail = f"VK ID: HTTP {response.status_code} {error or 'no token in the answer'}"
    if response.status_code == 429:
        # Throttled: nothing was granted and the refresh token is not spent.
        return RateLimited("vk.id_rate_limited", detail, retry_after=retry_after(response))
    if error is None or error in _VKID_TRANSIENT:
        return Transient("vk.id_unavailable", detail)
    if error == "invalid_client":
        return Permanent("vk.id_client", detail)
    if refreshing:
        # invalid_grant: the refresh token is spent, expired or bound to another device.
        return AuthExpired("vk.refresh_refused", detail)
    if error == "invalid_grant":
        return Permanent("vk.code_refused", detail)
    return Permanent("vk.id_refused", detail, error=str(error))
