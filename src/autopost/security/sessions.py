"""Browser sessions and CSRF tokens: the cookie is a random opaque token, the server keeps its hash.

The session cookie (HttpOnly, SameSite=Lax) holds nothing but a random token;
the database keeps only its SHA-256 (users.sessions), so logging out, "log out
everywhere" and a password change end a session at once, and a database dump
holds no usable cookie. Writes authenticated by that cookie must echo a CSRF
token derived from it, in the X-CSRF-Token header or a `csrf_token` form field.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from starlette.responses import Response

SESSION_COOKIE = "autopost_session"
SESSION_SECONDS = 14 * 24 * 3600
# A real token is 43 characters; anything much longer is not one and is not worth hashing.
_MAX_TOKEN_LENGTH = 128


@dataclass(frozen=True)
class NewSessionToken:
    token: str
    token_hash: str


def new_session_token() -> NewSessionToken:
    token = secrets.token_urlsafe(32)
    return NewSessionToken(token=token, token_hash=hash_session_token(token))


def hash_session_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def plausible_session_token(cookie: str | None) -> bool:
    return bool(cookie) and len(cookie or "") <= _MAX_TOKEN_LENGTH


def csrf_token(secret: str, session_token: str) -> str:
    digest = hmac.new(secret.encode(), f"csrf:{session_token}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def csrf_valid(secret: str, session_token: str, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(csrf_token(secret, session_token), token or "")


def set_session_cookie(response: Response, token: str, *, secure: bool) -> None:
    response.set_cookie(
        SESSION_COOKIE, token, max_age=SESSION_SECONDS, httponly=True, samesite="lax", secure=secure
    )
