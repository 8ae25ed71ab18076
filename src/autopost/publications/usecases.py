"""Publishing a clip, and cancelling, rescheduling and retrying its publications.

The database decides every race: each transition is a conditional UPDATE on
the current status, so a cancel and a worker starting the same publication
cannot both win. Queue changes go through the Outbox and happen after commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.clips.models import Clip
from autopost.clips.queries import owned_clip
from autopost.clips.texts import stored_description, stored_title
from autopost.connections.models import Connection
from autopost.connections.queries import owned_connection
from autopost.db import utcnow
from autopost.publications.events import EventKind, record_event
from autopost.publications.idempotency import claim_key, request_hash
from autopost.publications.models import LIVE_STATUSES, Phase, Publication, PublicationStatus
from autopost.publications.rules import Target, check_schedule, check_target, delay_ms
from autopost.queue import Outbox
from autopost.refusals import Kind, Refused
from autopost.runtime import Runtime
from autopost.security.ratelimit import enforce_limit
from autopost.settings import Settings
from autopost.users.models import User


@dataclass(frozen=True)
class TargetChoice:
    """One account the user publishes to; a text left as None is the clip's own."""

    connection_id: uuid.UUID
    title: str | None = None
    description: str | None = None


async def publish_clip(
    session: AsyncSession,
    outbox: Outbox,
    runtime: Runtime,
    user: User,
    clip_id: uuid.UUID,
    targets: Sequence[TargetChoice],
    scheduled_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> list[Publication]:
    """The publish action of the API and the publish dialog: one rate limit, one idempotency rule."""
    settings = runtime.settings
    await enforce_limit(
        runtime.redis,
        settings.redis_namespace,
        f"publish:{user.id}",
        limit=settings.publish_requests_per_minute,
        window_seconds=60,
    )
    clip = await owned_clip(session, user, clip_id)
    claim = None
    if idempotency_key:
        asked = {"clip": clip_id, "targets": [asdict(t) for t in targets], "scheduled_at": scheduled_at}
        found = await claim_key(session, user, idempotency_key, request_hash(asked))
        if isinstance(found, list):
            return found
        claim = found
    if not targets:
        raise Refused("no_targets")
    chosen = []
    for target in targets:
        # A disconnected account is the user's own still: refused as "reconnect", not "not found".
        connection = await owned_connection(session, user, target.connection_id, revoked_too=True)
        title = clip.title if target.title is None else target.title
        description = clip.description if target.description is None else target.description
        chosen.append(Target(connection, stored_title(title), stored_description(description)))
    publications = await create_publications(
        session, outbox, settings, user=user, clip=clip, targets=chosen, scheduled_at=scheduled_at
    )
    if claim is not None:
        claim.publication_ids = [str(p.id) for p in publications]
    return publications


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
    """Check every target, then add one publication per target and queue it (after commit)."""
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
        raise Refused("duplicate_target")
    live = await session.scalar(
        select(Publication.platform).where(
            Publication.clip_id == clip.id,
            Publication.connection_id.in_(connection_ids),
            Publication.status.in_(LIVE_STATUSES),
        )
    )
    if live is not None:
        raise Refused("already_live", Kind.CONFLICT, platform=live.value)


async def owned_publication(session: AsyncSession, user: User, publication_id: uuid.UUID) -> Publication:
    """The user's publication, else not_found."""
    publication = await session.scalar(
        select(Publication).where(Publication.id == publication_id, Publication.user_id == user.id)
    )
    if publication is None:
        raise Refused("not_found", Kind.NOT_FOUND)
    return publication


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


async def cancel(session: AsyncSession, outbox: Outbox, publication: Publication) -> None:
    if not await _transition(
        session, publication, [PublicationStatus.SCHEDULED], status=PublicationStatus.CANCELLED
    ):
        if publication.status is PublicationStatus.PUBLISHING:
            raise Refused("already_publishing", Kind.CONFLICT)
        raise Refused("not_cancellable", Kind.CONFLICT)
    record_event(session, publication, EventKind.CANCELLED)
    outbox.remove(publication.id, publication.platform)


async def cancel_for_connection(session: AsyncSession, outbox: Outbox, connection: Connection) -> int:
    """Cancel the connection's scheduled publications (it is being disconnected); returns how many."""
    # Conditional on `scheduled`: one a worker has just started is not cancelled behind its back.
    cancelled = (
        (
            await session.execute(
                update(Publication)
                .where(
                    Publication.connection_id == connection.id,
                    Publication.status == PublicationStatus.SCHEDULED,
                )
                .values(status=PublicationStatus.CANCELLED, updated_at=utcnow())
                .returning(Publication.id)
                .execution_options(synchronize_session=False)
            )
        )
        .scalars()
        .all()
    )
    for publication_id in cancelled:
        publication = await session.get(Publication, publication_id)
        assert publication is not None
        record_event(session, publication, EventKind.CANCELLED, by="disconnect")
        outbox.remove(publication.id, publication.platform)
    return len(cancelled)


async def reschedule(
    session: AsyncSession,
    outbox: Outbox,
    settings: Settings,
    publication: Publication,
    scheduled_at: datetime,
) -> None:
    now = utcnow()
    check_schedule(settings, scheduled_at, now)
    if not await _transition(session, publication, [PublicationStatus.SCHEDULED], scheduled_at=scheduled_at):
        raise Refused("not_reschedulable", Kind.CONFLICT)
    record_event(session, publication, EventKind.RESCHEDULED, at=scheduled_at.isoformat())
    outbox.remove(publication.id, publication.platform)
    outbox.enqueue(publication.id, publication.platform, delay_ms(scheduled_at, now))


async def retry(session: AsyncSession, outbox: Outbox, publication: Publication) -> None:
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
        raise Refused("not_retryable", Kind.CONFLICT)
    record_event(session, publication, EventKind.RETRIED)
    # The failed job record still holds this id; drop it so the new job is not a silent duplicate.
    outbox.remove(publication.id, publication.platform)
    outbox.enqueue(publication.id, publication.platform)
