"""The Rutube provider: token connections, upload by URL, status polling, stats.

Rutube downloads the clip itself from `request.media_url`; we create the video
with one POST and then poll it while Rutube downloads and moderates it.
Protocol and assumptions: docs/platforms/rutube.md and wire.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
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
from autopost.platforms.catalog import LIMITS, Platform
from autopost.platforms.errors import AuthExpired, OutcomeUnknown, Permanent, Transient
from autopost.platforms.pacing import Pacer
from autopost.platforms.rutube import wire
from autopost.platforms.rutube.answers import bad_answer
from autopost.platforms.rutube.client import (
    RutubeSession,
    open_session,
    rutube_pacer,
    token_fingerprint,
)
from autopost.platforms.rutube.outcome import result_of, video_deleted
from autopost.platforms.rutube.recovery import find_lost_video, page_videos, pending_create
from autopost.platforms.rutube.stats import collect_counters
from autopost.settings import RutubeSettings

DEFAULT_TIMEOUT = 30.0

_LIMITS = LIMITS[Platform.RUTUBE]


async def exchange_password(
    settings: RutubeSettings,
    username: str,
    password: str,
    *,
    transport: httpx2.AsyncBaseTransport | None = None,
    http_timeout: float = DEFAULT_TIMEOUT,
) -> str:
    """POST /api/accounts/token_auth/ → the account's API token (the same one every time)."""
    # token_auth is not throttled per token, so no pacing is needed here.
    async with open_session(
        settings, Pacer(window=0), None, transport=transport, http_timeout=http_timeout
    ) as api:
        body = await api.call("POST", wire.TOKEN_AUTH, json={"username": username, "password": password})
    token = body.get("token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        raise bad_answer("token_auth answered without a token")
    return token


class RutubeProvider:
    capabilities = Capabilities(
        platform=Platform.RUTUBE,
        stats=StatsSupport.FULL,
        upload_by_url=True,
        needs_processing=True,
        oauth=False,
    )

    def __init__(
        self,
        settings: RutubeSettings,
        *,
        transport: httpx2.AsyncBaseTransport | None = None,
        http_timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self._settings = settings
        # One transport for the provider's life: building one per call costs a TLS setup (~70 ms of CPU).
        self._transport = transport or httpx2.AsyncHTTPTransport()
        self._timeout = http_timeout
        self._pacer = rutube_pacer(settings.rate_per_second)

    exchange_password = staticmethod(exchange_password)

    def _session(self, credentials: Credentials) -> AbstractAsyncContextManager[RutubeSession]:
        return open_session(
            self._settings,
            self._pacer,
            credentials.access_token,
            transport=self._transport,
            http_timeout=self._timeout,
        )

    async def verify(self, *, credentials: Credentials) -> AccountInfo:
        """The token works if the caller's own video listing answers; its author names the account.

        Rutube's API has no "who am I" call: an account with no videos yet is named
        by a one-way fingerprint of its token instead (see docs/platforms/rutube.md).
        """
        async with self._session(credentials) as api:
            page = await api.call("GET", wire.MY_VIDEOS, params={"page": 1, "limit": 1})
        videos, _ = page_videos(page)
        author = videos[0].get("author") if videos else None
        if isinstance(author, dict) and author.get("id") is not None:
            return AccountInfo(
                account_id=str(author["id"]),
                name=str(author.get("name") or "Rutube"),
                meta={"identified_by": "video_author", "site_url": author.get("site_url")},
            )
        return AccountInfo(
            account_id=f"token-{token_fingerprint(credentials.access_token)}",
            name="Rutube",  # the page says the account was connected by token
            meta={"identified_by": "token"},
        )

    async def refresh(self, *, credentials: Credentials) -> Credentials:
        """Rutube tokens have no refresh: the user pastes a new token (or logs in again)."""
        raise AuthExpired("rutube.reconnect", "Rutube tokens cannot be refreshed")

    async def publish(self, *, request: PublishRequest) -> PublishResult:
        """Create the video by URL once; afterwards only poll it (or find it, if the answer was lost)."""
        checkpoint = dict(request.checkpoint)
        if checkpoint.get("remote_id"):
            return await self.check(credentials=request.credentials, checkpoint=checkpoint)
        _refuse_over_limits(request)
        async with self._session(request.credentials) as api:
            if checkpoint.get("request_sent"):
                found = await find_lost_video(api, checkpoint)
                if found is not None:
                    return await _adopt(request, found)
            return await _create(api, request)

    async def check(self, *, credentials: Credentials, checkpoint: Mapping[str, Any]) -> PublishResult:
        video_id = str(checkpoint["remote_id"])
        async with self._session(credentials) as api:
            video = await api.call("GET", wire.video_path(video_id), not_found=video_deleted(video_id))
        if not isinstance(video, dict):
            raise bad_answer("video answer is not an object")
        return result_of(video, checkpoint)

    async def fetch_stats(
        self, *, credentials: Credentials, remote_ids: Sequence[str]
    ) -> Mapping[str, Counters]:
        if not remote_ids:
            return {}
        async with self._session(credentials) as api:
            return await collect_counters(api, remote_ids)


def _refuse_over_limits(request: PublishRequest) -> None:
    """Refuse what Rutube would refuse, before anything is sent."""
    size = request.clip.size
    if size > _LIMITS.max_bytes:
        raise Permanent(
            "rutube.file_too_large", f"{size} bytes", size_bytes=size, limit_bytes=_LIMITS.max_bytes
        )
    for name, text, limit in (
        ("title", request.title, _LIMITS.title_max),
        ("description", request.description, _LIMITS.description_max),
    ):
        if limit is not None and len(text) > limit:
            raise Permanent(
                f"rutube.{name}_too_long", f"{len(text)} characters", length=len(text), limit=limit
            )


async def _create(api: RutubeSession, request: PublishRequest) -> PublishResult:
    if not request.media_url:
        raise Permanent("rutube.no_media_url", "no media_url")
    pending = pending_create(request.title, request.description)
    await _save(request, pending)
    body = {
        "url": request.media_url,
        "title": request.title,
        "description": request.description,
        "is_hidden": False,
        "category_id": wire.DEFAULT_CATEGORY,
    }
    try:
        answer = await api.call("POST", wire.VIDEOS, json=body, creates=True)
    except OutcomeUnknown as exc:
        # Checkable: the checkpoint makes the retry search the listing before creating again.
        raise Transient("rutube.create_unconfirmed", exc.detail) from exc
    video_id = answer.get("video_id") if isinstance(answer, dict) else None
    if not isinstance(video_id, str) or not video_id:
        raise Transient("rutube.create_unconfirmed", "create answered without video_id")
    checkpoint = {"remote_id": video_id, "track_id": answer.get("track_id"), "title": request.title}
    await _save(request, checkpoint)
    return PublishResult(
        state=PublishState.PROCESSING,
        checkpoint=checkpoint,
        remote_id=video_id,
        remote_url=wire.public_url(video_id),
    )


async def _adopt(request: PublishRequest, video: Mapping[str, Any]) -> PublishResult:
    """Continue from a video our lost create made: checkpoint it, then read its state from the listing."""
    video_id = str(video["id"])
    checkpoint = {
        "remote_id": video_id,
        "track_id": video.get("track_id"),
        "title": request.title,
        "recovered": True,
    }
    await _save(request, checkpoint)
    return result_of(video, checkpoint)


async def _save(request: PublishRequest, checkpoint: Mapping[str, Any]) -> None:
    if request.on_checkpoint is not None:
        await request.on_checkpoint(checkpoint)
