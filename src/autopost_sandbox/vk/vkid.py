"""The VK ID emulator (/vkid): OAuth 2.1 authorization code + PKCE, as id.vk.com speaks it.

GET /vkid/authorize shows a consent page; its form posts back to /vkid/authorize,
which redirects to redirect_uri with code, state, device_id, expires_in.
POST /vkid/oauth2/auth exchanges or refreshes (single-use refresh tokens);
POST /vkid/oauth2/user_info returns {"user": {...}}. Parameters may come in the
query string or the urlencoded body (vkid-web-sdk sends most in the query).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from autopost_sandbox.core import FaultKind
from autopost_sandbox.http import DemoAccount, ResetResponse, hang
from autopost_sandbox.vk.accounts import ANNA, APPS, USERS, VkIdApp
from autopost_sandbox.vk.api import request_values
from autopost_sandbox.vk.registry import ACCESS_TTL, CODE_TTL, IssuedTokens
from autopost_sandbox.vk.social import image_url
from autopost_sandbox.vk.tokens_endpoint import OAuthRefused, exchange_code, refresh_tokens
from autopost_sandbox.vk.vkid_pages import captcha_page, consent_page, error_page
from autopost_sandbox.vk.world import VkWorld

VKID_FAULTS: tuple[FaultKind, ...] = ("rate_limit", "server_error", "timeout", "reset")
AUTHORIZE_FIELDS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "state",
    "code_challenge",
    "code_challenge_method",
    "scope",
)
BASIC_SCOPE = "vkid.personal_info"
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}
_ID_TOKEN_KEY = b"autopost-sandbox-vkid"


@dataclass(frozen=True)
class AuthorizeRequest:
    app: VkIdApp
    redirect_uri: str
    state: str
    code_challenge: str
    requested: tuple[str, ...]

    @property
    def granted(self) -> frozenset[str]:
        """VK ID silently leaves out scopes the app was not approved for; basic access is always given."""
        return frozenset(s for s in self.requested if s in self.app.scopes) | {BASIC_SCOPE}


def redirect_allowed(uri: str, public_url: str) -> bool:
    parts = urlsplit(uri)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.fragment:
        return False
    host = parts.hostname
    return host in _LOOPBACK or host.endswith(".localhost") or host == urlsplit(public_url).hostname


def parse_authorize(values: dict[str, str], public_url: str) -> AuthorizeRequest | str:
    """The validated authorize request, or the reason VK ID shows its error page instead."""
    app = APPS.get(values.get("client_id", ""))
    if app is None:
        return "Неизвестное приложение (client_id)."
    redirect_uri = values.get("redirect_uri", "")
    if not redirect_allowed(redirect_uri, public_url):
        return "Адрес redirect_uri не разрешён для этого приложения."
    if values.get("response_type") != "code":
        return "Поддерживается только response_type=code."
    if not values.get("code_challenge") or values.get("code_challenge_method", "").lower() != "s256":
        return "Нужен PKCE: code_challenge и code_challenge_method=s256."
    if not values.get("state"):
        return "Не передан параметр state."
    scopes = tuple(values.get("scope", "").split()) or (BASIC_SCOPE,)
    return AuthorizeRequest(app, redirect_uri, values["state"], values["code_challenge"], scopes)


def with_query(uri: str, params: dict[str, str]) -> str:
    parts = urlsplit(uri)
    query = urlencode([*parse_qsl(parts.query, keep_blank_values=True), *params.items()])
    return urlunsplit(parts._replace(query=query))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def id_token(issued: IssuedTokens, issuer: str, now: float) -> str:
    """A JWT with VK ID's claims, signed HS256 with a sandbox key (not verifiable against VK's keys)."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = {
        "iss": issuer,
        "sub": str(issued.access.user_id),
        "aud": issued.access.client_id,
        "iat": int(now),
        "exp": int(now) + ACCESS_TTL,
    }
    payload = _b64(json.dumps(claims).encode())
    signature = hmac.new(_ID_TOKEN_KEY, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


class VkIdEmulator:
    prefix = "/vkid"

    def __init__(self, world: VkWorld) -> None:
        self.world = world

    def app(self) -> ASGIApp:
        return Starlette(
            routes=[
                Route("/authorize", self.show_consent, methods=["GET"]),
                Route("/authorize", self.decide, methods=["POST"]),
                Route("/oauth2/auth", self.token, methods=["POST"]),
                Route("/oauth2/user_info", self.user_info, methods=["POST"]),
                Route("/not_robot_captcha", lambda request: captcha_page(), methods=["GET"]),
            ]
        )

    def demo_accounts(self) -> list[DemoAccount]:
        # The VK API emulator lists the VK ID app with the rest of the VK accounts.
        return []

    def reset(self) -> None:
        self.world.reset()

    @property
    def public_url(self) -> str:
        return self.world.state.config.public_url

    async def show_consent(self, request: Request) -> Response:
        parsed = parse_authorize(dict(request.query_params), self.public_url)
        if isinstance(parsed, str):
            return error_page(parsed)
        fields = {
            name: request.query_params[name] for name in AUTHORIZE_FIELDS if name in request.query_params
        }
        return consent_page(
            app_name=parsed.app.name,
            avatar_url=image_url(self.public_url, "u", ANNA.id, 100),
            fields=fields,
            granted=sorted(parsed.granted, key=lambda scope: (scope != BASIC_SCOPE, scope)),
            refused=[s for s in parsed.requested if s not in parsed.granted],
        )

    async def decide(self, request: Request) -> Response:
        values = await request_values(request)
        parsed = parse_authorize(values, self.public_url)
        if isinstance(parsed, str):
            return error_page(parsed)
        if values.get("decision") == "deny":
            denied = {
                "error": "access_denied",
                "error_description": "User denied access",
                "state": parsed.state,
            }
            return RedirectResponse(with_query(parsed.redirect_uri, denied), status_code=302)
        code = self.world.tokens.issue_code(
            client_id=parsed.app.client_id,
            user_id=ANNA.id,
            redirect_uri=parsed.redirect_uri,
            code_challenge=parsed.code_challenge,
            scopes=parsed.granted,
        )
        answer = {
            "code": code.code,
            "state": parsed.state,
            "device_id": code.device_id,
            "expires_in": str(CODE_TTL),
        }
        return RedirectResponse(with_query(parsed.redirect_uri, answer), status_code=302)

    async def token(self, request: Request) -> Response:
        values = await request_values(request)
        return await self._serve("oauth2/auth", values, lambda: self._grant(values))

    async def user_info(self, request: Request) -> Response:
        values = await request_values(request)
        return await self._serve("oauth2/user_info", values, lambda: self._profile(request, values))

    async def _serve(
        self, op: str, values: dict[str, str], produce: Callable[[], dict[str, Any]]
    ) -> Response:
        """Answer a JSON endpoint, serving an injected fault (timeout: act, then hang) in VK ID's format."""
        fault = self.world.state.faults.take("vk", op, VKID_FAULTS)
        if fault is not None and fault.fault == "reset":
            return ResetResponse()
        if fault is not None and fault.fault == "rate_limit":
            # Nothing is granted or spent: the limit is checked before the request is read.
            refused = OAuthRefused("slow_down", "Too many requests", 429)
            return _oauth_error(refused, values, {"Retry-After": str(fault.retry_after)})
        response: Response
        try:
            if fault is not None and fault.fault == "server_error":
                raise OAuthRefused("server_error", "Internal server error", 500)
            response = JSONResponse(produce())
        except OAuthRefused as refused:
            response = _oauth_error(refused, values)
        if fault is not None and fault.fault == "timeout":
            await hang(fault)
        return response

    def _grant(self, values: dict[str, str]) -> dict[str, Any]:
        grant_type = values.get("grant_type", "")
        if grant_type == "authorization_code":
            issued = exchange_code(self.world.tokens, values, self.world.now())
        elif grant_type == "refresh_token":
            issued = refresh_tokens(self.world.tokens, values, self.world.now())
        else:
            raise OAuthRefused(
                "unsupported_grant_type", "grant_type must be authorization_code or refresh_token"
            )
        return {
            "access_token": issued.access.token,
            "refresh_token": issued.refresh.token,
            "id_token": id_token(issued, f"{self.public_url}/vkid", self.world.now()),
            "token_type": "Bearer",
            "expires_in": ACCESS_TTL,
            "user_id": issued.access.user_id,
            "state": values.get("state", ""),
            "scope": " ".join(sorted(issued.access.scopes)),
        }

    def _profile(self, request: Request, values: dict[str, str]) -> dict[str, Any]:
        scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
        value = values.get("access_token") or (bearer.strip() if scheme.lower() == "bearer" else "")
        token = self.world.tokens.access(value)
        if token is None or token.expired(self.world.now()):
            raise OAuthRefused("invalid_token", "access_token is missing, invalid or expired", 401)
        if values.get("client_id") != token.client_id:
            raise OAuthRefused("invalid_client", "client_id does not match the token", 401)
        user = USERS[token.user_id]
        profile: dict[str, Any] = {
            "user_id": str(user.id),
            "first_name": user.first_name,
            "last_name": user.last_name,
            "avatar": image_url(self.public_url, "u", user.id, 200),
            "sex": user.sex,
            "verified": False,
            "birthday": user.birthday,
        }
        if "email" in token.scopes:
            profile["email"] = f"{user.screen_name}@example.ru"
        if "phone" in token.scopes:
            profile["phone"] = "79990001001"
        return {"user": profile}


def _oauth_error(
    refused: OAuthRefused, values: dict[str, str], headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {
        "error": refused.error,
        "error_description": refused.description,
        "state": values.get("state", ""),
    }
    return JSONResponse(body, status_code=refused.status, headers=headers)
