"""Creating, cancelling, rescheduling and retrying publications.

The database decides every race: each transition is a conditional UPDATE on
the current status, so a cancel and a worker starting the same publication
cannot both win. Queue changes go through the Outbox and happen after commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.clips.models import Clip, ClipStatus
from autopost.connections.models import Connection, ConnectionStatus
from autopost.db import utcnow
from autopost.platforms.catalog import LIMITS, Platform, caption_text
from autopost.publications.events import EventKind, record_event
from autopost.publications.models import LIVE_STATUSES, Phase, Publication, PublicationStatus
from autopost.queue import Outbox
from autopost.settings import Settings
from autopost.users.models import User
from autopost.users.plans import check_plan, check_size


class PublishRefused(Exception):
    """A publication that cannot be made: a stable code and the parameters of its message."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = params
        super().__init__(code)


@dataclass(frozen=True)
class Target:
    connection: Connection
    title: str
    description: str


def check_target(settings: Settings, user: User, clip: Clip, target: Target) -> None:
    """Every rule a publication must pass, at request time and again in the worker."""
    connection = target.connection
    platform = connection.platform
    if clip.status is not ClipStatus.READY:
        raise PublishRefused("clip_not_ready")
    refusal = check_plan(user.plan, platform) or check_size(
        platform, clip.size_bytes or 0, telegram_local_server=settings.telegram.local_server
    )
    if refusal:
        raise PublishRefused(refusal.code, **refusal.params)
    if connection.status is not ConnectionStatus.ACTIVE:
        raise PublishRefused("needs_reconnect", platform=platform.value)
    check_caption(platform, target.title, target.description)


def check_caption(platform: Platform, title: str, description: str) -> None:
    limits = LIMITS[platform]
    name = platform.value
    if limits.title_max is None:
        # One caption: title and description joined, as the provider sends it.
        length = len(caption_text(title, description))
        if limits.description_max is not None and length > limits.description_max:
            raise PublishRefused(
                "caption_too_long", platform=name, length=length, limit=limits.description_max
            )
        return
    if limits.title_required and not title.strip():
        raise PublishRefused("title_missing", platform=name)
    if len(title) > limits.title_max:
        raise PublishRefused("title_too_long", platform=name, length=len(title), limit=limits.title_max)
    if limits.description_max is not None and len(description) > limits.description_max:
        raise PublishRefused(
            "description_too_long", platform=name, length=len(description), limit=limits.description_max
        )


def check_schedule(settings: Settings, scheduled_at: datetime | None, now: datetime) -> None:
    if scheduled_at is None:
        return
    if scheduled_at.tzinfo is None:
        raise PublishRefused("scheduled_at_without_offset")
    lead = timedelta(seconds=settings.min_schedule_lead_seconds)
    if scheduled_at < now + lead:
        raise PublishRefused("scheduled_too_soon", lead_seconds=settings.min_schedule_lead_seconds)


async def create_publications(
    session: AsyncSession,
    outbox: Outbox,
    settings: Settings,
    *,
    user: User,
    clip: Clip,
    targets: Sequence[Target],
    scheduled_at: datetime | None = None,
) -> list[Publication]:
    now = utcnow()
    check_schedule(settings, scheduled_at, now)
    for target in targets:
        check_target(settings, user, clip, target)
    await _refuse_live_duplicates(session, clip, targets)
    publications = []
    for target in targets:
        publication = Publication(
            user_id=user.id,
            clip_id=clip.id,
            connection_id=target.connection.id,
            platform=target.connection.platform,
            status=PublicationStatus.SCHEDULED,
            phase=Phase.QUEUED,
            scheduled_at=scheduled_at,
            title=target.title,
            description=target.description,
        )
        session.add(publication)
        publications.append(publication)
    await session.flush()
    for publication in publications:
        if scheduled_at:
            record_event(session, publication, EventKind.SCHEDULED, at=scheduled_at.isoformat())
        else:
            record_event(session, publication, EventKind.CREATED)
        outbox.enqueue(publication.id, publication.platform, delay_ms(scheduled_at, now))
    return publications


async def _refuse_live_duplicates(session: AsyncSession, clip: Clip, targets: Sequence[Target]) -> None:
    connection_ids = [t.connection.id for t in targets]
    if len(set(connection_ids)) != len(connection_ids):
        raise PublishRefused("duplicate_target")
    live = await session.scalar(
        select(Publication.platform).where(
            Publication.clip_id == clip.id,
            Publication.connection_id.in_(connection_ids),
            Publication.status.in_(LIVE_STATUSES),
        )
    )
    if live is not None:
        raise PublishRefused("already_live", platform=live.value)


def delay_ms(scheduled_at: datetime | None, now: datetime) -> int:
    if scheduled_at is None:
        return 0
    return max(0, int((scheduled_at - now).total_seconds() * 1000))


async def _transition(
    session: AsyncSession,
    publication: Publication,
    from_status: Sequence[PublicationStatus],
    **values: object,
) -> bool:
    result = await session.execute(
        update(Publication)
        .where(Publication.id == publication.id, Publication.status.in_(from_status))
        .values(updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(publication)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def cancel_publication(session: AsyncSession, outbox: Outbox, publication: Publication) -> None:
    if not await _transition(
        session, publication, [PublicationStatus.SCHEDULED], status=PublicationStatus.CANCELLED
    ):
        if publication.status is PublicationStatus.PUBLISHING:
            raise PublishRefused("already_publishing")
        raise PublishRefused("not_cancellable")
    record_event(session, publication, EventKind.CANCELLED)
    outbox.remove(publication.id, publication.platform)


async def reschedule_publication(
    session: AsyncSession,
    outbox: Outbox,
    settings: Settings,
    publication: Publication,
    scheduled_at: datetime,
) -> None:
    now = utcnow()
    check_schedule(settings, scheduled_at, now)
    if not await _transition(session, publication, [PublicationStatus.SCHEDULED], scheduled_at=scheduled_at):
        raise PublishRefused("not_reschedulable")
    record_event(session, publication, EventKind.RESCHEDULED, at=scheduled_at.isoformat())
    outbox.remove(publication.id, publication.platform)
    outbox.enqueue(publication.id, publication.platform, delay_ms(scheduled_at, now))


async def retry_publication(session: AsyncSession, outbox: Outbox, publication: Publication) -> None:
    """The user asks again. A checkpoint with a platform id is kept (resume, never repost); one
    that only says "the request may have gone out" is dropped: the user has checked and asks anew."""
    checkpoint = publication.checkpoint if "remote_id" in (publication.checkpoint or {}) else {}
    if not await _transition(
        session,
        publication,
        [PublicationStatus.FAILED],
        status=PublicationStatus.SCHEDULED,
        phase=Phase.QUEUED,
        scheduled_at=None,
        attempts=0,
        checkpoint=checkpoint,
        error_code=None,
        error_params=None,
    ):
        raise PublishRefused("not_retryable")
    record_event(session, publication, EventKind.RETRIED)
    # The failed job record still holds this id; drop it so the new job is not a silent duplicate.
    outbox.remove(publication.id, publication.platform)
    outbox.enqueue(publication.id, publication.platform)


async def get_owned_publication(
    session: AsyncSession, user: User, publication_id: uuid.UUID
) -> Publication | None:
    return await session.scalar(
        select(Publication).where(Publication.id == publication_id, Publication.user_id == user.id)
    )
