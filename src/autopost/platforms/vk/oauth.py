"""VK ID: OAuth 2.1 authorization code with PKCE (S256), token exchange and refresh, via Authlib.

VK ID specifics (platforms.md §VK): the redirect carries `device_id` next to
`code` and `state`; the exchange and every refresh must send that device_id; a
refresh returns a NEW refresh token and spends the old one. Errors are decided
on the body ({"error", "error_description"}, see answers.py), not on the HTTP status.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx2
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from autopost.platforms.base import AccountInfo, Credentials
from autopost.platforms.catalog import ConnectionKind
from autopost.platforms.errors import AuthExpired, Permanent, PlatformError, Transient
from autopost.platforms.http import NOTHING_SENT
from autopost.platforms.vk.account import vk_id_account
from autopost.platforms.vk.answers import classify_token_answer
from autopost.platforms.vk.api import DEFAULT_TIMEOUT, TokenCaller, VkApi
from autopost.settings import VkSettings


def _hook(*, refreshing: bool) -> Any:
    """An Authlib compliance hook: classify the token endpoint's answer where it arrives."""

    def check(response: httpx2.Response) -> httpx2.Response:
        failure = classify_token_answer(response, refreshing=refreshing)
        if failure is not None:
            raise failure
        return response

    return check


def token_set(token: Mapping[str, Any], device_id: str) -> Credentials:
    expires_in = token.get("expires_in")
    expires_at = datetime.now(UTC) + timedelta(seconds=int(expires_in)) if expires_in else None
    user_id = token.get("user_id")
    return Credentials(
        kind=ConnectionKind.OAUTH,
        access_token=str(token["access_token"]),
        refresh_token=token.get("refresh_token") or None,
        expires_at=expires_at,
        # Merged into the connection's meta: never overwrite a known user_id with None.
        meta={"device_id": device_id, **({"user_id": user_id} if user_id is not None else {})},
    )


class VkOAuth:
    """Connects a VK account through VK ID and keeps its tokens fresh."""

    def __init__(
        self,
        settings: VkSettings,
        *,
        transport: httpx2.AsyncBaseTransport | None = None,
        timeout: httpx2.Timeout | float = DEFAULT_TIMEOUT,
    ) -> None:
        self._settings = settings
        self._transport = transport
        self._timeout = timeout
        self._token_url = f"{settings.id_url.rstrip('/')}/oauth2/auth"
        # Built on first use: a provider refreshes rarely, and each httpx2 client costs time to build.
        self._oauth_client: Any = None
        self._api_client: VkApi | None = None

    @property
    def _client(self) -> Any:
        if self._oauth_client is None:
            # A public client (no secret): Authlib's "none" auth puts client_id in the form.
            client = AsyncOAuth2Client(
                client_id=self._settings.client_id,
                token_endpoint_auth_method="none",
                transport=self._transport,
                timeout=self._timeout,
            )
            client.register_compliance_hook("access_token_response", _hook(refreshing=False))
            client.register_compliance_hook("refresh_token_response", _hook(refreshing=True))
            self._oauth_client = client
        return self._oauth_client

    @property
    def _api(self) -> VkApi:
        if self._api_client is None:
            self._api_client = VkApi(self._settings, transport=self._transport, timeout=self._timeout)
        return self._api_client

    async def aclose(self) -> None:
        if self._oauth_client is not None:
            await self._oauth_client.aclose()
        if self._api_client is not None:
            await self._api_client.aclose()

    def authorize_url(self, *, state: str, code_verifier: str, redirect_uri: str) -> str:
        """The VK ID consent page URL (PKCE S256 challenge of `code_verifier`)."""
        return str(
            prepare_grant_uri(
                f"{self._settings.id_url.rstrip('/')}/authorize",
                client_id=self._settings.client_id,
                response_type="code",
                redirect_uri=redirect_uri,
                scope=self._settings.scope,
                state=state,
                code_challenge=create_s256_code_challenge(code_verifier),
                # Spelled as VK ID documents it (platforms.md); RFC 7636 writes "S256".
                code_challenge_method="s256",
            )
        )

    async def exchange(
        self, *, code: str, code_verifier: str, redirect_uri: str, device_id: str
    ) -> tuple[Credentials, AccountInfo]:
        """Trade the redirect's code (and device_id) for tokens; say whose account it is."""
        token = await self._grant(
            self._client.fetch_token(
                self._token_url,
                grant_type="authorization_code",
                code=code,
                code_verifier=code_verifier,
                redirect_uri=redirect_uri,
                device_id=device_id,
                body=urlencode({"state": secrets.token_urlsafe(16)}),
            ),
            lost=lambda why: Permanent("vk.id_no_answer", why),
        )
        if "video" not in str(token.get("scope", "")).split():
            raise Permanent("vk.scope_missing", f"granted scope: {token.get('scope')}")
        tokens = token_set(token, device_id)
        return tokens, await vk_id_account(TokenCaller(self._api, tokens.access_token), None)

    async def refresh(self, *, refresh_token: str, device_id: str) -> Credentials:
        """A new token pair; the presented refresh token is spent whatever happens next."""
        token = await self._grant(
            self._client.refresh_token(
                self._token_url,
                refresh_token=refresh_token,
                device_id=device_id,
                body=urlencode({"state": secrets.token_urlsafe(16)}),
            ),
            # The grant may have happened and spent the old token: only reconnecting helps.
            lost=lambda why: AuthExpired("vk.refresh_lost", why),
        )
        return token_set(token, device_id)

    async def _grant(
        self, pending: Awaitable[Any], *, lost: Callable[[str], PlatformError]
    ) -> dict[str, Any]:
        """Await a token request; transport failures become Transient, or `lost` once it was sent."""
        try:
            return dict(await pending)
        except NOTHING_SENT as exc:
            raise Transient("vk.id_unreachable", type(exc).__name__) from exc
        except httpx2.TransportError as exc:
            raise lost(type(exc).__name__) from exc
