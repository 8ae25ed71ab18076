"""The worker's side of notifications: deliver one row (a "notify" job), re-queue lost ones, and read
the bot's /start messages.

A delivery job takes the delivery id only and is idempotent: a row already sent, or given up,
returns at once. A failure it may outlive (SMTP down, Telegram 5xx or 429) is recorded on the
row and raised, so BullMQ tries again after its backoff; one it cannot (the person blocked the
bot, unlinked it, mail was switched off) ends the row at once.
"""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy import select

from autopost.alerts.models import Alert
from autopost.db import transaction, utcnow
from autopost.i18n import N_, gettext
from autopost.mail import MailNotConfigured, send_mail
from autopost.notifications import bot
from autopost.notifications.linking import link_of, redeem
from autopost.notifications.messages import Notice, compose
from autopost.notifications.models import Channel, NotificationDelivery
from autopost.notifications.queue import enqueue_delivery
from autopost.platforms.errors import AuthExpired, Permanent
from autopost.runtime import Runtime
from autopost.users.models import User

log = structlog.get_logger(__name__)

SWEEP_BATCH = 500
LINKED_TEXT = N_("Notifications from autopost will come to this chat.")


class GiveUp(Exception):
    """This delivery can never succeed: record why and stop trying."""


def _describe(error: BaseException) -> str:
    # A class name and the error's own words, cut short: SMTP and Bot API errors hold no secrets of ours.
    return f"{type(error).__name__}: {error}"[:300]


async def _prepare(runtime: Runtime, delivery_id: uuid.UUID) -> tuple[Channel, str, str, Notice] | None:
    """Claim one more attempt and compose the message; None when there is nothing to do."""
    async with transaction(runtime.session_factory) as session:
        delivery = await session.get(NotificationDelivery, delivery_id, with_for_update=True)
        if (
            delivery is None
            or delivery.sent_at is not None
            or delivery.attempts >= runtime.settings.notify.attempts
        ):
            return None
        delivery.attempts += 1
        user = await session.get_one(User, delivery.user_id)
        alert = await session.get_one(Alert, delivery.alert_id)
        notice = await compose(session, runtime.settings.public_url, alert, user.locale)
        channel = Channel(delivery.channel)
        address = user.email
        if channel is Channel.TELEGRAM:
            link = await link_of(session, user.id)
            address = link.chat_id if link is not None and link.chat_id else ""
        return channel, address, user.locale, notice


async def _send(runtime: Runtime, channel: Channel, address: str, lang: str, notice: Notice) -> None:
    if not address:
        raise GiveUp("the member's Telegram chat is no longer linked")
    try:
        if channel is Channel.EMAIL:
            await send_mail(runtime.settings, notice.mail(address, lang))
        else:
            await bot.send_text(runtime.settings, address, notice.telegram_text(lang))
    except (MailNotConfigured, Permanent, AuthExpired) as exc:
        raise GiveUp(_describe(exc)) from exc


async def _record(
    runtime: Runtime,
    delivery_id: uuid.UUID,
    error: BaseException | None,
    final: bool,
    attempted: bool = False,
) -> None:
    """The outcome of an attempt; `attempted`: the attempt's own claim was rolled back, count it here."""
    async with transaction(runtime.session_factory) as session:
        delivery = await session.get_one(NotificationDelivery, delivery_id)
        delivery.attempts += int(attempted)
        if error is None:
            delivery.sent_at, delivery.last_error = utcnow(), None
            return
        delivery.last_error = _describe(error)
        if final:
            delivery.attempts = max(delivery.attempts, runtime.settings.notify.attempts)


async def deliver(runtime: Runtime, delivery_id: uuid.UUID) -> None:
    """Send one delivery; raises on a failure worth retrying (after recording it on the row)."""
    try:
        prepared = await _prepare(runtime, delivery_id)
    except Exception as exc:
        # Composing failed (and rolled its attempt back): count it, or the sweeper would requeue forever.
        await _record(runtime, delivery_id, exc, final=False, attempted=True)
        raise
    if prepared is None:
        return
    try:
        await _send(runtime, *prepared)
    except GiveUp as exc:
        await _record(runtime, delivery_id, exc, final=True)
        log.info("notification_given_up", delivery_id=str(delivery_id), reason=str(exc))
        return
    except Exception as exc:
        await _record(runtime, delivery_id, exc, final=False)
        log.info("notification_failed", delivery_id=str(delivery_id), error=type(exc).__name__)
        raise
    await _record(runtime, delivery_id, None, final=False)
    log.info("notification_sent", delivery_id=str(delivery_id), channel=prepared[0].value)


async def sweep_notifications(runtime: Runtime) -> int:
    """Queue again the unsent rows whose job was lost or ended; the number queued."""
    async with transaction(runtime.session_factory) as session:
        ids = list(
            await session.scalars(
                select(NotificationDelivery.id)
                .where(
                    NotificationDelivery.sent_at.is_(None),
                    NotificationDelivery.attempts < runtime.settings.notify.attempts,
                )
                .order_by(NotificationDelivery.created_at)
                .limit(SWEEP_BATCH)
            )
        )
    queued = 0
    for delivery_id in ids:
        state = await runtime.queues.notification_job_state(delivery_id)
        if state in ("waiting", "delayed", "active", "waiting-children", "prioritized"):
            continue
        if state in ("failed", "completed"):
            await runtime.queues.remove_notification(delivery_id)
        await enqueue_delivery(runtime, delivery_id)
        queued += 1
    return queued


def _offset_key(runtime: Runtime) -> str:
    return f"{runtime.queues.prefix}:notify:telegram_offset"


def _start_code(update: dict[str, object]) -> tuple[str, str] | None:
    """(code, chat id) of a `/start <code>` message in a private chat, else None."""
    message = update.get("message")
    if not isinstance(message, dict):
        return None
    text, chat = str(message.get("text") or ""), message.get("chat")
    parts = text.split(maxsplit=1)
    if len(parts) != 2 or parts[0].split("@")[0] != "/start" or not isinstance(chat, dict):
        return None
    if chat.get("type") != "private":
        return None
    return parts[1].strip(), str(chat["id"])


async def poll_telegram(runtime: Runtime) -> int:
    """One getUpdates long poll of the notification bot: link the chats that sent /start <code>."""
    settings = runtime.settings
    if not settings.notify.telegram_bot_token.get_secret_value():
        return 0
    offset = int(await runtime.redis.get(_offset_key(runtime)) or 0)
    received = await bot.updates(settings, offset, settings.notify.telegram_poll_seconds)
    linked = 0
    for update in received:
        offset = max(offset, int(str(update["update_id"])) + 1)
        start = _start_code(update)
        if start is None:
            continue
        async with transaction(runtime.session_factory) as session:
            user = await redeem(session, *start)
        if user is not None:
            linked += 1
            log.info("telegram_linked", user_id=str(user.id))
            await bot.send_text(settings, start[1], gettext(user.locale, LINKED_TEXT))
    await runtime.redis.set(_offset_key(runtime), str(offset))
    return linked
