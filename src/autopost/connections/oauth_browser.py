"""Which browser may finish an OAuth flow: the one that started it, or one signed in as its user.

Starting a flow sets a state cookie (`autopost_oauth_<platform>`: HttpOnly,
SameSite=Lax, limited to the callback's path, living as long as the state)
holding an HMAC of the state under the app's secret; the callback compares it
with its `state` query. So a consent link sent to someone else's browser comes
back without the proof. A flow an API client started has no cookie in the
user's browser: there a browser signed in as the user who started is the
proof. A browser signed in as anybody else is refused either way.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from starlette.responses import Response

from autopost.platforms.catalog import Platform
from autopost.settings import Settings

OAUTH_STATE_TTL = timedelta(minutes=10)


@dataclass(frozen=True)
class CallbackBrowser:
    """What the browser at the callback shows of itself: its signed-in user and its state cookie."""

    user_id: uuid.UUID | None
    state_cookie: str | None


def callback_url(settings: Settings, platform: Platform) -> str:
    """The redirect URI registered with the platform."""
    return f"{settings.public_url.rstrip('/')}/oauth/{platform.value}/callback"


def state_cookie_name(platform: Platform) -> str:
    return f"autopost_oauth_{platform.value}"


def state_proof(settings: Settings, state: str) -> str:
    """The state cookie's value: useless without the state, and the state cannot be read back from it."""
    key = settings.resolved_secret_key().encode()
    return hmac.new(key, f"oauth-state:{state}".encode(), hashlib.sha256).hexdigest()


def proves(settings: Settings, state: str, cookie: str | None) -> bool:
    return bool(cookie) and hmac.compare_digest(state_proof(settings, state), cookie or "")


def _scope(settings: Settings, platform: Platform) -> tuple[str, bool]:
    """The cookie's path (the callback's, under the public URL) and whether it travels only over https."""
    return urlsplit(callback_url(settings, platform)).path, settings.public_url.startswith("https://")


def keep_state_cookie(response: Response, settings: Settings, platform: Platform, proof: str) -> None:
    path, secure = _scope(settings, platform)
    # SameSite=Lax: the platform's redirect back is a top-level GET, which Lax cookies come along with.
    response.set_cookie(
        state_cookie_name(platform),
        proof,
        max_age=int(OAUTH_STATE_TTL.total_seconds()),
        path=path,
        secure=secure,
        httponly=True,
        samesite="lax",
    )


def forget_state_cookie(response: Response, settings: Settings, platform: Platform) -> None:
    path, secure = _scope(settings, platform)
    response.delete_cookie(
        state_cookie_name(platform), path=path, secure=secure, httponly=True, samesite="lax"
    )
