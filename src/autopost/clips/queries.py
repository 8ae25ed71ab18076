"""Reading a workspace's clips: always scoped to the member's workspace."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.clips.models import Clip
from autopost.refusals import Kind, Refused
from autopost.workspaces.access import Action, Member


async def list_clips(session: AsyncSession, member: Member, limit: int, offset: int) -> list[Clip]:
    rows = await session.scalars(
        select(Clip)
        .where(Clip.workspace_id == member.workspace_id)
        .order_by(Clip.created_at.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows)


async def owned_clip(
    session: AsyncSession, member: Member, clip_id: uuid.UUID, *, to: Action | None = None
) -> Clip:
    """The workspace's clip, else not_found (another workspace's clip looks exactly like a missing
    one); with `to`, refused unless the member's role allows that action."""
    clip = await session.scalar(
        select(Clip).where(Clip.id == clip_id, Clip.workspace_id == member.workspace_id)
    )
    if clip is None:
        raise Refused("not_found", Kind.NOT_FOUND)
    if to is not None:
        member.require(to)
    return clip
