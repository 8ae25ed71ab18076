"""Every Dzen answer judged once: the editor page and the editor's endpoints, into data or errors.

The editor answers its errors as `{"errors": [{"type": …}]}` (platforms.md Part 2); the
type decides, never the text. A throttled or failing gateway answers by status (429, 5xx)
whatever its body. ASSUMED (docs/platforms/dzen.md): the editor page embeds its data as
`<script id="editor-data" type="application/json">`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import httpx2

from autopost.platforms.answers import StatusTable
from autopost.platforms.catalog import LIMITS, Platform
from autopost.platforms.errors import AuthExpired, Permanent, PlatformError, RateLimited, Transient
from autopost.platforms.http import json_body

# The session is over (signed out on dzen.ru, or Yandex ended it): sign in and export again.
SESSION_ENDED = "dzen.session_ended"
# Signed in, but no longer allowed to publish to the connected channel.
FORBIDDEN = "dzen.forbidden"
# The draft is gone (deleted in the studio), or the id was never this channel's.
NOT_FOUND = "dzen.not_found"
# The page's CSRF token went stale: read the page again (once) and repeat the call.
CSRF_INVALID = "dzen.csrf_invalid"

STATUSES = StatusTable(
    statuses={429: (RateLimited, "dzen.rate_limited")},
    server_error=(Transient, "dzen.unavailable"),
)

# The editor's error types → our class and code; unknown types are refusals with the type shown.
_TYPES: dict[str, tuple[type[PlatformError], str]] = {
    "auth-error": (AuthExpired, SESSION_ENDED),
    "forbidden": (AuthExpired, FORBIDDEN),
    "invalid-csrf-token-error": (Transient, CSRF_INVALID),
    # Answered to a burst of automated actions (seen live 2026-08; platforms.md Part 2 sources).
    "captcha-required-error": (Permanent, "dzen.captcha"),
    "video-format-error": (Permanent, "dzen.unsupported_format"),
    "not-found": (Permanent, NOT_FOUND),
}

_EDITOR_DATA = re.compile(r'<script id="editor-data" type="application/json">(.*?)</script>', re.DOTALL)


@dataclass(frozen=True)
class EditorPage:
    """What the signed-in editor page says: the CSRF token, who is signed in, and their channel."""

    csrf_token: str
    user_name: str
    publisher_id: str | None
    channel_name: str | None


def error_type(response: httpx2.Response) -> str:
    body = json_body(response)
    items = body.get("errors") if isinstance(body, dict) else None
    first = items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else {}
    return str(first.get("type", ""))


def editor_error(response: httpx2.Response) -> PlatformError:
    """The error an unsuccessful editor answer means, from its error type, else its status."""
    kind, status = error_type(response), response.status_code
    detail = f"HTTP {status} {kind}".strip()
    if kind in _TYPES:
        error_class, code = _TYPES[kind]
        return error_class(code, detail)
    if kind == "video-too-large" or status == 413:
        return Permanent("dzen.platform_file_too_large", detail, limit_bytes=LIMITS[Platform.DZEN].max_bytes)
    by_status = STATUSES.error(response, detail)
    if by_status is not None:
        return by_status
    if status in (401, 403):  # a gateway's refusal without the editor's body: the session is not let in
        return AuthExpired(SESSION_ENDED, detail)
    return Permanent("dzen.refused", detail, reason=kind or f"HTTP {status}")


def checked(response: httpx2.Response) -> dict[str, Any]:
    """The JSON object of a successful answer; anything else raised as the error it means."""
    if not response.is_success:
        raise editor_error(response)
    body = json_body(response)
    if not isinstance(body, dict):
        raise Transient("dzen.bad_answer", f"HTTP {response.status_code}: not a JSON object")
    if body.get("errors"):  # an error list under a 200 is still an error
        raise editor_error(response)
    return body


def text_field(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str | int) or not str(value):
        raise Transient("dzen.bad_answer", f"answer without {name}")
    return str(value)


def editor_page(response: httpx2.Response) -> EditorPage:
    """The signed-in editor page; a redirect to Passport or a page without its data is signed out."""
    if response.status_code >= 500 or response.status_code == 429:
        raise editor_error(response)
    match = _EDITOR_DATA.search(response.text) if response.status_code == 200 else None
    if match is None:
        raise AuthExpired(SESSION_ENDED, f"editor page HTTP {response.status_code} without editor data")
    try:
        data = json.loads(match.group(1))
    except ValueError as exc:
        raise Transient("dzen.bad_answer", "editor data is not JSON") from exc
    if not isinstance(data, dict) or not isinstance(data.get("csrfToken"), str):
        raise Transient("dzen.bad_answer", "editor data without csrfToken")
    user, publisher = data.get("user"), data.get("publisher")
    user = user if isinstance(user, dict) else {}
    publisher = publisher if isinstance(publisher, dict) else {}
    return EditorPage(
        csrf_token=data["csrfToken"],
        user_name=str(user.get("displayName") or user.get("login") or ""),
        publisher_id=str(publisher["id"]) if publisher.get("id") else None,
        channel_name=str(publisher.get("name") or "") or None,
    )


def new_channel(page: EditorPage) -> str:
    """The channel a new connection publishes to: the one the editor offers (Permanent if none)."""
    if page.publisher_id is None:
        raise Permanent("dzen.no_channel", "the editor page offers no channel")
    return page.publisher_id


def still_offered(page: EditorPage, publisher_id: str) -> EditorPage:
    """The page, if it still offers the connected channel; AuthExpired(FORBIDDEN) when it does not."""
    if page.publisher_id is None or page.publisher_id != publisher_id:
        raise AuthExpired(FORBIDDEN, "the editor page no longer offers the connected channel")
    return page


def gif_content(body: dict[str, Any]) -> dict[str, Any]:
    """content.gifContent of a publication read."""
    content = _publication(body).get("content")
    gif = content.get("gifContent") if isinstance(content, dict) else None
    if not isinstance(gif, dict):
        raise Transient("dzen.bad_answer", "publication without content.gifContent")
    return gif


def _publication(body: dict[str, Any]) -> dict[str, Any]:
    """A publication read answers the publication itself, or (older editor versions) `publications`."""
    publications = body.get("publications")
    publication = publications[0] if isinstance(publications, list) and publications else body
    return publication if isinstance(publication, dict) else {}


def publication_state(body: dict[str, Any]) -> str:
    return str(_publication(body).get("state", ""))


def publication_stats(body: dict[str, Any]) -> dict[str, int | None] | None:
    """ASSUMED: the publication's own counters (`stats`), None when the read carries none."""
    stats = _publication(body).get("stats")
    if not isinstance(stats, dict):
        return None
    return {
        name: value if isinstance(value := stats.get(name), int) and value >= 0 else None
        for name in ("views", "likes", "comments", "shares")
    }


def conversion_failed() -> Permanent:
    return Permanent("dzen.processing_failed", "gifContent.isFailed")
