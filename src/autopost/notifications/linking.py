"""Linking a member's Telegram chat: a single-use code in a t.me deep link, redeemed by `/start <code>`."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.db import utcnow
from autopost.notifications.models import TelegramLink
from autopost.settings import Settings
from autopost.users.models import User


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


async def link_of(session: AsyncSession, user_id: object) -> TelegramLink | None:
    found: TelegramLink | None = await session.scalar(
        select(TelegramLink).where(TelegramLink.user_id == user_id)
    )
    return found


async def new_link_code(session: AsyncSession, settings: Settings, user: User) -> str:
    """A fresh code for the user (an earlier unused one stops working); shown once, kept hashed."""
    code = secrets.token_urlsafe(24)  # deep-link payloads allow A-Z a-z 0-9 _ - up to 64 characters
    link = await link_of(session, user.id)
    if link is None:
        link = TelegramLink(user_id=user.id)
        session.add(link)
    link.code_hash = code_hash(code)
    link.code_expires_at = utcnow() + timedelta(minutes=settings.notify.link_code_minutes)
    await session.flush()
    return code


async def redeem(session: AsyncSession, code: str, chat_id: str) -> User | None:
    """Link the chat to the code's user; None when the code is unknown, used or expired."""
    link: TelegramLink | None = await session.scalar(
        select(TelegramLink).where(TelegramLink.code_hash == code_hash(code.strip())).with_for_update()
    )
    if link is None or link.code_expires_at is None or link.code_expires_at <= utcnow():
        return None
    link.chat_id, link.linked_at = chat_id, utcnow()
    link.code_hash, link.code_expires_at = None, None
    return await session.get(User, link.user_id)


async def unlink(session: AsyncSession, user: User) -> None:
    link = await link_of(session, user.id)
    if link is not None:
        link.chat_id, link.linked_at = None, None
