"""Reading a user's clips: always scoped to the user's own rows."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.clips.models import Clip
from autopost.refusals import Kind, Refused
from autopost.users.models import User


async def list_clips(session: AsyncSession, user: User, limit: int, offset: int) -> list[Clip]:
    rows = await session.scalars(
        select(Clip)
        .where(Clip.user_id == user.id)
        .order_by(Clip.created_at.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows)


async def owned_clip(session: AsyncSession, user: User, clip_id: uuid.UUID) -> Clip:
    """The user's clip, else not_found (someone else's clip looks exactly like a missing one)."""
    clip = await session.scalar(select(Clip).where(Clip.id == clip_id, Clip.user_id == user.id))
    if clip is None:
        raise Refused("not_found", Kind.NOT_FOUND)
    return clip
