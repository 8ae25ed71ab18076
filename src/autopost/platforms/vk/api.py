"""The VK API envelope: POST {api_url}/method/<name>, the upload server, vk.com pages, their answers.

Every call is form-encoded with `v`, the token travels only in `Authorization:
Bearer`, and every answer is judged by its body in answers.py (VK reports errors with HTTP 200).
A `Caller` is "the VK API as one account": a VK ID token (TokenCaller) or a web session's
short-lived token (web.WebTokens); the flows above this module take either.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx2

from autopost.platforms.http import make_client, send
from autopost.platforms.multipart import StreamingMultipart
from autopost.platforms.throttle import Unit, UnitLimiter
from autopost.platforms.vk.answers import unwrap, unwrap_upload
from autopost.settings import VkSettings

PLATFORM = "vk"
DEFAULT_TIMEOUT = 30.0
# The methods counted against the VK ID app's daily quota (error 29 beyond it).
APP_QUOTA_METHODS = frozenset({"video.save"})

FormValue = str | int | bool | None


def _form(params: Mapping[str, FormValue]) -> dict[str, str]:
    form: dict[str, str] = {}
    for name, value in params.items():
        if value is None:
            continue
        form[name] = str(int(value)) if isinstance(value, bool) else str(value)
    return form


def _targets_community(params: Mapping[str, FormValue]) -> bool:
    owner = params.get("owner_id")
    return params.get("group_id") is not None or (isinstance(owner, int) and owner < 0)


class VkApi:
    """One httpx2 client for the VK API and its upload server (the transport is injectable)."""

    def __init__(
        self,
        settings: VkSettings,
        *,
        transport: httpx2.AsyncBaseTransport | None = None,
        timeout: httpx2.Timeout | float = DEFAULT_TIMEOUT,
        limiter: UnitLimiter | None = None,
    ) -> None:
        self._version = settings.api_version
        # Error 14 names a check page to open; only one on VK ID's own host is passed on to people.
        self._captcha_prefix = f"{settings.id_url.rstrip('/')}/"
        self._client = make_client(settings.api_url, transport=transport, timeout=timeout)
        self._limiter = limiter or UnitLimiter.in_memory()
        self._per_token = Unit.of("vk-token", settings.token_limit, "vk.too_many_requests")
        self._app_quota = Unit.of("vk-app-quota", settings.video_save_limit, "vk.daily_limit")
        self._app = settings.client_id

    async def aclose(self) -> None:
        await self._client.aclose()

    async def call(
        self,
        method: str,
        token: str,
        params: Mapping[str, FormValue] | None = None,
        *,
        handles: Collection[int] = (),
        own_app: bool = False,
    ) -> Any:
        """Call a method; `handles` lists error codes returned to the caller as VkRefusal.

        `own_app`: the token is our VK ID app's, so the app's daily quotas count the call too
        (a web session's token belongs to VK's own web client).

        No call here `creates` in http.send's sense: video.save / shortVideo.create make
        invisible placeholders, and shortVideo.publish and wall.post (with guid) answer the
        same post when repeated. Only the upload can make a video appear (see upload()).
        """
        params = params or {}
        request = self._client.build_request(
            "POST",
            f"/method/{method}",
            data={**_form(params), "v": self._version},
            headers={"Authorization": f"Bearer {token}"},
        )
        async with self._turns(method, token, own_app=own_app):
            response = await send(self._client, request, platform=PLATFORM, creates=False)
            return unwrap(
                response,
                community=_targets_community(params),
                handles=handles,
                captcha_prefix=self._captcha_prefix,
            )

    @asynccontextmanager
    async def _turns(self, method: str, token: str, *, own_app: bool) -> AsyncIterator[None]:
        async with AsyncExitStack() as turns:
            if own_app and method in APP_QUOTA_METHODS:
                await turns.enter_async_context(self._limiter.turn(self._app_quota, self._app))
            await turns.enter_async_context(self._limiter.turn(self._per_token, token))
            yield

    async def page(self, url: str, headers: Mapping[str, str]) -> httpx2.Response:
        """GET a vk.com page. Redirects are not followed: the session's Cookie header would not go along."""
        request = self._client.build_request("GET", url, headers=dict(headers))
        return await send(self._client, request, platform=PLATFORM, creates=False)

    async def upload(self, upload_url: str, body: StreamingMultipart) -> dict[str, Any]:
        """POST the clip to an upload URL; a lost answer after the whole body is OutcomeUnknown."""
        request = self._client.build_request(
            "POST", upload_url, content=body.stream(), headers=body.headers()
        )
        response = await send(
            self._client, request, platform=PLATFORM, creates=True, body_sent=body.body_sent
        )
        return unwrap_upload(response)


class Caller(Protocol):
    """The VK API as one account: what the connect, publish and stats flows call."""

    async def call(
        self,
        method: str,
        params: Mapping[str, FormValue] | None = None,
        *,
        handles: Collection[int] = (),
    ) -> Any: ...


@dataclass
class TokenCaller:
    """A VK ID (or ready-made) user token."""

    api: VkApi
    token: str = field(repr=False)

    async def call(
        self,
        method: str,
        params: Mapping[str, FormValue] | None = None,
        *,
        handles: Collection[int] = (),
    ) -> Any:
        return await self.api.call(method, self.token, params, handles=handles, own_app=True)
