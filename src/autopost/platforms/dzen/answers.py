"""Every Dzen answer judged once: the publisher API's and Yandex ID's, into results or errors.

The publisher API is MODELLED on Yandex Disk ({"error", "message", "description"}
bodies, see publisher_api.py); Yandex ID speaks OAuth 2.0 ({"error",
"error_description"}, HTTP 400) behind a gateway that answers 429 and 5xx itself.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx2
from authlib.integrations.base_client.errors import OAuthError

from autopost.platforms.answers import StatusTable
from autopost.platforms.catalog import LIMITS, Platform
from autopost.platforms.errors import AuthExpired, Permanent, PlatformError, RateLimited, Transient
from autopost.platforms.http import json_body

# Codes the publishing flow recovers from instead of failing.
NOT_FOUND = "dzen.not_found"
UPLOAD_EXPIRED = "dzen.upload_expired"
UPLOAD_ALREADY_COMPLETED = "dzen.upload_already_completed"
UPLOAD_ALREADY_PUBLISHED = "dzen.upload_already_published"

API_STATUSES = StatusTable(
    statuses={429: (RateLimited, "dzen.rate_limited"), 401: (AuthExpired, "dzen.token_expired")},
    server_error=(Transient, "dzen.unavailable"),
)
ID_STATUSES = StatusTable(
    statuses={429: (RateLimited, "dzen.oauth_rate_limited"), 401: (AuthExpired, "dzen.token_expired")},
    server_error=(Transient, "dzen.oauth_unavailable"),
)

# The platform's error name → our code (HTTP 401, 429 and 5xx are classified by status).
_REFUSALS: dict[str, str] = {
    "PublisherNotApprovedError": "dzen.not_publisher",
    "FileTooLargeError": "dzen.platform_file_too_large",
    "SizeMismatchError": "dzen.size_mismatch",
    "NotFoundError": NOT_FOUND,
    "UploadExpiredError": UPLOAD_EXPIRED,
    "UploadAlreadyCompletedError": UPLOAD_ALREADY_COMPLETED,
    "UploadAlreadyPublishedError": UPLOAD_ALREADY_PUBLISHED,
}

# How a video that failed processing is explained (error.code in GET /videos/{id}).
_FAILURES: dict[str, str] = {
    "ProcessingFailed": "dzen.processing_failed",
    "UnsupportedFormat": "dzen.unsupported_format",
}


def api_error(response: httpx2.Response) -> PlatformError:
    """The error class an unsuccessful publisher API answer means, from its status and body."""
    body = json_body(response)
    body = body if isinstance(body, dict) else {}
    name, message = str(body.get("error", "")), str(body.get("message", ""))
    status = response.status_code
    detail = f"HTTP {status} {name}: {body.get('description', '')}".strip()
    by_status = API_STATUSES.error(response, detail)
    if by_status is not None:
        return by_status
    if name == "FileTooLargeError":
        return Permanent(_REFUSALS[name], detail, limit_bytes=LIMITS[Platform.DZEN].max_bytes)
    if name in _REFUSALS:
        return Permanent(_REFUSALS[name], detail)
    if status == 403:
        return Permanent("dzen.forbidden", detail)
    return Permanent("dzen.refused", detail, reason=message or f"HTTP {status}")


def checked(response: httpx2.Response) -> dict[str, Any]:
    """The JSON object of a successful answer; anything else raised as the error it means."""
    if not response.is_success:
        raise api_error(response)
    body = json_body(response)
    if not isinstance(body, dict):
        raise bad_answer(f"HTTP {response.status_code}: not a JSON object")
    return body


def bad_answer(detail: str) -> Transient:
    """A successful status whose body is not what the protocol says: try again later."""
    return Transient("dzen.bad_answer", detail)


def video_failure(error: Any) -> Permanent:
    """Why a video failed processing (GET /videos/{id} with status `failed`)."""
    error = error if isinstance(error, dict) else {}
    name, message = str(error.get("code", "")), str(error.get("message", ""))
    if name in _FAILURES:
        return Permanent(_FAILURES[name], f"video failed: {name}")
    return Permanent("dzen.video_failed", f"video failed: {name}", reason=message or name)


# ---------------------------------------------------------------- Yandex ID


def token_refusal(error: str, description: str, *, refreshing: bool) -> PlatformError:
    """An OAuth error answer of the token endpoint."""
    detail = f"{error}: {description}"
    if error == "invalid_client":
        return Permanent("dzen.oauth_client", detail)
    if refreshing:
        return AuthExpired("dzen.refresh_refused", detail)
    if error in ("invalid_grant", "bad_verification_code"):
        return Permanent("dzen.oauth_code", detail)
    return Permanent("dzen.oauth_refused", detail, error=error)


def id_status_error(response: httpx2.Response, *, refreshing: bool) -> PlatformError:
    """Yandex ID answers that are not its documented JSON (a gateway's 429/5xx page, a plain 401)."""
    status = response.status_code
    by_status = ID_STATUSES.error(response, f"HTTP {status} from Yandex ID")
    return by_status or token_refusal(f"http_{status}", "", refreshing=refreshing)


def token_hook(*, refreshing: bool) -> Any:
    """An Authlib compliance hook: a throttled or failing token endpoint is judged by its status
    before Authlib reads the body (a 429 with an OAuth error body is still a 429, not a refusal)."""

    def check(response: httpx2.Response) -> httpx2.Response:
        if ID_STATUSES.rule(response.status_code) is not None and response.status_code != 401:
            raise id_status_error(response, refreshing=refreshing)
        return response

    return check


@contextmanager
def token_errors(*, refreshing: bool) -> Iterator[None]:
    """Authlib's exceptions from the token endpoint, as our error classes."""
    try:
        yield
    except OAuthError as exc:
        raise token_refusal(str(exc.error), str(exc.description or ""), refreshing=refreshing) from exc
    except httpx2.HTTPStatusError as exc:
        raise id_status_error(exc.response, refreshing=refreshing) from exc
    except httpx2.TransportError as exc:
        # Token calls create nothing that could be posted twice: at worst a code or refresh token is spent.
        raise Transient("dzen.oauth_unreachable", type(exc).__name__) from exc


def token_access(token: Mapping[str, Any]) -> str:
    """The access token of a token answer; an answer without one is Yandex ID misbehaving."""
    if not token.get("access_token"):
        raise Transient("dzen.oauth_bad_answer", "token answer without access_token")
    return str(token["access_token"])


def yandex_user_body(response: httpx2.Response) -> dict[str, Any]:
    """login.yandex.ru/info's JSON object, or the error its answer means."""
    if not response.is_success:
        raise id_status_error(response, refreshing=False)
    body = json_body(response)
    if not isinstance(body, dict) or not body.get("id"):
        raise Transient("dzen.oauth_bad_answer", "login.yandex.ru/info without id")
    return body
