"""Talking to Rutube: paced, token-authenticated calls whose answers answers.py classifies."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from typing import Any

import httpx2

from autopost.platforms.errors import PlatformError
from autopost.platforms.http import make_client, send
from autopost.platforms.rutube.answers import classify
from autopost.platforms.throttle import Unit, UnitLimiter
from autopost.settings import RutubeSettings

PLATFORM = "rutube"


def per_token(settings: RutubeSettings) -> Unit:
    """Rutube throttles each token (DRF's throttles key on the credentials), answering 429 beyond it."""
    return Unit.of("rutube-token", settings.token_limit, "rutube.rate_limited")


def token_fingerprint(token: str) -> str:
    """A short one-way name for a token: safe for logs and dictionary keys, useless to an attacker."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


class RutubeSession:
    """One operation's HTTP client for one token (or none, for token_auth).

    A DRF token goes as `Token <t>`, an SSO account's JWT access token as `Bearer <t>`.
    Calls with a token keep to its allowance when a limiter is given (token_auth is not throttled).
    """

    def __init__(
        self,
        client: httpx2.AsyncClient,
        token: str | None,
        *,
        bearer: bool = False,
        limiter: UnitLimiter | None = None,
        unit: Unit | None = None,
    ) -> None:
        self._client = client
        self._token = token
        self._scheme = "Bearer" if bearer else "Token"
        self._limiter = limiter
        self._unit = unit

    def _turn(self) -> AbstractAsyncContextManager[None]:
        if self._limiter is None or self._unit is None or not self._token:
            return nullcontext()
        return self._limiter.turn(self._unit, self._token)

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Mapping[str, Any] | None = None,
        params: Mapping[str, str | int] | None = None,
        creates: bool = False,
        not_found: PlatformError | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Send one call and return its JSON body, or raise the classified error."""
        sent = dict(headers or {})
        if self._token:
            sent["Authorization"] = f"{self._scheme} {self._token}"
        request = self._client.build_request(method, path, json=json, params=params, headers=sent)
        # Transport failures come back from send() already classified.
        async with self._turn():
            response = await send(self._client, request, platform=PLATFORM, creates=creates)
            return classify(response, not_found=not_found)


@asynccontextmanager
async def open_session(
    settings: RutubeSettings,
    token: str | None,
    *,
    transport: httpx2.AsyncBaseTransport | None,
    http_timeout: float,
    bearer: bool = False,
    limiter: UnitLimiter | None = None,
) -> AsyncIterator[RutubeSession]:
    client = make_client(
        settings.api_url, transport=transport, timeout=http_timeout, headers={"Accept": "application/json"}
    )
    async with client:
        yield RutubeSession(client, token, bearer=bearer, limiter=limiter, unit=per_token(settings))
