"""A member's notification settings: which channels they hear by, and linking their Telegram chat."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.mail import mail_configured
from autopost.notifications import bot
from autopost.notifications.linking import link_of, new_link_code, unlink
from autopost.notifications.models import NotificationPreference
from autopost.notifications.planner import telegram_configured
from autopost.platforms.errors import PlatformError
from autopost.refusals import Kind, Refused
from autopost.runtime import Runtime
from autopost.workspaces.access import Member


@dataclass(frozen=True)
class Preferences:
    """What the settings page shows: the member's choices and what the install offers."""

    email: bool
    telegram: bool
    telegram_linked: bool
    mail_available: bool
    telegram_available: bool


async def _preference(session: AsyncSession, member: Member) -> NotificationPreference | None:
    found: NotificationPreference | None = await session.scalar(
        select(NotificationPreference).where(
            NotificationPreference.workspace_id == member.workspace_id,
            NotificationPreference.user_id == member.user.id,
        )
    )
    return found


async def preferences(session: AsyncSession, runtime: Runtime, member: Member) -> Preferences:
    row = await _preference(session, member)
    link = await link_of(session, member.user.id)
    return Preferences(
        email=row.email if row else True,
        telegram=row.telegram if row else True,
        telegram_linked=link is not None and link.chat_id is not None,
        mail_available=mail_configured(runtime.settings),
        telegram_available=telegram_configured(runtime.settings),
    )


async def save_preferences(session: AsyncSession, member: Member, *, email: bool, telegram: bool) -> None:
    """The member's channels in this workspace (every member chooses their own; nobody else's)."""
    row = await _preference(session, member)
    if row is None:
        row = NotificationPreference(workspace_id=member.workspace_id, user_id=member.user.id)
        session.add(row)
    row.email, row.telegram = email, telegram
    await session.flush()


async def telegram_deep_link(session: AsyncSession, runtime: Runtime, member: Member) -> str:
    """https://t.me/<bot>?start=<code>: opening it and pressing «Start» links the member's chat."""
    if not telegram_configured(runtime.settings):
        raise Refused("notify_bot_not_configured", Kind.CONFLICT)
    try:
        username = await bot.bot_username(runtime.settings)
    except PlatformError as exc:
        raise Refused("notify_bot_unreachable", Kind.UNAVAILABLE) from exc
    code = await new_link_code(session, runtime.settings, member.user)
    return f"https://t.me/{username}?start={code}"


async def unlink_telegram(session: AsyncSession, member: Member) -> None:
    await unlink(session, member.user)
