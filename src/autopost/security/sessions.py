"""Browser sessions and CSRF tokens: HMAC-signed values, nothing stored server-side but the user.

The session cookie is `<user id>.<expiry>.<signature>` (HttpOnly, SameSite=Lax).
Writes authenticated by that cookie must echo a CSRF token derived from it,
in the X-CSRF-Token header or a `csrf_token` form field.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid

SESSION_COOKIE = "autopost_session"
SESSION_SECONDS = 14 * 24 * 3600


def _sign(secret: str, purpose: str, payload: str) -> str:
    digest = hmac.new(secret.encode(), f"{purpose}:{payload}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def make_session(secret: str, user_id: uuid.UUID, seconds: int = SESSION_SECONDS) -> str:
    payload = f"{user_id.hex}.{int(time.time()) + seconds}"
    return f"{payload}.{_sign(secret, 'session', payload)}"


def read_session(secret: str, cookie: str | None) -> uuid.UUID | None:
    if not cookie:
        return None
    try:
        user_hex, expires, signature = cookie.split(".")
        user_id = uuid.UUID(hex=user_hex)
        if int(expires) < time.time():
            return None
    except ValueError:
        return None
    if not hmac.compare_digest(signature, _sign(secret, "session", f"{user_hex}.{expires}")):
        return None
    return user_id


def csrf_token(secret: str, session_cookie: str) -> str:
    return _sign(secret, "csrf", session_cookie)


def csrf_valid(secret: str, session_cookie: str, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(csrf_token(secret, session_cookie), token or "")
