"""Connecting a Дзен channel: Yandex OAuth (documented) with PKCE, then the publisher check.

Yandex OAuth and login.yandex.ru/info are documented (yandex.ru/dev/id/doc);
whether the account may publish on Дзен is asked of the MODELLED publisher API
(publisher_api.py). Authlib speaks the token endpoint; its failures are
classified here, once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from autopost.platforms.base import AccountInfo, TokenSet
from autopost.platforms.dzen.publisher_api import (
    CALL_INTERVAL,
    PLATFORM,
    TOKEN_EXPIRED,
    Publisher,
    PublisherApi,
    retry_after,
)
from autopost.platforms.errors import AuthExpired, Permanent, PlatformError, RateLimited, Transient
from autopost.platforms.http import json_body, make_client, send
from autopost.platforms.pacing import Pacer
from autopost.settings import DzenSettings

TIMEOUT = 30.0
YANDEX_UNAVAILABLE = "Яндекс ID временно недоступен, повторим позже"
REFRESH_REFUSED = "Яндекс не продлил доступ к Дзену — подключите Дзен заново"
CODE_REFUSED = "Код входа Яндекса устарел или уже использован — подключите Дзен ещё раз"
CLIENT_REFUSED = "Приложение Яндекс ID настроено неверно: проверьте client_id и client_secret"


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


def _token_refusal(error: str, description: str, *, refreshing: bool) -> PlatformError:
    detail = f"{error}: {description}"
    if error == "invalid_client":
        return Permanent("dzen.oauth_client", CLIENT_REFUSED, detail)
    if refreshing:
        return AuthExpired("dzen.refresh_refused", REFRESH_REFUSED, detail)
    if error in ("invalid_grant", "bad_verification_code"):
        return Permanent("dzen.oauth_code", CODE_REFUSED, detail)
    return Permanent("dzen.oauth_refused", f"Яндекс отказал во входе ({error})", detail)


def _status_error(response: httpx2.Response, *, refreshing: bool) -> PlatformError:
    """Yandex ID answers that are not its documented JSON (a gateway's 429/5xx page, a plain 401)."""
    status, detail = response.status_code, f"HTTP {response.status_code} from Yandex ID"
    if status == 429:
        return RateLimited(
            "dzen.oauth_rate_limited", "Яндекс ID просит подождать", detail, retry_after=retry_after(response)
        )
    if status >= 500:
        return Transient("dzen.oauth_unavailable", YANDEX_UNAVAILABLE, detail)
    if status == 401:
        return AuthExpired("dzen.token_expired", TOKEN_EXPIRED, detail)
    return _token_refusal(f"http_{status}", "", refreshing=refreshing)


def _hook(*, refreshing: bool) -> Any:
    """An Authlib compliance hook: a throttled or failing token endpoint is judged by its status
    before Authlib reads the body (a 429 with an OAuth error body is still a 429, not a refusal)."""

    def check(response: httpx2.Response) -> httpx2.Response:
        if response.status_code == 429 or response.status_code >= 500:
            raise _status_error(response, refreshing=refreshing)
        return response

    return check


@contextmanager
def _token_errors(*, refreshing: bool) -> Iterator[None]:
    """Authlib's exceptions from the token endpoint, as our error classes."""
    try:
        yield
    except OAuthError as exc:
        raise _token_refusal(str(exc.error), str(exc.description or ""), refreshing=refreshing) from exc
    except httpx2.HTTPStatusError as exc:
        raise _status_error(exc.response, refreshing=refreshing) from exc
    except httpx2.TransportError as exc:
        # Token calls create nothing that could be posted twice: at worst a code or refresh token is spent.
        raise Transient("dzen.oauth_unreachable", YANDEX_UNAVAILABLE, type(exc).__name__) from exc


def token_set(token: Mapping[str, Any], *, previous_refresh: str | None = None) -> TokenSet:
    """Yandex's token answer; a missing refresh token never replaces a stored one with nothing."""
    if not token.get("access_token"):
        raise Transient("dzen.oauth_bad_answer", YANDEX_UNAVAILABLE, "token answer without access_token")
    expires_in = token.get("expires_in")
    expires_at = (
        datetime.now(UTC) + timedelta(seconds=int(expires_in))
        if isinstance(expires_in, int | float)
        else None
    )
    return TokenSet(
        access_token=str(token["access_token"]),
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
        client.register_compliance_hook("access_token_response", _hook(refreshing=False))
        client.register_compliance_hook("refresh_token_response", _hook(refreshing=True))
        return client

    async def exchange(
        self, *, code: str, code_verifier: str, redirect_uri: str
    ) -> tuple[TokenSet, AccountInfo]:
        """Trade the callback's code for tokens; the account is the user's approved Дзен channel."""
        async with self._oauth_client() as client:
            with _token_errors(refreshing=False):
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

    async def refresh(self, *, refresh_token: str) -> TokenSet:
        """New tokens for a refresh token; the old refresh token is spent (callers serialise refreshes)."""
        async with self._oauth_client() as client:
            with _token_errors(refreshing=True):
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
        if not response.is_success:
            raise _status_error(response, refreshing=False)
        body = json_body(response)
        if not isinstance(body, dict) or not body.get("id"):
            raise Transient("dzen.oauth_bad_answer", YANDEX_UNAVAILABLE, "login.yandex.ru/info without id")
        name = body.get("display_name") or body.get("real_name") or body.get("login") or ""
        return YandexUser(uid=str(body["id"]), login=str(body.get("login") or ""), name=str(name))
