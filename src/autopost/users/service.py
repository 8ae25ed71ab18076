"""Accounts: creating users, issuing and checking API tokens."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.db import utcnow
from autopost.refusals import Kind, Refused
from autopost.security.api_tokens import hash_api_token
from autopost.security.passwords import hash_password, verify_password
from autopost.users.models import ApiToken, User
from autopost.users.passwords import check_new_password
from autopost.users.plans import Plan
from autopost.users.tokens import issue_api_token
from autopost.workspaces.usecases import create_workspace


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    # NUL: PostgreSQL text cannot hold it, so such an address can be nobody's.
    if "@" not in email or email.startswith("@") or email.endswith("@") or "\x00" in email:
        raise Refused("email_invalid", Kind.INVALID, email=email)
    return email


async def get_user_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(User.email == normalize_email(email)))


async def create_user(
    session: AsyncSession, email: str, *, plan: Plan, password: str | None = None
) -> tuple[User, str | None]:
    """Create a user and their personal workspace (on `plan`); returns the generated password when
    none was given (shown once)."""
    email = normalize_email(email)
    if await get_user_by_email(session, email) is not None:
        raise Refused("user_exists", Kind.CONFLICT, email=email)
    if password:
        check_new_password(password)
    generated = None if password else secrets.token_urlsafe(12)
    user = User(email=email, password_hash=hash_password(password or generated or ""))
    session.add(user)
    await session.flush()
    # A personal workspace has its user's id, as migration 0009 gave every existing user one.
    await create_workspace(session, user, email, plan=plan, workspace_id=user.id)
    return user, generated


async def create_api_token(
    session: AsyncSession, user: User, name: str = "default", *, expires_at: datetime | None = None
) -> str:
    """Issue a token; only its hash is stored, so this is the one time it can be seen."""
    return (await issue_api_token(session, user, name, expires_at=expires_at)).secret


async def user_for_api_token(session: AsyncSession, token: str) -> User | None:
    now = utcnow()
    api_token = await session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == hash_api_token(token),
            ApiToken.revoked_at.is_(None),
            or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now),
        )
    )
    if api_token is None:
        return None
    api_token.last_used_at = now
    return await session.get(User, api_token.user_id)


# Verifying against a fixed hash when the email is unknown keeps both answers equally slow.
_UNKNOWN_USER_HASH = hash_password("unknown-user-placeholder")


async def authenticate(session: AsyncSession, email: str, password: str) -> User | None:
    try:
        user = await get_user_by_email(session, email)
    except Refused:
        user = None
    if user is None:
        verify_password(password, _UNKNOWN_USER_HASH)
        return None
    return user if verify_password(password, user.password_hash) else None
