"""VkProvider: the Provider protocol for VK, over two kinds of connection.

- VK ID (`oauth`; also a ready-made user `token`): the documented API. It publishes a VK Video
  (video.save + a wall post), or a VK Clip when VK opened shortVideo.* to the app
  (settings.clips_approved), falling back to video.save if VK refuses after all.
- A vk.com browser session (`web_session`): VK Clips through the official web client's token
  (web.py), the route working tools use (platforms.md Part 2).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx2

from autopost.platforms.base import (
    AccountInfo,
    Capabilities,
    Counters,
    Credentials,
    PublishRequest,
    PublishResult,
    StatsSupport,
)
from autopost.platforms.catalog import ConnectionKind, Platform
from autopost.platforms.errors import AuthExpired
from autopost.platforms.throttle import UnitLimiter
from autopost.platforms.vk import publish as flow
from autopost.platforms.vk.account import vk_id_account, web_session_account
from autopost.platforms.vk.api import DEFAULT_TIMEOUT, Caller, TokenCaller, VkApi
from autopost.platforms.vk.oauth import VkOAuth
from autopost.platforms.vk.run import CLIPS, VIDEO, group_of
from autopost.platforms.vk.stats import clip_counters, video_counters
from autopost.platforms.vk.web import WebTokens
from autopost.settings import VkSettings

CAPABILITIES = Capabilities(
    platform=Platform.VK,
    stats=StatsSupport.FULL,
    upload_by_url=False,
    needs_processing=True,
    oauth=True,
)


def is_web_session(credentials: Credentials) -> bool:
    return credentials.kind is ConnectionKind.WEB_SESSION


class VkProvider:
    """Publishes to the user's own page, or to a community when credentials.meta has "group_id"."""

    capabilities: Capabilities = CAPABILITIES

    def __init__(
        self,
        settings: VkSettings,
        *,
        transport: httpx2.AsyncBaseTransport | None = None,
        timeout: httpx2.Timeout | float = DEFAULT_TIMEOUT,
        limiter: UnitLimiter | None = None,
    ) -> None:
        self._settings = settings
        self._api = VkApi(settings, transport=transport, timeout=timeout, limiter=limiter)
        self._oauth = VkOAuth(settings, transport=transport, timeout=timeout)

    async def aclose(self) -> None:
        await self._api.aclose()
        await self._oauth.aclose()

    def _caller(self, credentials: Credentials) -> Caller:
        if is_web_session(credentials):
            return WebTokens(self._api, self._settings.web_url, credentials)
        return TokenCaller(self._api, credentials.access_token)

    def _paths(self, credentials: Credentials) -> tuple[str, ...]:
        if is_web_session(credentials):
            return (CLIPS,)
        return (CLIPS, VIDEO) if self._settings.clips_approved else (VIDEO,)

    async def verify(self, *, credentials: Credentials) -> AccountInfo:
        """Whose connection this is, and where it may publish (meta "communities")."""
        caller, group_id = self._caller(credentials), group_of(credentials)
        if is_web_session(credentials):
            return await web_session_account(caller, group_id)
        return await vk_id_account(caller, group_id)

    async def refresh(self, *, credentials: Credentials) -> Credentials:
        """VK ID: the refresh_token grant (both tokens new, the old one spent).

        A web session has nothing to refresh: it is asked whether it is still signed in
        (AuthExpired "vk.web_signed_out" when not) and comes back as it was.
        """
        if is_web_session(credentials):
            await WebTokens(self._api, self._settings.web_url, credentials).token(fresh=True)
            return credentials
        device_id = credentials.meta.get("device_id")
        if not credentials.refresh_token or not device_id:
            raise AuthExpired("vk.refresh_refused", "no refresh token or device_id")
        return await self._oauth.refresh(refresh_token=credentials.refresh_token, device_id=str(device_id))

    async def publish(self, *, request: PublishRequest) -> PublishResult:
        credentials = request.credentials
        return await flow.publish(self._api, self._caller(credentials), self._paths(credentials), request)

    async def check(self, *, credentials: Credentials, checkpoint: Mapping[str, Any]) -> PublishResult:
        return await flow.check(self._api, self._caller(credentials), dict(checkpoint))

    async def fetch_stats(
        self, *, credentials: Credentials, remote_ids: Sequence[str]
    ) -> Mapping[str, Counters]:
        caller = self._caller(credentials)
        if is_web_session(credentials):
            return await clip_counters(caller, remote_ids)
        found = await video_counters(caller, remote_ids)
        missing = [remote_id for remote_id in remote_ids if remote_id not in found]
        if self._settings.clips_approved and missing:
            found.update(await clip_counters(caller, missing))
        return found
