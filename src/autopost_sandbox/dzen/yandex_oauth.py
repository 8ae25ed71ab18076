"""Emulator of Yandex OAuth (oauth.yandex.ru + login.yandex.ru/info), mounted at /yandex-oauth.

Documented protocol (yandex.ru/dev/id/doc): authorization code flow with optional
PKCE, token endpoint taking client credentials in the body or HTTP Basic,
refresh_token grant, errors as {"error", "error_description"} with HTTP 400.
Injected faults on the token endpoint (op "oauth.token") answer the way the
gateway in front of it would: a plain-text 429 with Retry-After, or a 503.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote_plus, urlencode, urlsplit, urlunsplit

from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from autopost_sandbox.core import FaultKind, SandboxState
from autopost_sandbox.dzen.consent import consent_page, error_page
from autopost_sandbox.dzen.registry import SEEDED_APP, Grant, OAuthApp, YandexRegistry
from autopost_sandbox.http import DemoAccount

_LOOPBACK = ("localhost", "127.0.0.1", "::1")
TOKEN_FAULTS: tuple[FaultKind, ...] = ("rate_limit", "server_error")


def oauth_error(error: str, description: str) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=400)


def redirect_with(uri: str, params: Mapping[str, str]) -> RedirectResponse:
    """Append params to the client's redirect_uri, keeping any query it already has."""
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True) + [(k, v) for k, v in params.items() if v]
    return RedirectResponse(urlunsplit(parts._replace(query=urlencode(query))), status_code=302)


def pkce_matches(verifier: str, challenge: str, method: str) -> bool:
    if method == "S256":
        digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
        verifier = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return secrets.compare_digest(verifier, challenge)


@dataclass
class AuthorizeRequest:
    app: OAuthApp
    redirect_uri: str
    state: str
    challenge: str
    method: str
    scope: str


