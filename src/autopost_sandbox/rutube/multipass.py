"""Rutube's multipass: SSO accounts' refresh tokens, rotated on every exchange, and JWT access tokens.

POST /multipass/api/v3/accounts/token/ with `Cookie: refreshToken=<t>` answers
{access_token, refresh_token}; the refresh token sent is spent at once, and
a spent one is refused (platforms.md Part 2). Access tokens are HS256 JWTs
carrying `user_id` and `exp` (~14 days on the sandbox clock); API calls send
them as `Authorization: Bearer`. The book also counts exchanges and the reuse
of spent tokens, so tests can prove two workers never spend one token.
ASSUMED (no public source): the refusal's status and text, the JWT's other claims.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
from dataclasses import dataclass, field

ENDPOINT = "/multipass/api/v3/accounts/token/"
ACCESS_TTL = 14 * 24 * 3600.0
REFRESH_COOKIE = "refreshToken"
# ASSUMED texts, in the shape of djangorestframework-simplejwt's refusals.
REFRESH_REFUSED = "Token is invalid or expired"
ACCESS_REFUSED = "Given token not valid for any token type"
_SECRET = b"rutube-sandbox-multipass"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def seeded_refresh_token(account_id: int) -> str:
    """The refresh token each reset hands an SSO account (stable, so demos can print it)."""
    return hashlib.sha256(f"rutube-sandbox-refresh:{account_id}".encode()).hexdigest()


@dataclass
class Counters:
    exchanges: int = 0
    spent_reused: int = 0
    refused: int = 0


@dataclass
class Multipass:
    """Refresh tokens → account (spent ones remembered), access tokens → (account, expiry)."""

    _refresh: dict[str, int] = field(default_factory=dict)
    _spent: set[str] = field(default_factory=set)
    _access: dict[str, tuple[int, float]] = field(default_factory=dict)
    counters: Counters = field(default_factory=Counters)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def seed(self, account_ids: list[int]) -> None:
        with self._lock:
            self._refresh = {seeded_refresh_token(a): a for a in account_ids}
            self._spent.clear()
            self._access.clear()
            self.counters = Counters()

    def issue_refresh(self, account_id: int) -> str:
        """A new refresh token, as signing in again in the browser gives one."""
        token = secrets.token_hex(32)
        with self._lock:
            self._refresh[token] = account_id
        return token

    def exchange(self, refresh_token: str, now: float) -> tuple[str, str] | None:
        """Spend a refresh token: (access JWT, new refresh token), or None if unknown or spent."""
        with self._lock:
            account_id = self._refresh.pop(refresh_token, None)
            if account_id is None:
                self.counters.refused += 1
                if refresh_token in self._spent:
                    self.counters.spent_reused += 1
                return None
            self._spent.add(refresh_token)
            self.counters.exchanges += 1
            rotated = secrets.token_hex(32)
            self._refresh[rotated] = account_id
            access = _jwt(account_id, now)
            self._access[access] = (account_id, now + ACCESS_TTL)
        return access, rotated

    def account_of(self, access_token: str, now: float) -> int | None:
        """Whose valid access token this is; None when unknown or expired."""
        with self._lock:
            found = self._access.get(access_token)
        if found is None or now >= found[1]:
            return None
        return found[0]


def _jwt(account_id: int, now: float) -> str:
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = {
        "token_type": "access",
        "user_id": account_id,
        "iat": int(now),
        "exp": int(now + ACCESS_TTL),
        "jti": secrets.token_hex(16),
    }
    payload = _b64(json.dumps(claims).encode())
    signature = hmac.new(_SECRET, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"
