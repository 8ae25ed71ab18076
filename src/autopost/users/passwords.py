"""Changing a password, which ends every browser session of the user (API tokens stay until revoked).

Whoever knew the old password may be signed in somewhere; a new password is
worth little while those sessions live. The caller re-issues a session for the
browser the change was made in, if there was one.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from autopost.refusals import Kind, Refused
from autopost.security.passwords import MIN_PASSWORD_LENGTH, hash_password, verify_password
from autopost.users.models import User
from autopost.users.sessions import end_all_sessions


def check_new_password(password: str) -> None:
    """Refuse a password too short to be set (a new user's or a changed one)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Refused("password_too_short", Kind.INVALID, min=MIN_PASSWORD_LENGTH)


async def set_password(db: AsyncSession, user: User, new_password: str) -> int:
    """Give the user a new password and end their sessions; returns how many sessions ended."""
    check_new_password(new_password)
    user.password_hash = hash_password(new_password)
    await db.flush()
    return await end_all_sessions(db, user.id)


async def change_password(db: AsyncSession, user: User, current_password: str, new_password: str) -> int:
    """The user's own change: only with the current password."""
    if not verify_password(current_password, user.password_hash):
        raise Refused("wrong_password", Kind.INVALID)
    return await set_password(db, user, new_password)
