"""The Rutube provider: DRF-token and SSO connections, direct or by-URL upload, polling, stats.

Direct (the default, direct.py): we upload the clip to Rutube's upload host by TUS.
By URL (settings.rutube.upload = "url"): Rutube downloads the clip from
`request.media_url`; we create the video with one POST, set its metadata with the
v2 PATCH, and then poll it while Rutube downloads and moderates it.
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
from autopost.platforms.catalog import LIMITS, ConnectionKind, Platform
from autopost.platforms.errors import AuthExpired, OutcomeUnknown, Permanent, Transient
from autopost.platforms.rutube import sso, wire
from autopost.platforms.rutube.answers import bad_answer
from autopost.platforms.rutube.client import (
    RutubeSession,
    open_session,
    token_fingerprint,
)
from autopost.platforms.rutube.direct import set_metadata, upload_and_publish
from autopost.platforms.rutube.outcome import result_of, video_deleted
from autopost.platforms.rutube.recovery import find_lost_video, page_videos, pending_create
from autopost.platforms.rutube.stats import collect_counters
from autopost.platforms.throttle import UnitLimiter
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
    async with open_session(settings, None, transport=transport, http_timeout=http_timeout) as api:
        body = await api.call("POST", wire.TOKEN_AUTH, json={"username": username, "password": password})
    token = body.get("token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        raise bad_answer("token_auth answered without a token")
    return token


class RutubeProvider:
    def __init__(
        self,
        settings: RutubeSettings,
        *,
        transport: httpx2.AsyncBaseTransport | None = None,
        http_timeout: float = DEFAULT_TIMEOUT,
        limiter: UnitLimiter | None = None,
    ) -> None:
        self._settings = settings
        self.capabilities = Capabilities(
            platform=Platform.RUTUBE,
            stats=StatsSupport.FULL,
            upload_by_url=settings.upload == "url",
            needs_processing=True,
            oauth=False,
        )
        # One transport for the provider's life: building one per call costs a TLS setup (~70 ms of CPU).
        self._transport = transport or httpx2.AsyncHTTPTransport()
        self._timeout = http_timeout
        self._limiter = limiter or UnitLimiter.in_memory()

    exchange_password = staticmethod(exchange_password)

    def _session(self, credentials: Credentials) -> AbstractAsyncContextManager[RutubeSession]:
        return open_session(
            self._settings,
            credentials.access_token,
            transport=self._transport,
            http_timeout=self._timeout,
            bearer=credentials.kind is ConnectionKind.REFRESH_TOKEN,
            limiter=self._limiter,
        )

    async def verify(self, *, credentials: Credentials) -> AccountInfo:
        """The token works if the caller's own video listing answers; its author names the account.

        Rutube's API has no "who am I" call: an account with no videos yet is named
        by a one-way fingerprint of its token instead (see docs/platforms/rutube.md).
        An SSO account's JWT names its user; the channel's profile names the account.
        """
        if credentials.kind is ConnectionKind.REFRESH_TOKEN:
            return await self._verify_sso(credentials)
        async with self._session(credentials) as api:
            page = await api.call("GET", wire.MY_VIDEOS, params={"page": 1, "limit": 1})
        videos, _ = page_videos(page)
        author = videos[0].get("author") if videos else None
        if isinstance(author, dict) and author.get("id") is not None:
            return AccountInfo(
                account_id=str(author["id"]),
                name=str(author.get("name") or "Rutube"),
                meta={
                    "identified_by": "video_author",
                    "site_url": author.get("site_url"),
                    "user_id": str(author["id"]),
                },
            )
        return AccountInfo(
            account_id=f"token-{token_fingerprint(credentials.access_token)}",
            name="Rutube",  # the page says the account was connected by token
            meta={"identified_by": "token"},
        )

    async def _verify_sso(self, credentials: Credentials) -> AccountInfo:
        """The JWT's user_id is the account; its public profile names the channel (ASSUMED endpoint)."""
        user_id = str(sso.jwt_claims(credentials.access_token).get("user_id") or "")
        if not user_id:
            raise bad_answer("the access token names no user_id")
        async with self._session(credentials) as api:
            profile = await api.call("GET", wire.PROFILE.format(user_id=user_id))
        name = profile.get("name") if isinstance(profile, dict) else None
        avatar = profile.get("avatar_url") if isinstance(profile, dict) else None
        return AccountInfo(
            account_id=user_id,
            name=str(name or f"Rutube {user_id}"),
            avatar_url=avatar if isinstance(avatar, str) else None,
            meta={"identified_by": "sso", "user_id": user_id},
        )

    async def refresh(self, *, credentials: Credentials) -> Credentials:
        """SSO: spend the refresh token for new tokens (callers hold the connection's lock and store the
        rotated token before using the access token). DRF tokens have no refresh: connect again."""
        if credentials.kind is not ConnectionKind.REFRESH_TOKEN or not credentials.refresh_token:
            raise AuthExpired("rutube.reconnect", "Rutube tokens cannot be refreshed")
        # The exchange is not throttled per token (there is none yet), so no pacing is needed.
        async with open_session(
            self._settings, None, transport=self._transport, http_timeout=self._timeout
        ) as api:
            return await sso.exchange(api, credentials.refresh_token)

    async def publish(self, *, request: PublishRequest) -> PublishResult:
        """Direct: resume the upload from its checkpoint. By URL: create once, set the metadata, poll."""
        checkpoint = dict(request.checkpoint)
        if checkpoint.get("remote_id") and checkpoint.get("metadata_pending"):
            async with self._session(request.credentials) as api:
                checkpoint = await _set_metadata(api, request, checkpoint)
        if checkpoint.get("remote_id"):
            return await self.check(credentials=request.credentials, checkpoint=checkpoint)
        _refuse_over_limits(request)
        direct = checkpoint.get("route") == "direct" or (not checkpoint and self._settings.upload == "direct")
        async with self._session(request.credentials) as api:
            if direct:
                return await upload_and_publish(
                    api,
                    request,
                    upload_url=self._settings.upload_url,
                    transport=self._transport,
                    http_timeout=self._timeout,
                )
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
    if request.callback_url:
        # Rutube calls it when the video is processed: the engine then polls at once.
        body["callback_url"] = request.callback_url
    try:
        answer = await api.call("POST", wire.VIDEOS, json=body, creates=True)
    except OutcomeUnknown as exc:
        # Checkable: the checkpoint makes the retry search the listing before creating again.
        raise Transient("rutube.create_unconfirmed", exc.detail) from exc
    video_id = answer.get("video_id") if isinstance(answer, dict) else None
    if not isinstance(video_id, str) or not video_id:
        raise Transient("rutube.create_unconfirmed", "create answered without video_id")
    checkpoint = {
        "remote_id": video_id,
        "track_id": answer.get("track_id"),
        "title": request.title,
        "metadata_pending": True,
    }
    await _save(request, checkpoint)
    checkpoint = await _set_metadata(api, request, checkpoint)
    return PublishResult(
        state=PublishState.PROCESSING,
        checkpoint=checkpoint,
        remote_id=video_id,
        remote_url=wire.public_url(video_id),
    )


async def _set_metadata(
    api: RutubeSession, request: PublishRequest, checkpoint: dict[str, Any]
) -> dict[str, Any]:
    """The v2 PATCH after an import by URL: the title, description and category the studio sets."""
    await set_metadata(api, str(checkpoint["remote_id"]), request.title, request.description)
    done = {k: v for k, v in checkpoint.items() if k != "metadata_pending"}
    await _save(request, done)
    return done


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
