"""Yandex ID as the sandbox keeps it: users, the OAuth app, codes and tokens on the sandbox clock.

Shared by the Yandex OAuth emulator (which issues tokens) and the Дзен emulator
(which accepts them), as oauth.yandex.ru and Дзен share Yandex ID accounts.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass

from autopost_sandbox.core import Clock

# Yandex documents long-lived tokens (it advises refreshing them every three months); a year is
# the lifetime Yandex OAuth typically returns. The refresh token lives exactly as long (documented).
ACCESS_TTL = 365 * 24 * 3600
# Confirmation codes: Yandex documents 10 minutes for its device codes; assumed the same here.
CODE_TTL = 600


def _stable(seed: str, length: int) -> str:
    return hashlib.sha256(f"yandex-sandbox:{seed}".encode()).hexdigest()[:length]


@dataclass(frozen=True)
class Publisher:
    """An approved Дзен publisher channel."""

    id: str
    name: str
    avatar_url: str


@dataclass(frozen=True)
class YandexUser:
    uid: str
    login: str
    first_name: str
    last_name: str
    avatar_id: str
    publisher: Publisher | None

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class OAuthApp:
    client_id: str
    client_secret: str
    name: str
    default_redirect_uri: str


@dataclass
class AuthCode:
    code: str
    client_id: str
    uid: str
    redirect_uri: str
    challenge: str | None
    challenge_method: str
    expires_at: float
    used: bool = False


@dataclass
class Grant:
    """One access token with its refresh token; both die at `expires_at`."""

    access_token: str
    refresh_token: str
    uid: str
    client_id: str
    expires_at: float


SEEDED_USERS: tuple[YandexUser, ...] = (
    YandexUser(
        uid="1130000061234567",
        login="kursy-montazha",
        first_name="Анна",
        last_name="Монтажёрова",
        avatar_id="53131/" + _stable("avatar-kursy", 24),
        publisher=Publisher(
            id=_stable("publisher-kursy", 24),
            name="Дзен-канал Курсы монтажа",
            avatar_url="https://avatars.dzeninfra.ru/get-zen-logos/sandbox/kursy-montazha/xxh",
        ),
    ),
    YandexUser(
        uid="1130000067654321",
        login="bez-kanala",
        first_name="Пётр",
        last_name="Безканальный",
        avatar_id="0/0-0",
        publisher=None,
    ),
)

SEEDED_APP = OAuthApp(
    client_id=_stable("client-id", 32),
    client_secret=_stable("client-secret", 32),
    name="autopost (песочница)",
    default_redirect_uri="http://127.0.0.1:8000/oauth/dzen/callback",
)


def debug_token(user: YandexUser) -> str:
    """The seeded token of a user, like the debug tokens Yandex OAuth lets developers take by hand."""
    return "y0_" + _stable(f"debug-token:{user.uid}", 48)


class YandexRegistry:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._codes: dict[str, AuthCode] = {}
        self._grants: dict[str, Grant] = {}
        self._refresh: dict[str, Grant] = {}
        self.reset()

    def app(self, client_id: str) -> OAuthApp | None:
        return SEEDED_APP if client_id == SEEDED_APP.client_id else None

    def user(self, uid: str) -> YandexUser | None:
        return next((u for u in SEEDED_USERS if u.uid == uid), None)

    def issue_code(
        self, app: OAuthApp, user: YandexUser, redirect_uri: str, challenge: str | None, method: str
    ) -> str:
        with self._lock:
            code = f"{secrets.randbelow(9_000_000) + 1_000_000}"
            while code in self._codes:
                code = f"{secrets.randbelow(9_000_000) + 1_000_000}"
            self._codes[code] = AuthCode(
                code, app.client_id, user.uid, redirect_uri, challenge, method, self.clock.now() + CODE_TTL
            )
        return code

    def code(self, code: str) -> AuthCode | None:
        with self._lock:
            return self._codes.get(code)

    def issue_grant(self, client_id: str, uid: str) -> Grant:
        grant = Grant(
            access_token="y0_" + secrets.token_urlsafe(42),
            refresh_token="1:" + secrets.token_urlsafe(32),
            uid=uid,
            client_id=client_id,
            expires_at=self.clock.now() + ACCESS_TTL,
        )
        with self._lock:
            self._grants[grant.access_token] = grant
            self._refresh[grant.refresh_token] = grant
        return grant

    def live_grant_by_refresh(self, refresh_token: str) -> Grant | None:
        with self._lock:
            grant = self._refresh.get(refresh_token)
        return grant if grant is not None and grant.expires_at > self.clock.now() else None

    def refresh(self, grant: Grant) -> Grant:
        """Yandex may keep the access token when it still has long to live; the refresh token is new.

        The spent refresh token stops working (ASSUMED: Yandex only says a new one is returned).
        """
        with self._lock:
            self._refresh.pop(grant.refresh_token, None)
        if grant.expires_at - self.clock.now() < ACCESS_TTL / 2:
            return self.issue_grant(grant.client_id, grant.uid)
        grant.refresh_token = "1:" + secrets.token_urlsafe(32)
        with self._lock:
            self._refresh[grant.refresh_token] = grant
        return grant

    def user_for_token(self, access_token: str) -> YandexUser | None:
        """The user behind a live access token; None when unknown or expired."""
        with self._lock:
            grant = self._grants.get(access_token)
        if grant is None or grant.expires_at <= self.clock.now():
            return None
        return self.user(grant.uid)

    def grant(self, access_token: str) -> Grant | None:
        with self._lock:
            return self._grants.get(access_token)

    def reset(self) -> None:
        """Forget issued codes and tokens; re-seed each user's debug token for a fresh year."""
        with self._lock:
            self._codes.clear()
            self._grants.clear()
            self._refresh.clear()
            for user in SEEDED_USERS:
                token = debug_token(user)
                expires_at = self.clock.now() + ACCESS_TTL
                self._grants[token] = Grant(token, "", user.uid, SEEDED_APP.client_id, expires_at)
