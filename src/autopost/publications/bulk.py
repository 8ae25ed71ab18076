"""A clip's publications at once: move them all, cancel them all, retry every failed one.

Each acts on the clip's publications that can take the action and leaves the rest alone (a
published one is not cancelled, one being published now is not moved); the same conditional
transitions as the single actions decide every race.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.clips.queries import owned_clip
from autopost.db import utcnow
from autopost.publications import usecases
from autopost.publications.models import WAITING_STATUSES, Publication, PublicationStatus
from autopost.publications.rules import check_schedule
from autopost.queue import Outbox
from autopost.refusals import Refused
from autopost.settings import Settings
from autopost.workspaces.access import Action, Member


async def _of_clip(
    session: AsyncSession, member: Member, clip_id: uuid.UUID, statuses: Sequence[PublicationStatus]
) -> list[Publication]:
    clip = await owned_clip(session, member, clip_id, to=Action.EDIT)
    rows = await session.scalars(
        select(Publication)
        .where(Publication.clip_id == clip.id, Publication.status.in_(statuses))
        .order_by(Publication.created_at, Publication.id)
    )
    return list(rows.all())


async def reschedule_clip(
    session: AsyncSession,
    outbox: Outbox,
    settings: Settings,
    member: Member,
    clip_id: uuid.UUID,
    scheduled_at: datetime,
) -> list[Publication]:
    """Every scheduled or awaiting publication of the clip moves to the new time; returns those moved."""
    scheduled = await _of_clip(session, member, clip_id, WAITING_STATUSES)
    check_schedule(settings, scheduled_at, utcnow())
    moved = []
    for publication in scheduled:
        try:
            await usecases.reschedule(session, outbox, settings, publication, scheduled_at)
        except Refused:
            continue  # a worker took it in between: it is publishing now, not movable
        moved.append(publication)
    return moved


async def cancel_clip(
    session: AsyncSession, outbox: Outbox, member: Member, clip_id: uuid.UUID
) -> list[Publication]:
    """Every scheduled or awaiting publication of the clip is cancelled; returns those cancelled."""
    cancelled = []
    for publication in await _of_clip(session, member, clip_id, WAITING_STATUSES):
        try:
            await usecases.cancel(session, outbox, publication)
        except Refused:
            continue  # started publishing in between: too late to cancel, as for one
        cancelled.append(publication)
    return cancelled


async def retry_clip(
    session: AsyncSession, outbox: Outbox, member: Member, clip_id: uuid.UUID
) -> list[Publication]:
    """Every failed publication of the clip is queued again; returns those queued."""
    retried = []
    for publication in await _of_clip(session, member, clip_id, [PublicationStatus.FAILED]):
        try:
            await usecases.retry(session, outbox, publication)
        except Refused:
            continue  # published there since, or retried by someone else meanwhile
        retried.append(publication)
    return retried


async def live_count(session: AsyncSession, member: Member, clip_ids: Sequence[uuid.UUID]) -> int:
    """How many scheduled or awaiting publications cancelling these clips everywhere would cancel."""
    rows = await session.scalars(
        select(Publication.id).where(
            Publication.workspace_id == member.workspace_id,
            Publication.clip_id.in_(clip_ids),
            Publication.status.in_(WAITING_STATUSES),
        )
    )
    return len(rows.all())
