"""A user's API tokens: issue (optionally expiring), list and revoke; every query scoped by the owner.

The secret is returned once, when issued; afterwards only its SHA-256 exists.
An operator may revoke any token by id from the command line.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.db import utcnow
from autopost.refusals import Kind, Refused
from autopost.security.api_tokens import new_api_token
from autopost.users.models import ApiToken, User


@dataclass(frozen=True)
class IssuedToken:
    record: ApiToken
    secret: str


class TokenState(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


def token_state(token: ApiToken, now: datetime | None = None) -> TokenState:
    if token.revoked_at is not None:
        return TokenState.REVOKED
    if token.expires_at is not None and token.expires_at <= (now or utcnow()):
        return TokenState.EXPIRED
    return TokenState.ACTIVE


async def issue_api_token(
    db: AsyncSession, user: User, name: str, *, expires_at: datetime | None = None
) -> IssuedToken:
    """A new token for `user`; refused when it would already be expired."""
    if expires_at is not None and expires_at <= utcnow():
        raise Refused("token_expiry_past", Kind.INVALID)
    issued = new_api_token()
    record = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=issued.token_hash,
        prefix=issued.display_prefix,
        created_at=utcnow(),
        expires_at=expires_at,
    )
    db.add(record)
    await db.flush()
    return IssuedToken(record=record, secret=issued.token)


async def list_api_tokens(db: AsyncSession, user: User, *, with_revoked: bool = False) -> Sequence[ApiToken]:
    """The user's tokens, oldest first; revoked ones only when asked (the operator's view)."""
    query = select(ApiToken).where(ApiToken.user_id == user.id)
    if not with_revoked:
        query = query.where(ApiToken.revoked_at.is_(None))
    return (await db.scalars(query.order_by(ApiToken.created_at, ApiToken.id))).all()


async def revoke_own_api_token(db: AsyncSession, user: User, token_id: uuid.UUID) -> None:
    """Revoke one of the user's tokens; another user's (or an already revoked) one is not found."""
    token = await db.scalar(
        select(ApiToken).where(
            ApiToken.id == token_id, ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)
        )
    )
    if token is None:
        raise Refused("not_found", Kind.NOT_FOUND)
    token.revoked_at = utcnow()
    await db.flush()


async def revoke_api_token_by_id(db: AsyncSession, token_id: uuid.UUID) -> ApiToken:
    """The operator's revoke, for any user's token."""
    token = await db.get(ApiToken, token_id)
    if token is None:
        raise Refused("token_not_found", Kind.NOT_FOUND, id=str(token_id))
    if token.revoked_at is not None:
        raise Refused("token_already_revoked", Kind.CONFLICT, id=str(token_id))
    token.revoked_at = utcnow()
    await db.flush()
    return token
