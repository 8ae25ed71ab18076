"""Rutube SSO accounts (VK ID, Gazprom ID, phone): the refreshToken cookie and its JWT access tokens.

`POST /multipass/api/v3/accounts/token/` with `Cookie: refreshToken=<t>` answers
{access_token (a JWT, ~14 days, user_id in its payload), refresh_token}; the
refresh token is rotated on every call, so the caller must store the new one
before using the access token (connections/refresh.py does, under a lock).
Sources: ../shared/design/platforms.md Part 2, docs/platforms/rutube.md.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from autopost.platforms.base import Credentials
from autopost.platforms.catalog import ConnectionKind
from autopost.platforms.cookies import parse_cookie_export
from autopost.platforms.errors import AuthExpired, Permanent
from autopost.platforms.rutube import wire
from autopost.platforms.rutube.answers import bad_answer
from autopost.platforms.rutube.client import RutubeSession

# The site's cookies only: rutube.ru and its subdomains (studio., u.).
DOMAINS = (str(urlsplit(wire.SITE).hostname),)
# A cookie value as Rutube sets it: no spaces, separators or quotes (anything else is an export).
_BARE_TOKEN = re.compile(r"^[A-Za-z0-9._~+/=-]{16,4000}$")
_HEADER_SAFE = re.compile(r"^[\x21-\x3a\x3c-\x7e]{1,4000}$")


def refresh_token_of(secret: str) -> str:
    """The refreshToken value pasted as is, or read from a cookie export (cookies.txt, JSON, header)."""
    text = secret.strip()
    if _BARE_TOKEN.match(text) and not text.startswith(f"{wire.REFRESH_COOKIE}="):
        return text
    jar = parse_cookie_export(text, domains=DOMAINS)
    for cookie in jar:
        # Only a value that can travel in a Cookie header as it is (printable ASCII, no separators).
        if cookie.name == wire.REFRESH_COOKIE and cookie.value and _HEADER_SAFE.match(cookie.value):
            return cookie.value
    raise Permanent("rutube.no_refresh_cookie", "the export has no refreshToken cookie")


async def exchange(api: RutubeSession, refresh_token: str) -> Credentials:
    """Spend the refresh token: the new access token, the rotated refresh token, the account id."""
    try:
        body = await api.call(
            "POST", wire.MULTIPASS_TOKEN, headers={"Cookie": f"{wire.REFRESH_COOKIE}={refresh_token}"}
        )
    except (AuthExpired, Permanent) as exc:
        # Spent (another client used it first), revoked by signing out, or expired: sign in again.
        raise AuthExpired("rutube.refresh_token_spent", exc.detail) from exc
    access = body.get("access_token") if isinstance(body, dict) else None
    rotated = body.get("refresh_token") if isinstance(body, dict) else None
    if not isinstance(access, str) or not isinstance(rotated, str) or not rotated:
        raise bad_answer("multipass answered without both tokens")
    claims = jwt_claims(access)
    user_id = claims.get("user_id")
    if user_id is None:
        raise bad_answer("the access token names no user_id")
    exp = claims.get("exp")
    return Credentials(
        access_token=access,
        refresh_token=rotated,
        expires_at=datetime.fromtimestamp(exp, UTC) if isinstance(exp, int | float) else None,
        meta={"user_id": str(user_id)},
        kind=ConnectionKind.REFRESH_TOKEN,
    )


def jwt_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, unverified: we only read whose it is and when it ends (Rutube checks it)."""
    parts = token.split(".")
    if len(parts) != 3:
        raise bad_answer("the access token is not a JWT")
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (binascii.Error, ValueError) as exc:
        raise bad_answer("the access token's payload is unreadable") from exc
    if not isinstance(claims, dict):
        raise bad_answer("the access token's payload is not an object")
    return claims
