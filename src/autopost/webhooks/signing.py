"""The signature scheme (Stripe's and GitHub's): HMAC-SHA256 of "<unix timestamp>.<body>" with the secret."""

from __future__ import annotations

import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The X-Autopost-Signature value for a body sent at `timestamp`."""
    signed = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def headers(secret: str, event: str, delivery_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": "autopost-webhooks",
        "X-Autopost-Event": event,
        "X-Autopost-Delivery": delivery_id,
        "X-Autopost-Timestamp": str(timestamp),
        "X-Autopost-Signature": signature(secret, timestamp, body),
    }
