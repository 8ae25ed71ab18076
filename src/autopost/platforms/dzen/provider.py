"""The Dzen provider: dzen.ru's editor protocol over a person's signed-in browser session.

Dzen has no publishing API and Yandex OAuth grants no Dzen access (platforms.md Part 2);
working tools publish through the editor's own endpoints with the browser's cookies, the
page's CSRF token and the channel's publisherId. See docs/platforms/dzen.md.
"""

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
    StatsSupport,
)
from autopost.platforms.catalog import Platform
from autopost.platforms.dzen.answers import NOT_FOUND, new_channel, publication_stats
from autopost.platforms.dzen.editor import BROWSER_HEADERS, PLATFORM, EditorSession
from autopost.platforms.dzen.publishing import DzenPublish, check_limits, poll, read_publication
from autopost.platforms.errors import Permanent
from autopost.platforms.http import make_client
from autopost.platforms.throttle import Unit, UnitLimiter
from autopost.platforms.tus import DEFAULT_CHUNK_BYTES, TusClient
from autopost.settings import DzenSettings

CAPABILITIES = Capabilities(
    platform=Platform.DZEN,
    stats=StatsSupport.FULL,
    upload_by_url=False,
    needs_processing=True,
    oauth=False,
)
TIMEOUT = httpx2.Timeout(30.0, write=120.0)
# The upload host is another origin; what dzen.ru's own uploader sends along (no cookies: the URL
# is the credential).
UPLOAD_HEADERS = {key: BROWSER_HEADERS[key] for key in ("User-Agent", "Origin", "Referer")}


class DzenProvider:
    """Publishes short videos («gif» publications) to the channel a dzen.ru session may edit."""

    capabilities = CAPABILITIES

    def __init__(
        self,
        settings: DzenSettings,
        *,
        transport: httpx2.AsyncBaseTransport | None = None,
        chunk_bytes: int = DEFAULT_CHUNK_BYTES,
        limiter: UnitLimiter | None = None,
    ) -> None:
        self._settings = settings
        self._limiter = limiter or UnitLimiter.in_memory()
        self._per_publisher = Unit.of("dzen-publisher", settings.publisher_limit, "dzen.rate_limited")
        self._transport = transport
        self._chunk_bytes = chunk_bytes

    @asynccontextmanager
    async def _editor(self, credentials: Credentials) -> AsyncIterator[EditorSession]:
        async with make_client(self._settings.api_url, transport=self._transport, timeout=TIMEOUT) as http:
            yield EditorSession(http, credentials, self._limiter, self._per_publisher)

    async def verify(self, *, credentials: Credentials) -> AccountInfo:
        """Who is signed in on dzen.ru, and the channel (publisherId) the editor lets them publish to."""
        async with self._editor(credentials) as editor:
            page = await editor.page()
        publisher_id = new_channel(page)
        return AccountInfo(
            account_id=publisher_id,
            name=page.channel_name or publisher_id,
            meta={
                "publisher_id": publisher_id,
                "channel": page.channel_name or publisher_id,
                "signed_in_as": page.user_name,
                "channel_url": f"https://dzen.ru/id/{publisher_id}",
            },
        )

    async def refresh(self, *, credentials: Credentials) -> Credentials:
        """A session has nothing to refresh: it is asked whether it may still publish to the channel.

        AuthExpired "dzen.session_ended" (signed out) or "dzen.forbidden" (the channel is no
        longer offered) when not; otherwise it comes back as it was.
        """
        async with self._editor(credentials) as editor:
            await editor.channel()
        return credentials

    async def publish(self, *, request: PublishRequest) -> PublishResult:
        check_limits(request)
        async with self._editor(request.credentials) as editor:
            # One client for both hosts (the upload URL is absolute): its cookies are never sent there,
            # each editor call carries the session in its own Cookie header.
            tus = TusClient(
                editor.http, platform=PLATFORM, chunk_bytes=self._chunk_bytes, headers=UPLOAD_HEADERS
            )
            return await DzenPublish(editor, tus, request).run()

    async def check(self, *, credentials: Credentials, checkpoint: Mapping[str, Any]) -> PublishResult:
        """Where the publication stands, without sending anything (publish() goes on from here)."""
        async with self._editor(credentials) as editor:
            return await poll(editor, dict(checkpoint))

    async def fetch_stats(
        self, *, credentials: Credentials, remote_ids: Sequence[str]
    ) -> Mapping[str, Counters]:
        """ASSUMED (docs/platforms/dzen.md): each publication's own counters, read one by one."""
        found: dict[str, Counters] = {}
        async with self._editor(credentials) as editor:
            for remote_id in dict.fromkeys(remote_ids):
                try:
                    body = await read_publication(editor, remote_id)
                except Permanent as exc:
                    if exc.code != NOT_FOUND:
                        raise
                    continue  # deleted on Dzen: left out, as every provider leaves unknown ids out
                stats = publication_stats(body)
                if stats is not None:
                    found[remote_id] = Counters(**stats)
        return found
