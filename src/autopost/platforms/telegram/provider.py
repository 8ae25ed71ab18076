"""The Telegram provider: a bot posts clips to a channel it administers; views come from t.me.

Protocol, assumptions and the error table: docs/platforms/telegram.md ("Provider").
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime
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
from autopost.platforms.catalog import LIMITS, Platform, caption_text
from autopost.platforms.errors import AuthExpired, OutcomeUnknown, Permanent, PlatformError
from autopost.platforms.telegram import preview
from autopost.platforms.telegram.answers import classify
from autopost.platforms.telegram.botapi import BotApi, open_client
from autopost.platforms.telegram.upload import (
    LastPieceHook,
    Target,
    channel_ref,
    sent_duration,
    video_body,
)
from autopost.platforms.throttle import Unit, UnitLimiter
from autopost.settings import TelegramSettings

DEFAULT_TIMEOUT = 30.0
# A self-hosted Bot API server passes the whole file on to Telegram before it answers, so the
# answer to a big upload comes late: wait for it at this (slow) rate on top of the usual timeout.
FORWARD_BYTES_PER_SECOND = 2 * 1024 * 1024
# Our clock and Telegram's may disagree; a post dated this much before our request still counts.
CLOCK_SKEW_SECONDS = 60.0
RECOVERY_PAGES = 5

_LIMITS = LIMITS[Platform.TELEGRAM]
# Telegram has no title field: title and description share one caption (see catalog.LIMITS).
_CAPTION_MAX = _LIMITS.description_max or 0


class TelegramProvider:
    """Bot token in credentials.access_token; the channel as typed in credentials.meta["channel"]."""

    def __init__(
        self,
        settings: TelegramSettings,
        *,
        transport: httpx2.AsyncBaseTransport | None = None,
        http_timeout: float = DEFAULT_TIMEOUT,
        limiter: UnitLimiter | None = None,
    ) -> None:
        self._settings = settings
        self._limiter = limiter or UnitLimiter.in_memory()
        # Telegram's flood limits count messages: per bot, and per channel a bot posts to.
        self._per_bot = Unit.of("telegram-bot", settings.bot_limit, "telegram.rate_limited")
        self._per_channel = Unit.of("telegram-channel", settings.channel_limit, "telegram.rate_limited")
        # One transport for the provider's life: building one per call costs a TLS setup (~70 ms of CPU).
        self._transport = transport or httpx2.AsyncHTTPTransport()
        self._timeout = http_timeout
        self.capabilities = Capabilities(
            platform=Platform.TELEGRAM,
            telegram_local_server=settings.local_server,
            stats=StatsSupport.PUBLIC_ONLY,
            upload_by_url=False,
            needs_processing=False,
            oauth=False,
        )

    @asynccontextmanager
    async def _bot(self, credentials: Credentials) -> AsyncIterator[BotApi]:
        async with open_client(self._settings.api_url, self._transport, self._timeout) as client:
            yield BotApi(client, credentials.access_token)

    def _preview(self) -> AbstractAsyncContextManager[httpx2.AsyncClient]:
        return open_client(self._settings.preview_url, self._transport, self._timeout)

    async def verify(self, *, credentials: Credentials) -> AccountInfo:
        """getMe, getChat, getChatMember: the token works, the chat is a channel, the bot may post."""
        channel = channel_ref(str(credentials.meta.get("channel", "")))
        try:
            async with self._bot(credentials) as api:
                me = await api.call("getMe")
                chat = await api.call("getChat", {"chat_id": channel})
                if chat.get("type") != "channel":
                    raise Permanent("telegram.not_a_channel", f"chat type {chat.get('type')}")
                member = await api.call("getChatMember", {"chat_id": chat["id"], "user_id": me["id"]})
        except AuthExpired as exc:
            # While connecting, a token Telegram refuses was simply mistyped.
            raise Permanent("telegram.bad_token", exc.detail) from None
        _check_poster(member)
        return AccountInfo(
            account_id=str(chat["id"]),
            name=str(chat.get("title") or channel),
            meta={
                "channel_username": chat.get("username"),
                "chat_id": chat["id"],
                "bot_username": me.get("username"),
            },
        )

    async def refresh(self, *, credentials: Credentials) -> Credentials:
        raise AuthExpired("telegram.no_refresh", "bot tokens do not expire or refresh")

    async def check(self, *, credentials: Credentials, checkpoint: Mapping[str, Any]) -> PublishResult:
        """Nothing on Telegram processes after sendVideo: a saved message id means published."""
        target = Target.from_meta(checkpoint)
        if "remote_id" not in checkpoint or target is None:
            raise OutcomeUnknown("telegram.outcome_unknown", "no message id saved")
        remote_id = str(checkpoint["remote_id"])
        return PublishResult(
            state=PublishState.PUBLISHED,
            checkpoint=checkpoint,
            remote_id=remote_id,
            remote_url=str(checkpoint.get("remote_url") or target.post_url(remote_id)),
        )

    async def publish(self, *, request: PublishRequest) -> PublishResult:
        checkpoint = request.checkpoint
        if "remote_id" in checkpoint:
            return await self.check(credentials=request.credentials, checkpoint=checkpoint)
        if checkpoint.get("request_sent"):
            return await self._recover(request, checkpoint, "resumed after sendVideo went out")
        caption = self._checked_caption(request)
        async with self._bot(request.credentials) as api:
            target = Target.from_meta(request.credentials.meta) or await self._resolve(api, request)
            return await self._send(api, request, target, caption)

    def _checked_caption(self, request: PublishRequest) -> str:
        """The caption, after the limits Telegram would refuse the upload for (before any byte is sent)."""
        size, limit = request.clip.size, self.capabilities.max_bytes
        if size > limit:
            raise Permanent(
                "telegram.file_too_large", f"{size} bytes > {limit}", size_bytes=size, limit_bytes=limit
            )
        # Telegram trims the caption and counts it after entity parsing; plain text parses to itself.
        caption = caption_text(request.title, request.description).strip()
        if len(caption) > _CAPTION_MAX:
            raise Permanent(
                "telegram.caption_too_long",
                f"caption {len(caption)} characters",
                length=len(caption),
                limit=_CAPTION_MAX,
            )
        return caption

    async def _resolve(self, api: BotApi, request: PublishRequest) -> Target:
        """A connection saved without the chat id: ask Telegram for it."""
        channel = channel_ref(str(request.credentials.meta.get("channel", "")))
        return Target.from_chat(await api.call("getChat", {"chat_id": channel}))

    async def _send(
        self, api: BotApi, request: PublishRequest, target: Target, caption: str
    ) -> PublishResult:
        body = video_body(request, target, caption)
        sent_mark = {"request_sent": True, **target.as_checkpoint()}

        async def mark_sent() -> None:
            sent_mark["sent_at"] = time.time()
            await _save(request, sent_mark)

        hook = LastPieceHook(body.stream(), mark_sent)
        read_timeout = self._timeout + request.clip.size / FORWARD_BYTES_PER_SECOND
        http_request = api.request(
            "sendVideo",
            content=hook.stream(),
            headers=body.headers(),
            timeout=httpx2.Timeout(self._timeout, read=read_timeout),
        )
        try:
            # The channel's allowance first: its wait is the long one, and a Throttled wait there
            # should not have used a slot of the bot's.
            async with (
                self._limiter.turn(self._per_channel, f"{api.bot_id}:{target.chat_id}"),
                self._limiter.turn(self._per_bot, str(api.bot_id)),
            ):
                message = classify(await api.upload(http_request, hook.body_sent))
        except OutcomeUnknown as exc:
            return await self._recover(request, sent_mark, f"no answer to sendVideo ({exc.detail})")
        except PlatformError:
            if hook.hooked:
                # Telegram answered (or the body never went out whole): nothing was posted.
                await _save(request, {})
            raise
        posted = Target.from_chat(message.get("chat") or {"id": target.chat_id})
        return await _adopt(request, posted, int(message["message_id"]), adopted=False)

    async def _recover(
        self, request: PublishRequest, checkpoint: Mapping[str, Any], why: str
    ) -> PublishResult:
        """sendVideo went out whole with no answer: find the post on t.me, or stop and ask a person."""
        target = Target.from_meta(checkpoint)
        if target is None or target.username is None:
            raise OutcomeUnknown("telegram.outcome_unknown", f"{why}; private channel")
        sent_at = float(checkpoint.get("sent_at") or time.time())
        try:
            async with self._preview() as client:
                found = await preview.find_posts(
                    client,
                    target.username,
                    caption=caption_text(request.title, request.description).strip(),
                    duration=sent_duration(request),
                    not_before=datetime.fromtimestamp(sent_at - CLOCK_SKEW_SECONDS, UTC),
                    max_pages=RECOVERY_PAGES,
                )
        except PlatformError as exc:
            raise OutcomeUnknown("telegram.outcome_unknown", f"{why}; t.me unreadable: {exc.code}") from None
        if found is None or len(found) != 1:
            # None: t.me cannot tell; several: the same caption went out twice and we cannot tell ours.
            count = "no preview, or too many posts since" if found is None else f"{len(found)} matching posts"
            raise OutcomeUnknown("telegram.outcome_unknown", f"{why}; t.me: {count}")
        return await _adopt(request, target, found[0], adopted=True)

    async def fetch_stats(
        self, *, credentials: Credentials, remote_ids: Sequence[str]
    ) -> Mapping[str, Counters]:
        """Views from the public preview pages; private channels have none ({})."""
        username = _public_username(credentials.meta)
        wanted = {int(r) for r in remote_ids if r.isdigit()}
        if username is None or not wanted:
            return {}
        async with self._preview() as client:
            views = await preview.collect_views(client, username, wanted)
        return {str(message_id): Counters(views=count) for message_id, count in views.items()}


def _check_poster(member: Mapping[str, Any]) -> None:
    status = member.get("status")
    if status in ("left", "kicked"):
        raise Permanent("telegram.not_member", f"bot status {status}")
    if status == "administrator" and member.get("can_post_messages") is True:
        return
    raise Permanent("telegram.not_admin", f"bot status {status}")


def _public_username(meta: Mapping[str, Any]) -> str | None:
    if "channel_username" in meta:
        return str(meta["channel_username"]) if meta["channel_username"] else None
    channel = str(meta.get("channel", "")).strip()
    return channel.removeprefix("@") if channel.startswith("@") else None


async def _save(request: PublishRequest, checkpoint: Mapping[str, Any]) -> None:
    if request.on_checkpoint is not None:
        await request.on_checkpoint(checkpoint)


async def _adopt(request: PublishRequest, target: Target, message_id: int, *, adopted: bool) -> PublishResult:
    """Save the message id first (nothing twice), then report the post published."""
    url = target.post_url(message_id)
    checkpoint = {"remote_id": str(message_id), "remote_url": url, **target.as_checkpoint()}
    if adopted:
        checkpoint["found_on_preview"] = True
    await _save(request, checkpoint)
    return PublishResult(PublishState.PUBLISHED, checkpoint, remote_id=str(message_id), remote_url=url)
