"""Talking to Rutube: paced, token-authenticated calls whose answers answers.py classifies."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx2

from autopost.platforms.errors import PlatformError
from autopost.platforms.http import make_client, send
from autopost.platforms.pacing import Pacer
from autopost.platforms.rutube.answers import classify
from autopost.settings import RutubeSettings

PLATFORM = "rutube"

# Rutube throttles per token; calls count when they arrive, so leave room for network jitter.
JITTER_SECONDS = 0.1


def rutube_pacer(rate_per_second: float) -> Pacer:
    return Pacer(1, 1.0 / rate_per_second + JITTER_SECONDS if rate_per_second > 0 else 0.0)


def token_fingerprint(token: str) -> str:
    """A short one-way name for a token: safe for logs and dictionary keys, useless to an attacker."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


class RutubeSession:
    """One operation's HTTP client for one token (or none, for token_auth).

    A DRF token goes as `Token <t>`, an SSO account's JWT access token as `Bearer <t>`.
    """

    def __init__(
        self, client: httpx2.AsyncClient, pacer: Pacer, token: str | None, *, bearer: bool = False
    ) -> None:
        self._client = client
        self._pacer = pacer
        self._token = token
        self._scheme = "Bearer" if bearer else "Token"

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
        async with self._pacer.turn(self._token or ""):
            response = await send(self._client, request, platform=PLATFORM, creates=creates)
        return classify(response, not_found=not_found)


@asynccontextmanager
async def open_session(
    settings: RutubeSettings,
    pacer: Pacer,
    token: str | None,
    *,
    transport: httpx2.AsyncBaseTransport | None,
    http_timeout: float,
    bearer: bool = False,
) -> AsyncIterator[RutubeSession]:
    client = make_client(
        settings.api_url, transport=transport, timeout=http_timeout, headers={"Accept": "application/json"}
    )
    async with client:
        yield RutubeSession(client, pacer, token, bearer=bearer)
