"""Every Telegram answer judged once: the Bot API's and the t.me preview's.

The Bot API answers {"ok", "result"} or {"ok": false, "error_code",
"description", "parameters"}; its 400s and 403s share one error_code, so their
description tells them apart. The preview is a web page: its status is all there is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx2

from autopost.platforms.answers import StatusTable
from autopost.platforms.errors import AuthExpired, Permanent, RateLimited, Transient
from autopost.platforms.http import json_body

BOT_API_STATUSES = StatusTable(
    statuses={
        429: (RateLimited, "telegram.rate_limited"),
        401: (AuthExpired, "telegram.token_revoked"),
        # The Bot API answers 404 to a malformed token (every method we call exists).
        404: (Permanent, "telegram.bad_token"),
        413: (Permanent, "telegram.platform_file_too_large"),
    },
    server_error=(Transient, "telegram.unavailable"),
)
PREVIEW_STATUSES = StatusTable(statuses={429: (RateLimited, "telegram.preview_rate_limited")})

# Telegram's descriptions are the only way to tell its 400s and 403s apart (error_code is shared).
_DESCRIPTIONS: tuple[tuple[str, str], ...] = (
    ("chat not found", "telegram.chat_not_found"),
    ("bot is not a member", "telegram.not_member"),
    ("bot was kicked", "telegram.not_member"),
    ("need administrator rights", "telegram.not_admin"),
    ("not enough rights", "telegram.not_admin"),
    ("have no rights to send", "telegram.not_admin"),
    ("message caption is too long", "telegram.platform_caption_too_long"),
    ("can't parse entities", "telegram.bad_caption"),
)


def classify(response: httpx2.Response) -> Any:
    """A Bot API answer → its `result`, or the one error class it means."""
    status = response.status_code
    body = json_body(response)
    if not isinstance(body, dict):
        # api.telegram.org's nginx front answers outages (502) with an HTML page.
        raise Transient("telegram.unavailable", f"HTTP {status}")
    if body.get("ok") is True and status < 300:
        return body.get("result")
    description = str(body.get("description") or "")
    detail = f"HTTP {status}: {description}"
    by_status = BOT_API_STATUSES.error(response, detail, stated_wait=_stated_wait(body))
    if by_status is not None:
        raise by_status
    lowered = description.lower()
    for fragment, code in _DESCRIPTIONS:
        if fragment in lowered:
            raise Permanent(code, detail)
    if status == 403:
        raise Permanent("telegram.forbidden", detail)
    raise Permanent("telegram.rejected", detail, reason=description or f"HTTP {status}")


def _stated_wait(body: Mapping[str, Any]) -> float | None:
    """ResponseParameters.retry_after: the wait the Bot API names in its body."""
    parameters = body.get("parameters")
    if isinstance(parameters, dict) and isinstance(parameters.get("retry_after"), int | float):
        return float(parameters["retry_after"])
    return None


def preview_html(response: httpx2.Response) -> str | None:
    """A preview page's HTML; None when the channel has no public preview (t.me redirects away)."""
    status = response.status_code
    if 300 <= status < 400 or status == 404:
        return None
    limited = PREVIEW_STATUSES.error(response, f"t.me HTTP {status}")
    if limited is not None:
        raise limited
    if status != 200:
        raise Transient("telegram.preview_unavailable", f"t.me HTTP {status}")
    return response.text
