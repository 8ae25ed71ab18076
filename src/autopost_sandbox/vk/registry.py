"""Tokens shared by VK ID (which issues them) and the VK API (which accepts them).

Lifetimes follow VK ID: authorization code 10 minutes, access token 1 hour,
refresh token 180 days and single-use (a refresh returns a new one and spends
the old one). The vk.com page's web-app token lives `vk_web_token_seconds` (VK: about
5-10 minutes). All times come from the sandbox clock.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from autopost_sandbox.core import Clock
from autopost_sandbox.vk.accounts import ANNA, DEMO_APP_ID, DEMO_TOKEN, DEMO_TOKEN_SCOPES, WEB_APP_ID

CODE_TTL = 600
ACCESS_TTL = 3600
REFRESH_TTL = 180 * 24 * 3600
# The official web client is not reviewed scope by scope: its token may do whatever the person may.
WEB_TOKEN_SCOPES = frozenset({"vkid.personal_info", "video", "wall", "groups"})


@dataclass
class AccessToken:
    token: str
    user_id: int
    client_id: str
    scopes: frozenset[str]
    expires_at: float | None

    def expired(self, now: float) -> bool:
        return self.expires_at is not None and now >= self.expires_at


@dataclass
class AuthCode:
    code: str
    client_id: str
    user_id: int
    redirect_uri: str
    code_challenge: str
    device_id: str
    scopes: frozenset[str]
    expires_at: float
    used: bool = False


@dataclass
class RefreshToken:
    token: str
    client_id: str
    user_id: int
    device_id: str
    scopes: frozenset[str]
    expires_at: float
    spent: bool = False


@dataclass
class IssuedTokens:
    access: AccessToken
    refresh: RefreshToken


@dataclass
class TokenRegistry:
    clock: Clock
    _access: dict[str, AccessToken] = field(default_factory=dict)
    _codes: dict[str, AuthCode] = field(default_factory=dict)
    _refresh: dict[str, RefreshToken] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._access.clear()
        self._codes.clear()
        self._refresh.clear()
        self._access[DEMO_TOKEN] = AccessToken(DEMO_TOKEN, ANNA.id, DEMO_APP_ID, DEMO_TOKEN_SCOPES, None)

    def issue_code(
        self, *, client_id: str, user_id: int, redirect_uri: str, code_challenge: str, scopes: frozenset[str]
    ) -> AuthCode:
        code = AuthCode(
            code=secrets.token_urlsafe(32),
            client_id=client_id,
            user_id=user_id,
            redirect_uri=redirect_uri,
            code_challenge=code_challenge,
            device_id=secrets.token_urlsafe(24),
            scopes=scopes,
            expires_at=self.clock.now() + CODE_TTL,
        )
        self._codes[code.code] = code
        return code

    def find_code(self, code: str) -> AuthCode | None:
        return self._codes.get(code)

    def find_refresh(self, token: str) -> RefreshToken | None:
        return self._refresh.get(token)

    def add(self, token: AccessToken) -> None:
        """Register a ready-made token (seeded accounts skip the VK ID flow)."""
        self._access[token.token] = token

    def access(self, token: str) -> AccessToken | None:
        return self._access.get(token)

    def issue_tokens(
        self, *, client_id: str, user_id: int, device_id: str, scopes: frozenset[str]
    ) -> IssuedTokens:
        now = self.clock.now()
        access = AccessToken(
            "vk2.a." + secrets.token_urlsafe(48), user_id, client_id, scopes, now + ACCESS_TTL
        )
        refresh = RefreshToken(
            token="vk2.r." + secrets.token_urlsafe(48),
            client_id=client_id,
            user_id=user_id,
            device_id=device_id,
            scopes=scopes,
            expires_at=now + REFRESH_TTL,
        )
        self._access[access.token] = access
        self._refresh[refresh.token] = refresh
        return IssuedTokens(access, refresh)

    def issue_web_token(self, user_id: int, lifetime: float) -> AccessToken:
        """The token a signed-in vk.com page embeds: app 6287487, short-lived."""
        token = AccessToken(
            "vk1.a.web." + secrets.token_urlsafe(48),
            user_id,
            WEB_APP_ID,
            WEB_TOKEN_SCOPES,
            self.clock.now() + lifetime,
        )
        self._access[token.token] = token
        return token
