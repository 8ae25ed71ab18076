"""VkProvider: the Provider protocol for VK Clips / VK Video (user token from VK ID)."""

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
from autopost.platforms.catalog import Platform
from autopost.platforms.errors import AuthExpired
from autopost.platforms.vk import publish as flow
from autopost.platforms.vk.account import community_account, user_account
from autopost.platforms.vk.api import DEFAULT_TIMEOUT, VkApi
from autopost.platforms.vk.oauth import VkOAuth
from autopost.platforms.vk.stats import fetch_counters
from autopost.settings import VkSettings

CAPABILITIES = Capabilities(
    platform=Platform.VK,
    stats=StatsSupport.FULL,
    upload_by_url=False,
    needs_processing=True,
    oauth=True,
)


class VkProvider:
    """Publishes to the user's own page, or to a community when credentials.meta has "group_id"."""

    capabilities: Capabilities = CAPABILITIES

    def __init__(
        self,
        settings: VkSettings,
        *,
        transport: httpx2.AsyncBaseTransport | None = None,
        timeout: httpx2.Timeout | float = DEFAULT_TIMEOUT,
        pace: bool = True,
    ) -> None:
        """`pace` keeps this process within VK's 3 calls per second per token (tests switch it off)."""
        self._api = VkApi(settings, transport=transport, timeout=timeout, pace=pace)
        self._oauth = VkOAuth(settings, transport=transport, timeout=timeout)

    async def aclose(self) -> None:
        await self._api.aclose()
        await self._oauth.aclose()

    async def verify(self, *, credentials: Credentials) -> AccountInfo:
        """users.get (and the community, when one is the target): whose connection this is."""
        group_id = flow.group_of(credentials)
        if group_id is None:
            return await user_account(self._api, credentials.access_token)
        return await community_account(self._api, credentials.access_token, group_id)

    async def refresh(self, *, credentials: Credentials) -> Credentials:
        """VK ID refresh_token grant: both tokens are new and the old refresh token is spent."""
        device_id = credentials.meta.get("device_id")
        if not credentials.refresh_token or not device_id:
            raise AuthExpired("vk.refresh_refused", "no refresh token or device_id")
        return await self._oauth.refresh(refresh_token=credentials.refresh_token, device_id=str(device_id))

    async def publish(self, *, request: PublishRequest) -> PublishResult:
        return await flow.publish(self._api, request)

    async def check(self, *, credentials: Credentials, checkpoint: Mapping[str, Any]) -> PublishResult:
        return await flow.check(self._api, credentials, dict(checkpoint))

    async def fetch_stats(
        self, *, credentials: Credentials, remote_ids: Sequence[str]
    ) -> Mapping[str, Counters]:
        return await fetch_counters(self._api, credentials.access_token, remote_ids)
