"""Signed, expiring URLs at which platforms that download by URL (Rutube) fetch a clip.

The token is `<clip id>.<expiry>.<HMAC-SHA256>`: nothing secret, nothing guessable,
useless after it expires.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid

DEFAULT_TTL_SECONDS = 6 * 3600


def _signature(secret: str, clip_id: uuid.UUID, expires: int) -> str:
    digest = hmac.new(secret.encode(), f"media:{clip_id}:{expires}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign_media_token(secret: str, clip_id: uuid.UUID, ttl_seconds: int = DEFAULT_TTL_SECONDS) -> str:
    expires = int(time.time()) + ttl_seconds
    return f"{clip_id.hex}.{expires}.{_signature(secret, clip_id, expires)}"


def media_url(
    public_url: str, secret: str, clip_id: uuid.UUID, ttl_seconds: int = DEFAULT_TTL_SECONDS
) -> str:
    return f"{public_url.rstrip('/')}/media/{sign_media_token(secret, clip_id, ttl_seconds)}"


def verify_media_token(secret: str, token: str, now: float | None = None) -> uuid.UUID | None:
    """The clip id the token grants, or None if it is forged, malformed or expired."""
    try:
        clip_hex, expires_text, signature = token.split(".")
        clip_id = uuid.UUID(hex=clip_hex)
        expires = int(expires_text)
    except ValueError:
        return None
    if not hmac.compare_digest(signature, _signature(secret, clip_id, expires)):
        return None
    if expires < (time.time() if now is None else now):
        return None
    return clip_id
