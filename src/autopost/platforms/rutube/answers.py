"""Every Rutube answer judged once: its JSON body, or the one error class it means.

Rutube's API is Django REST framework (ASSUMED shapes in wire.py): errors are
{"detail": "..."} or {field: [message, ...]}, throttling names its wait in the
detail text, and nginx answers outages with an HTML page.
"""

from __future__ import annotations

import re
from typing import Any

import httpx2

from autopost.platforms.answers import StatusTable
from autopost.platforms.errors import AuthExpired, Permanent, PlatformError, RateLimited, Transient
from autopost.platforms.http import json_body
from autopost.platforms.rutube import wire

STATUSES = StatusTable(
    statuses={
        401: (AuthExpired, "rutube.token_invalid"),
        429: (RateLimited, "rutube.rate_limited"),
        403: (Permanent, "rutube.forbidden"),
        404: (Permanent, "rutube.not_found"),
    },
    server_error=(Transient, "rutube.server_error"),
)
# The fields our calls send; a refusal naming one of them has its own code (and text).
FIELDS = ("url", "title", "description", "category_id", "is_hidden", "username", "password")
_THROTTLE_WAIT = re.compile(r"available in (\d+) second")


def classify(response: httpx2.Response, *, not_found: PlatformError | None = None) -> Any:
    """Rutube's answer → its JSON body, or the one error class it means."""
    status = response.status_code
    body = json_body(response)
    if body is None:
        # nginx answers outages with an HTML page; a 2xx that is not JSON came from no API either.
        raise Transient("rutube.server_error", f"HTTP {status}")
    if status < 300:
        return body
    detail = f"HTTP {status}: {drf_detail(body) or _field_text(body)}"
    if status == 404 and not_found is not None:
        raise not_found
    by_status = STATUSES.error(response, detail, stated_wait=_stated_wait(body))
    if by_status is not None:
        raise by_status
    if status == 400:
        raise _bad_request(body, detail)
    raise Permanent("rutube.rejected", detail, status=status)


def _bad_request(body: Any, detail: str) -> Permanent:
    errors = field_errors(body)
    if any(m.startswith(wire.LOGIN_REFUSED_PREFIX) for m in errors.get("non_field_errors", [])):
        # token_auth: a wrong password, or a modern account it refuses; Rutube does not say which.
        return Permanent("rutube.login_refused", detail)
    if drf_detail(body):
        return Permanent("rutube.bad_request", detail, reason=drf_detail(body))
    for name in FIELDS:
        if name in errors:
            return Permanent(f"rutube.bad_field.{name}", detail, reason=" ".join(errors[name]))
    return Permanent("rutube.bad_request", detail, reason=_field_text(body))


def drf_detail(body: Any) -> str:
    """DRF's {"detail": "..."} text, or ""."""
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return str(body["detail"])
    return ""


def field_errors(body: Any) -> dict[str, list[str]]:
    """DRF's {field: [message, ...]} validation errors (ASSUMED shape)."""
    if not isinstance(body, dict):
        return {}
    return {
        str(name): [str(m) for m in messages] if isinstance(messages, list) else [str(messages)]
        for name, messages in body.items()
    }


def _field_text(body: Any) -> str:
    """Every field error as Rutube words it (for logs, and refusals naming no field of ours)."""
    parts = []
    for name, messages in field_errors(body).items():
        text = " ".join(messages)
        parts.append(text if name == "non_field_errors" else f"{name} — {text}")
    return "; ".join(parts) or "no explanation"


def _stated_wait(body: Any) -> float | None:
    """The wait DRF names in its throttle text ("Expected available in 4 seconds.")."""
    found = _THROTTLE_WAIT.search(drf_detail(body))
    return float(found.group(1)) if found else None


def bad_answer(detail: str) -> Transient:
    """A successful answer without what the protocol promises: try again later."""
    return Transient("rutube.bad_answer", detail)
