"""Browser sessions kept on the server: start one at login, find it by its cookie, end one or all.

The cookie is a random token (security.sessions); a row keyed by its SHA-256
says whose it is and until when. Ending a session stamps `revoked_at`, so a
copy of the cookie kept anywhere stops working on its next request.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.db import utcnow
from autopost.security.sessions import (
    SESSION_SECONDS,
    hash_session_token,
    new_session_token,
    plausible_session_token,
)
from autopost.users.models import User, UserSession

# last_seen_at is for people ("active 5 minutes ago"), so it need not be written on every request.
LAST_SEEN_STEP = timedelta(minutes=5)
USER_AGENT_LENGTH = 200


@dataclass(frozen=True)
class BrowserSession:
    """A live session found by its cookie: whose it is, its row, and the cookie (for the CSRF token)."""

    user: User
    record: UserSession
    token: str


async def start_session(db: AsyncSession, user: User, *, user_agent: str = "", ip: str = "") -> str:
    """A new session for `user`; returns the cookie value (the only time the token exists)."""
    now = utcnow()
    # The user's ended sessions are of no further use; clearing them here keeps the table small.
    await db.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id,
            or_(UserSession.revoked_at.is_not(None), UserSession.expires_at <= now),
        )
    )
    issued = new_session_token()
    db.add(
        UserSession(
            id=issued.token_hash,
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(seconds=SESSION_SECONDS),
            user_agent=user_agent[:USER_AGENT_LENGTH] or None,
            ip=ip or None,
        )
    )
    await db.flush()
    return issued.token


async def find_session(db: AsyncSession, cookie: str | None) -> BrowserSession | None:
    """The live (not ended, not expired) session this cookie belongs to, if any."""
    if not plausible_session_token(cookie):
        return None
    token = cookie or ""
    record = await db.get(UserSession, hash_session_token(token))
    now = utcnow()
    if record is None or record.revoked_at is not None or record.expires_at <= now:
        return None
    user = await db.get(User, record.user_id)
    if user is None:
        return None
    if now - record.last_seen_at >= LAST_SEEN_STEP:
        record.last_seen_at = now
    return BrowserSession(user=user, record=record, token=token)


async def end_session(db: AsyncSession, record: UserSession) -> None:
    record.revoked_at = utcnow()
    await db.flush()


async def end_all_sessions(db: AsyncSession, user_id: uuid.UUID) -> int:
    """End every live session of the user (log out everywhere); returns how many there were."""
    now = utcnow()
    statement = (
        update(UserSession)
        .where(
            UserSession.user_id == user_id,
            UserSession.revoked_at.is_(None),
            UserSession.expires_at > now,
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session="fetch")
    )
    # An UPDATE answers with a cursor result, which knows how many rows it changed.
    result = cast("CursorResult[Any]", await db.execute(statement))
    return result.rowcount
