"""The Dzen provider: Yandex OAuth tokens, the MODELLED publisher API, stats in batches of 50."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

import httpx2

from autopost.platforms.base import (
    AccountInfo,
    Capabilities,
    Counters,
    Credentials,
    PublishRequest,
    PublishResult,
    PublishState,
    StatsSupport,
)
from autopost.platforms.catalog import Platform
from autopost.platforms.dzen.oauth import DzenOAuth, account_info
from autopost.platforms.dzen.publisher_api import CALL_INTERVAL, STATS_MAX_IDS, PublisherApi, VideoStatus
from autopost.platforms.dzen.publishing import PublishFlow, check_limits
from autopost.platforms.errors import AuthExpired
from autopost.platforms.http import make_client
from autopost.platforms.pacing import Pacer
from autopost.settings import DzenSettings

CAPABILITIES = Capabilities(
    platform=Platform.DZEN,
    stats=StatsSupport.FULL,
    upload_by_url=False,
    needs_processing=True,
    oauth=True,
)


class DzenProvider:
    """Publishes to an approved Dzen channel; see docs/platforms/dzen.md, "Provider"."""

    capabilities = CAPABILITIES
    oauth: DzenOAuth  # the connect flow, sharing this provider's per-token pace
    pacer: Pacer

    def __init__(self, settings: DzenSettings, *, transport: httpx2.AsyncBaseTransport | None = None) -> None:
        self._settings = settings
        # One transport for the provider's life: each call's client is short-lived, the TLS setup is not.
        self._transport = transport or httpx2.AsyncHTTPTransport()
        # Shared by every call of this provider, so one token stays under 1 request/s across them
        # (tests against a sandbox that does not enforce the limit may set its interval to 0).
        self.pacer = Pacer(1, CALL_INTERVAL)
        self.oauth = DzenOAuth(settings, transport=self._transport, pacer=self.pacer)

    @asynccontextmanager
    async def _api(self) -> AsyncIterator[PublisherApi]:
        async with make_client(self._settings.api_url, transport=self._transport) as client:
            yield PublisherApi(client, self.pacer)

    async def verify(self, *, credentials: Credentials) -> AccountInfo:
        async with self._api() as api:
            publisher = await api.me(credentials.access_token)
        return account_info(publisher)

    async def refresh(self, *, credentials: Credentials) -> Credentials:
        if not credentials.refresh_token:
            raise AuthExpired("dzen.no_refresh_token", "no refresh token stored")
        return await self.oauth.refresh(refresh_token=credentials.refresh_token)

    async def publish(self, *, request: PublishRequest) -> PublishResult:
        if request.checkpoint.get("remote_id"):
            return await self.check(credentials=request.credentials, checkpoint=request.checkpoint)
        check_limits(request)
        async with self._api() as api:
            return await PublishFlow(api, request).run()

    async def check(self, *, credentials: Credentials, checkpoint: Mapping[str, Any]) -> PublishResult:
        video_id = str(checkpoint["remote_id"])
        async with self._api() as api:
            video = await api.video(credentials.access_token, video_id)
        if video.failure is not None:
            raise video.failure
        if video.status is VideoStatus.PUBLISHED:
            return PublishResult(
                PublishState.PUBLISHED, checkpoint, remote_id=video_id, remote_url=video.url, progress=100
            )
        return PublishResult(PublishState.PROCESSING, checkpoint, remote_id=video_id, remote_url=video.url)

    async def fetch_stats(
        self, *, credentials: Credentials, remote_ids: Sequence[str]
    ) -> Mapping[str, Counters]:
        """Up to 50 videos per call; ids the platform does not know are left out."""
        ids = list(dict.fromkeys(remote_ids))
        counters: dict[str, Counters] = {}
        async with self._api() as api:
            for start in range(0, len(ids), STATS_MAX_IDS):
                batch = await api.stats(credentials.access_token, ids[start : start + STATS_MAX_IDS])
                counters |= {
                    video_id: Counters(views=c.views, likes=c.likes, shares=c.shares, comments=c.comments)
                    for video_id, c in batch.items()
                }
        return counters
