"""Connecting a Dzen channel: Yandex OAuth (documented) with PKCE, then the publisher check.

Yandex OAuth and login.yandex.ru/info are documented (yandex.ru/dev/id/doc);
whether the account may publish on Dzen is asked of the MODELLED publisher API
(publisher_api.py). Authlib speaks the token endpoint; its failures are
classified in answers.py, once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from autopost.platforms.base import AccountInfo, Credentials
from autopost.platforms.catalog import ConnectionKind
from autopost.platforms.dzen.answers import token_access, token_errors, token_hook, yandex_user_body
from autopost.platforms.dzen.publisher_api import CALL_INTERVAL, PLATFORM, Publisher, PublisherApi
from autopost.platforms.http import make_client, send
from autopost.platforms.pacing import Pacer
from autopost.settings import DzenSettings

TIMEOUT = 30.0


@dataclass(frozen=True)
class YandexUser:
    uid: str
    login: str
    name: str


def account_info(publisher: Publisher, user: YandexUser | None = None) -> AccountInfo:
    """Posts go to the publisher (channel); the Yandex user is who signed in."""
    meta: dict[str, Any] = {"channel_url": publisher.url} if publisher.url else {}
    if user is not None:
        meta |= {"yandex_uid": user.uid, "yandex_login": user.login, "yandex_name": user.name}
    return AccountInfo(
        account_id=publisher.id, name=publisher.name, avatar_url=publisher.avatar_url, meta=meta
    )


def token_set(token: Mapping[str, Any], *, previous_refresh: str | None = None) -> Credentials:
    """Yandex's token answer; a missing refresh token never replaces a stored one with nothing."""
    access_token = token_access(token)
    expires_in = token.get("expires_in")
    expires_at = (
        datetime.now(UTC) + timedelta(seconds=int(expires_in))
        if isinstance(expires_in, int | float)
        else None
    )
    return Credentials(
        kind=ConnectionKind.OAUTH,
        access_token=access_token,
        refresh_token=str(token.get("refresh_token") or "") or previous_refresh,
        expires_at=expires_at,
    )


class DzenOAuth:
    """The connect flow (authorize URL → code → tokens → who and which channel) and token refresh."""

    def __init__(
        self,
        settings: DzenSettings,
        *,
        transport: httpx2.AsyncBaseTransport | None = None,
        pacer: Pacer | None = None,
    ) -> None:
        self._settings = settings
        self._transport = transport or httpx2.AsyncHTTPTransport()
        # A provider passes its own, so the publisher check and its later calls share one pace.
        self._pacer = pacer or Pacer(1, CALL_INTERVAL)

    @property
    def _token_url(self) -> str:
        return f"{self._settings.oauth_url.rstrip('/')}/token"

    def authorize_url(self, *, state: str, code_verifier: str, redirect_uri: str) -> str:
        """Where to send the browser: Yandex's consent page, code flow with PKCE (S256)."""
        return str(
            prepare_grant_uri(
                f"{self._settings.oauth_url.rstrip('/')}/authorize",
                client_id=self._settings.client_id,
                response_type="code",
                redirect_uri=redirect_uri,
                state=state,
                code_challenge=create_s256_code_challenge(code_verifier),
                code_challenge_method="S256",
            )
        )

    def _oauth_client(self) -> AsyncOAuth2Client:
        # client_secret_post: Yandex takes the client credentials in the form body (Basic works too).
        client = AsyncOAuth2Client(
            client_id=self._settings.client_id,
            client_secret=self._settings.client_secret.get_secret_value(),
            token_endpoint_auth_method="client_secret_post",
            code_challenge_method="S256",
            transport=self._transport,
            timeout=TIMEOUT,
        )
        client.register_compliance_hook("access_token_response", token_hook(refreshing=False))
        client.register_compliance_hook("refresh_token_response", token_hook(refreshing=True))
        return client

    async def exchange(
        self, *, code: str, code_verifier: str, redirect_uri: str
    ) -> tuple[Credentials, AccountInfo]:
        """Trade the callback's code for tokens; the account is the user's approved Dzen channel."""
        async with self._oauth_client() as client:
            with token_errors(refreshing=False):
                token = await client.fetch_token(
                    self._token_url,
                    grant_type="authorization_code",
                    code=code,
                    code_verifier=code_verifier,
                    redirect_uri=redirect_uri,
                )
        tokens = token_set(token)
        user = await self.yandex_user(tokens.access_token)
        async with make_client(self._settings.api_url, transport=self._transport, timeout=TIMEOUT) as api:
            publisher = await PublisherApi(api, self._pacer).me(tokens.access_token)
        return tokens, account_info(publisher, user)

    async def refresh(self, *, refresh_token: str) -> Credentials:
        """New tokens for a refresh token; the old refresh token is spent (callers serialise refreshes)."""
        async with self._oauth_client() as client:
            with token_errors(refreshing=True):
                token = await client.refresh_token(self._token_url, refresh_token=refresh_token)
        return token_set(token, previous_refresh=refresh_token)

    async def yandex_user(self, access_token: str) -> YandexUser:
        """login.yandex.ru/info: whose token this is (`Authorization: OAuth`, never in the URL)."""
        async with make_client(
            self._settings.login_url, transport=self._transport, timeout=TIMEOUT
        ) as client:
            request = client.build_request(
                "GET", "/info", params={"format": "json"}, headers={"Authorization": f"OAuth {access_token}"}
            )
            response = await send(client, request, platform=PLATFORM, creates=False)
        body = yandex_user_body(response)
        name = body.get("display_name") or body.get("real_name") or body.get("login") or ""
        return YandexUser(uid=str(body["id"]), login=str(body.get("login") or ""), name=str(name))
