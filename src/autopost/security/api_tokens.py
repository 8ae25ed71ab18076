"""API tokens: random, shown once, stored as SHA-256 (high entropy needs no slow hash)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

TOKEN_PREFIX = "ap_"


@dataclass(frozen=True)
class NewApiToken:
    token: str
    token_hash: str
    display_prefix: str


def new_api_token() -> NewApiToken:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return NewApiToken(token=token, token_hash=hash_api_token(token), display_prefix=token[:10])


def hash_api_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
