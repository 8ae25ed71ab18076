"""The VK API emulator (/vk): POST /vk/method/{name}, the upload server, CDN images.

Envelope, always HTTP 200: {"response": ...} or {"error": {error_code, error_msg,
request_params, ...}}. The token comes from `Authorization: Bearer` or, as VK
also allows, the access_token parameter; parameters come from the query string
and the urlencoded body alike.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from autopost_sandbox.core import Fault, FaultKind, token_unit
from autopost_sandbox.http import DemoAccount, ResetResponse, hang
from autopost_sandbox.vk import accounts, assets, clips, social, video
from autopost_sandbox.vk.errors import (
    ACCESS_DENIED,
    AUTH_FAILED,
    CAPTCHA,
    FLOOD_CONTROL,
    INTERNAL,
    INVALID_REQUEST,
    RATE_LIMIT_REACHED,
    TOO_MANY_REQUESTS,
    UNKNOWN_METHOD,
    VkApiError,
    error_body,
)
from autopost_sandbox.vk.params import Params
from autopost_sandbox.vk.registry import AccessToken
from autopost_sandbox.vk.uploads import receive_upload
from autopost_sandbox.vk.world import Call, MethodSpec, VkWorld

METHODS: dict[str, MethodSpec] = {
    spec.name: spec for spec in (*social.METHODS, *video.METHODS, *clips.METHODS)
}
API_FAULTS: tuple[FaultKind, ...] = (
    "rate_limit",
    "server_error",
    "timeout",
    "reset",
    "token_expired",
    "captcha",
    "flood_control",
    "daily_limit",
)
MIN_VERSION = (5, 81)
VERSION_MESSAGE = (
    'versions below 5.81 are deprecated. Version param should be passed as "v". "version" param is '
    "invalid and not supported. For more information go to https://dev.vk.com/constant/version"
)
_VERSION = re.compile(r"^(\d+)\.(\d+)$")


async def request_values(request: Request) -> dict[str, str]:
    """Query parameters overlaid with an urlencoded (or small multipart) body."""
    values = dict(request.query_params)
    if request.method == "POST":
        form = await request.form()
        values.update({k: v for k, v in form.items() if isinstance(v, str)})
    return values


def bearer_token(request: Request, values: Mapping[str, str]) -> str:
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return values.get("access_token", "")


class VkApiEmulator:
    prefix = "/vk"

    def __init__(self, world: VkWorld) -> None:
        self.world = world

    def app(self) -> ASGIApp:
        async def upload(request: Request) -> Response:
            return await receive_upload(self.world, request)

        return Starlette(
            routes=[
                Route("/method/{name}", self.call_method, methods=["GET", "POST"]),
                Route("/upload/{kind}/{key}", upload, methods=["POST"]),
                Route("/images/{name}", assets.image, methods=["GET"]),
                Route("/captcha.php", assets.captcha, methods=["GET"]),
            ]
        )

    def demo_accounts(self) -> list[DemoAccount]:
        return [*accounts.demo_accounts(self.world.state.config.public_url), *self.world.seeded.accounts]

    def reset(self) -> None:
        self.world.reset()

    def seed_accounts(self, count: int) -> list[DemoAccount]:
        return self.world.seeded.seed(self.world.tokens, count, self.world.state.config.public_url)

    async def call_method(self, request: Request) -> Response:
        name = request.path_params["name"]
        values = await request_values(request)
        fault: Fault | None = None
        try:
            spec = self._resolve(name, values)
            fault = self.world.state.faults.take("vk", name, API_FAULTS)
            if fault is not None and fault.fault == "reset":
                return ResetResponse()
            self._raise_fault(fault)
            token = self._authorize(bearer_token(request, values), spec)
            self._check_clips_access(name, token)
            self._check_daily_quota(name, token)
            body: dict[str, Any] = {
                "response": spec.handler(Call(self.world, token, Params(name, spec.params, values)))
            }
        except VkApiError as error:
            body = error_body(error, name, values)
        if fault is not None and fault.fault == "timeout":
            await hang(fault)
        return JSONResponse(body)

    def _resolve(self, name: str, values: Mapping[str, str]) -> MethodSpec:
        match = _VERSION.match(values.get("v", ""))
        if match is None or (int(match.group(1)), int(match.group(2))) < MIN_VERSION:
            raise VkApiError(INVALID_REQUEST, VERSION_MESSAGE)
        spec = METHODS.get(name)
        if spec is None:
            raise VkApiError(UNKNOWN_METHOD)
        return spec

    def _check_clips_access(self, name: str, token: AccessToken) -> None:
        """shortVideo.* exists only for the official web client's token, unless VK opened it to all apps.

        Ordinary VK ID app tokens (and community tokens) get error 3, as if the method did not
        exist (crosspostly/diveclub-vkposter:CLIPS.md, API versions 5.101-5.249).
        """
        if not name.startswith("shortVideo."):
            return
        if token.client_id != accounts.WEB_APP_ID and not self.world.state.config.vk_clips_access:
            raise VkApiError(UNKNOWN_METHOD)

    def _check_daily_quota(self, name: str, token: AccessToken) -> None:
        """video.save is capped per app per day (error 29), apart from the per-token rate."""
        config = self.world.state.config
        if name != "video.save" or not config.enforce_rate_limits:
            return
        if not self.world.video_save_quota.allow(
            token.client_id, self.world.now(), config.vk_video_save_daily_quota
        ):
            self.world.state.violations.record("vk", f"app:{token.client_id}")
            raise VkApiError(RATE_LIMIT_REACHED)

    def _raise_fault(self, fault: Fault | None) -> None:
        """Answer an injected fault as VK would (a timeout acts normally and hangs afterwards)."""
        kind = fault.fault if fault is not None else None
        if kind == "rate_limit":
            raise VkApiError(TOO_MANY_REQUESTS)
        if kind == "server_error":
            raise VkApiError(INTERNAL)
        if kind == "token_expired":
            raise VkApiError(AUTH_FAILED, "access_token has expired.")
        if kind == "flood_control":
            raise VkApiError(FLOOD_CONTROL, "too many requests")
        if kind == "daily_limit":
            raise VkApiError(RATE_LIMIT_REACHED)
        if kind == "captcha":
            raise self._captcha()

    def _captcha(self) -> VkApiError:
        """Error 14 as VK sends it since 2025: the check is a page to open (redirect_uri).

        captcha_img now shows only a "not supported" picture (negezor/vk-io issue 581,
        python273/vk_api issue 536); the person must open redirect_uri on VK ID.
        """
        public_url = self.world.state.config.public_url
        sid = str(secrets.randbelow(10**12))
        return VkApiError(
            CAPTCHA,
            redirect_uri=(
                f"{public_url}/vkid/not_robot_captcha?domain=vk.com&session_token={secrets.token_urlsafe(24)}"
            ),
            captcha_sid=sid,
            is_refresh_enabled=True,
            captcha_img=f"{public_url}/vk/captcha.php?sid={sid}&s=1",
            captcha_ts=round(self.world.now(), 3),
            captcha_attempt=1,
        )

    def _authorize(self, value: str, spec: MethodSpec) -> AccessToken:
        if not value:
            raise VkApiError(AUTH_FAILED, "no access_token passed.")
        token = self.world.tokens.access(value)
        if token is None:
            raise VkApiError(AUTH_FAILED, "invalid access_token (4).")
        now = self.world.now()
        if token.expired(now):
            raise VkApiError(AUTH_FAILED, "access_token has expired.")
        if self.world.state.config.enforce_rate_limits and not self.world.rate.allow(token.token, now):
            self.world.state.violations.record("vk", token_unit(token.token))
            raise VkApiError(TOO_MANY_REQUESTS)
        if spec.scope is not None and spec.scope not in token.scopes:
            raise VkApiError(ACCESS_DENIED, "no access to call this method")
        return token