class YandexOAuthEmulator:
    prefix = "/yandex-oauth"

    def __init__(self, state: SandboxState, registry: YandexRegistry) -> None:
        self._state = state
        self._registry = registry

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/authorize", self.authorize, methods=["GET", "POST"]),
                Route("/token", self.token, methods=["POST"]),
                Route("/info", self.info, methods=["GET"]),
            ]
        )

    def demo_accounts(self) -> list[DemoAccount]:
        return [
            DemoAccount(
                platform="dzen",
                description=f"OAuth-приложение Яндекс ID «{SEEDED_APP.name}» (redirect_uri: любой localhost)",
                credentials={"client_id": SEEDED_APP.client_id, "client_secret": SEEDED_APP.client_secret},
            )
        ]

    def reset(self) -> None:
        self._registry.reset()

    async def authorize(self, request: Request) -> Response:
        params: Mapping[str, str]
        if request.method == "POST":
            form = await request.form()
            params = {k: v for k, v in form.items() if isinstance(v, str)}
        else:
            params = request.query_params
        parsed = self._parse_authorize(params)
        if isinstance(parsed, Response):
            return parsed
        if request.method == "GET":
            hidden = {
                "response_type": "code",
                "client_id": parsed.app.client_id,
                "redirect_uri": parsed.redirect_uri,
                "state": parsed.state,
                "code_challenge": parsed.challenge,
                "code_challenge_method": parsed.method if parsed.challenge else "",
                "scope": parsed.scope,
            }
            page = consent_page(request.url.path, parsed.app, hidden, params.get("login_hint", ""))
            return HTMLResponse(page)
        return self._decide(parsed, params)

    def _parse_authorize(self, params: Mapping[str, str]) -> AuthorizeRequest | Response:
        app = self._registry.app(params.get("client_id", ""))
        if app is None:
            return HTMLResponse(error_page("Приложение с таким client_id не найдено."), status_code=400)
        redirect_uri = params.get("redirect_uri") or app.default_redirect_uri
        if not self._redirect_allowed(redirect_uri):
            message = "redirect_uri не совпадает с Callback URL, указанным при регистрации приложения."
            return HTMLResponse(error_page(message), status_code=400)
        state = params.get("state", "")
        if params.get("response_type") != "code":
            return redirect_with(redirect_uri, {"error": "unsupported_response_type", "state": state})
        challenge = params.get("code_challenge", "")
        method = params.get("code_challenge_method") or "plain"
        if challenge and method not in ("S256", "plain"):
            return redirect_with(redirect_uri, {"error": "invalid_request", "state": state})
        return AuthorizeRequest(app, redirect_uri, state, challenge, method, params.get("scope", ""))

    def _redirect_allowed(self, uri: str) -> bool:
        """The seeded app accepts any loopback callback, or one on the sandbox's own origin (demo mode)."""
        parts = urlsplit(uri)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.fragment:
            return False
        if parts.hostname in _LOOPBACK or parts.hostname.endswith(".localhost"):
            return True
        own = urlsplit(self._state.config.public_url)
        return (parts.scheme, parts.netloc) == (own.scheme, own.netloc)

    def _decide(self, request: AuthorizeRequest, form: Mapping[str, str]) -> Response:
        if form.get("decision") != "allow":
            return redirect_with(request.redirect_uri, {"error": "access_denied", "state": request.state})
        user = self._registry.user(form.get("uid", ""))
        if user is None:
            return HTMLResponse(error_page("Выберите аккаунт."), status_code=400)
        method = request.method if request.challenge else ""
        code = self._registry.issue_code(
            request.app, user, request.redirect_uri, request.challenge or None, method
        )
        return redirect_with(request.redirect_uri, {"code": code, "state": request.state})

    async def token(self, request: Request) -> Response:
        form = await request.form()
        fault = self._state.faults.take("dzen", "oauth.token", TOKEN_FAULTS)
        if fault is not None and fault.fault == "rate_limit":
            headers = {"Retry-After": str(fault.retry_after)}
            return PlainTextResponse("Too Many Requests", status_code=429, headers=headers)
        if fault is not None:
            return PlainTextResponse("Service Unavailable", status_code=503)
        credentials = _client_credentials(request.headers.get("authorization"), form)
        if isinstance(credentials, Response):
            return credentials
        client_id, client_secret = credentials
        app = self._registry.app(client_id)
        if app is None:
            return oauth_error("invalid_client", "Client not found")
        if not secrets.compare_digest(app.client_secret, client_secret):
            return oauth_error("invalid_client", "Wrong client secret")
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            return self._exchange_code(app, form)
        if grant_type == "refresh_token":
            return self._refresh(app, str(form.get("refresh_token") or ""))
        return oauth_error("unsupported_grant_type", "Unsupported grant_type")

    def _exchange_code(self, app: OAuthApp, form: FormData) -> Response:
        value = str(form.get("code") or "")
        if not (len(value) == 7 and value.isdigit()):
            return oauth_error("bad_verification_code", "Invalid code")
        code = self._registry.code(value)
        if code is None or code.used or code.client_id != app.client_id:
            return oauth_error("invalid_grant", "Code has expired")
        if code.expires_at <= self._registry.clock.now():
            return oauth_error("invalid_grant", "Code has expired")
        if code.challenge is not None:
            verifier = str(form.get("code_verifier") or "")
            if not verifier or not pkce_matches(verifier, code.challenge, code.challenge_method):
                return oauth_error("invalid_grant", "Code verifier is not valid")
        code.used = True
        return self._token_response(self._registry.issue_grant(app.client_id, code.uid))

    def _refresh(self, app: OAuthApp, refresh_token: str) -> Response:
        grant = self._registry.live_grant_by_refresh(refresh_token)
        if grant is None or grant.client_id != app.client_id:
            return oauth_error("invalid_grant", "Invalid refresh token")
        return self._token_response(self._registry.refresh(grant))

    def _token_response(self, grant: Grant) -> JSONResponse:
        expires_in = int(grant.expires_at - self._registry.clock.now())
        return JSONResponse(
            {
                "token_type": "bearer",
                "access_token": grant.access_token,
                "expires_in": expires_in,
                "refresh_token": grant.refresh_token,
            },
            headers={"Cache-Control": "no-store"},
        )

    async def info(self, request: Request) -> Response:
        """login.yandex.ru/info: who owns this token (`Authorization: OAuth <token>`)."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        user = self._registry.user_for_token(token.strip()) if scheme.lower() == "oauth" else None
        grant = self._registry.grant(token.strip())
        if user is None or grant is None:
            return PlainTextResponse("invalid token", status_code=401)
        psuid = hashlib.sha256(f"{grant.client_id}:{user.uid}".encode()).hexdigest()[:40]
        return JSONResponse(
            {
                "id": user.uid,
                "login": user.login,
                "client_id": grant.client_id,
                "display_name": user.display_name,
                "real_name": user.display_name,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "default_avatar_id": user.avatar_id,
                "is_avatar_empty": user.avatar_id == "0/0-0",
                "psuid": f"1.{psuid}",
            }
        )


def _client_credentials(header: str | None, form: FormData) -> tuple[str, str] | Response:
    """client_id/client_secret from HTTP Basic (form-urlencoded, RFC 6749 §2.3.1) or from the body."""
    if header:
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return oauth_error("invalid_request", "Basic auth required")
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return oauth_error("invalid_request", "Malformed Authorization header")
        client_id, colon, secret = decoded.partition(":")
        if not colon:
            return oauth_error("invalid_request", "Malformed Authorization header")
        return unquote_plus(client_id), unquote_plus(secret)
    body_id, body_secret = form.get("client_id"), form.get("client_secret")
    if not isinstance(body_id, str) or not body_id:
        return oauth_error("invalid_client", "Client not found")
    return body_id, body_secret if isinstance(body_secret, str) else ""
