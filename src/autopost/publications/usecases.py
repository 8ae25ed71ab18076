"""Publishing a clip, and cancelling, rescheduling and retrying its publications.

The database decides every race: each transition is a conditional UPDATE on
the current status, so a cancel and a worker starting the same publication
cannot both win. Queue changes go through the Outbox and happen after commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.clips.models import Clip
from autopost.clips.queries import owned_clip
from autopost.clips.texts import stored_description, stored_title
from autopost.connections.models import Connection
from autopost.connections.queries import owned_connection
from autopost.db import utcnow
from autopost.platforms.catalog import Platform
from autopost.publications.events import EventKind, record_event
from autopost.publications.idempotency import claim_key, request_hash
from autopost.publications.models import (
    TAKEN_STATUSES,
    WAITING_STATUSES,
    Phase,
    Publication,
    PublicationStatus,
)
from autopost.publications.rules import Target, check_schedule, check_target, delay_ms
from autopost.queue import Outbox
from autopost.refusals import Kind, Refused
from autopost.runtime import Runtime
from autopost.security.ratelimit import enforce_limit
from autopost.settings import Settings
from autopost.workspaces.access import Action, Member
from autopost.workspaces.audit import AuditAction, audit


@dataclass(frozen=True)
class TargetChoice:
    """One account the user publishes to; a text left as None is the clip's own."""

    connection_id: uuid.UUID
    title: str | None = None
    description: str | None = None
    # Publish even though the clip is already published to this account.
    again: bool = False


async def publish_clip(
    session: AsyncSession,
    outbox: Outbox,
    runtime: Runtime,
    member: Member,
    clip_id: uuid.UUID,
    targets: Sequence[TargetChoice],
    scheduled_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> list[Publication]:
    """The publish action of the API and the publish dialog: one rate limit, one idempotency rule."""
    settings = runtime.settings
    member.require(Action.EDIT)
    await enforce_limit(
        runtime.redis,
        settings.redis_namespace,
        f"publish:{member.user.id}",
        limit=settings.publish_requests_per_minute,
        window_seconds=60,
    )
    clip = await owned_clip(session, member, clip_id)
    claim = None
    if idempotency_key:
        asked = {"clip": clip_id, "targets": [asdict(t) for t in targets], "scheduled_at": scheduled_at}
        found = await claim_key(session, member, idempotency_key, request_hash(asked))
        if isinstance(found, list):
            return found
        claim = found
    if not targets:
        raise Refused("no_targets")
    chosen = []
    for target in targets:
        # A disconnected account is the workspace's still: refused as "reconnect", not "not found".
        connection = await owned_connection(session, member, target.connection_id, revoked_too=True)
        title = clip.title if target.title is None else target.title
        description = clip.description if target.description is None else target.description
        chosen.append(
            Target(connection, stored_title(title), stored_description(description), again=target.again)
        )
    publications = await create_publications(
        session, outbox, settings, member=member, clip=clip, targets=chosen, scheduled_at=scheduled_at
    )
    if claim is not None:
        claim.publication_ids = [str(p.id) for p in publications]
    # One entry per publish action (the dialog's one press), naming every account it went to.
    audit(
        session,
        member,
        AuditAction.PUBLISHED,
        clip=clip.title,
        clip_id=str(clip.id),
        targets=[
            {"platform": t.connection.platform.value, "account": t.connection.shown_name} for t in chosen
        ],
        scheduled_at=None if scheduled_at is None else scheduled_at.isoformat(),
    )
    return publications


async def create_publications(
    session: AsyncSession,
    outbox: Outbox,
    settings: Settings,
    *,
    member: Member,
    clip: Clip,
    targets: Sequence[Target],
    scheduled_at: datetime | None = None,
    series_id: uuid.UUID | None = None,
) -> list[Publication]:
    """Check every target, then add one publication per target and queue it (after commit); in a
    workspace that approves, one made by a member who may not approve waits for an approver instead."""
    now = utcnow()
    refusals = []
    try:
        check_schedule(settings, scheduled_at, now)
    except Refused as refusal:
        refusals.append(refusal)
    for target in targets:
        try:
            check_target(settings, member.workspace, clip, target)
        except Refused as refusal:
            refusal.about = target.connection.id
            refusals.append(refusal)
    if refusals:
        raise Refused.first_of(refusals)
    platforms = {t.connection.id: t.connection.platform for t in targets}
    if len(platforms) != len(targets):
        raise Refused("duplicate_target")
    awaiting = member.workspace.approval_required and not member.may(Action.APPROVE)
    publications = [
        Publication(
            workspace_id=member.workspace_id,
            created_by_id=member.user.id,
            clip_id=clip.id,
            connection_id=target.connection.id,
            platform=target.connection.platform,
            series_id=series_id,
            generation=await _next_generation(session, clip.id, target.connection.id) if target.again else 0,
            status=PublicationStatus.AWAITING_APPROVAL if awaiting else PublicationStatus.SCHEDULED,
            phase=Phase.QUEUED,
            scheduled_at=scheduled_at,
            title=target.title,
            description=target.description,
        )
        for target in targets
    ]
    # The unique indexes decide: of parallel requests for one clip and account, one inserts.
    try:
        async with session.begin_nested():
            session.add_all(publications)
            await session.flush()
    except IntegrityError:
        raise await _taken(session, clip.id, platforms) from None
    at = {"at": scheduled_at.isoformat()} if scheduled_at else {}
    for publication in publications:
        if awaiting:
            # No job at all until it is approved: nothing in the queue can fire it.
            record_event(session, publication, EventKind.AWAITING_APPROVAL, **at)
            continue
        record_event(session, publication, EventKind.SCHEDULED if scheduled_at else EventKind.CREATED, **at)
        outbox.enqueue(publication.id, publication.platform, delay_ms(scheduled_at, now))
    return publications


async def _next_generation(session: AsyncSession, clip_id: uuid.UUID, connection_id: uuid.UUID) -> int:
    """Publishing again: one past the newest generation taken (two parallel "again"s collide)."""
    newest = await session.scalar(
        select(func.max(Publication.generation)).where(
            Publication.clip_id == clip_id,
            Publication.connection_id == connection_id,
            Publication.status.in_(TAKEN_STATUSES),
        )
    )
    return 0 if newest is None else newest + 1


async def _taken(
    session: AsyncSession, clip_id: uuid.UUID, platforms: Mapping[uuid.UUID, Platform]
) -> Refused:
    """Why the database refused: the clip is already published to one of these accounts, or is
    being published there (also when the winner's row is not visible yet)."""
    published = await session.scalar(
        select(Publication.platform).where(
            Publication.clip_id == clip_id,
            Publication.connection_id.in_(platforms),
            Publication.status == PublicationStatus.PUBLISHED,
        )
    )
    if published is not None:
        return Refused("already_published", Kind.CONFLICT, platform=published.value)
    return Refused("already_live", Kind.CONFLICT, platform=next(iter(platforms.values())).value)


async def owned_publication(
    session: AsyncSession, member: Member, publication_id: uuid.UUID, *, to: Action | None = None
) -> Publication:
    """The workspace's publication, else not_found; with `to`, refused unless the role allows it."""
    publication = await session.scalar(
        select(Publication).where(
            Publication.id == publication_id, Publication.workspace_id == member.workspace_id
        )
    )
    if publication is None:
        raise Refused("not_found", Kind.NOT_FOUND)
    if to is not None:
        member.require(to)
    return publication


async def transition(
    session: AsyncSession,
    publication: Publication,
    from_status: Sequence[PublicationStatus],
    **values: object,
) -> bool:
    """Change the row only while its status is one of `from_status`: of two racing changes, one wins."""
    result = await session.execute(
        update(Publication)
        .where(Publication.id == publication.id, Publication.status.in_(from_status))
        .values(updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(publication)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def cancel(session: AsyncSession, outbox: Outbox, publication: Publication) -> None:
    if not await transition(session, publication, WAITING_STATUSES, status=PublicationStatus.CANCELLED):
        if publication.status is PublicationStatus.PUBLISHING:
            raise Refused("already_publishing", Kind.CONFLICT)
        raise Refused("not_cancellable", Kind.CONFLICT)
    record_event(session, publication, EventKind.CANCELLED)
    outbox.remove(publication.id, publication.platform)


async def cancel_for_connection(session: AsyncSession, outbox: Outbox, connection: Connection) -> int:
    """Cancel the connection's scheduled and awaiting publications (it is being disconnected); returns how many."""
    return await _cancel_scheduled(session, outbox, Publication.connection_id == connection.id, "disconnect")


async def cancel_for_clip(session: AsyncSession, outbox: Outbox, clip: Clip) -> int:
    """Cancel the clip's scheduled and awaiting publications (it is being deleted); returns how many."""
    return await _cancel_scheduled(session, outbox, Publication.clip_id == clip.id, "clip_deleted")


async def scheduled_count(session: AsyncSession, clip: Clip) -> int:
    """How many of the clip's publications are scheduled or awaiting approval: what deleting it cancels."""
    count = await session.scalar(
        select(func.count())
        .select_from(Publication)
        .where(Publication.clip_id == clip.id, Publication.status.in_(WAITING_STATUSES))
    )
    return int(count or 0)


async def _cancel_scheduled(
    session: AsyncSession, outbox: Outbox, which: ColumnElement[bool], by: str
) -> int:
    # Conditional on not started: one a worker has just started is not cancelled behind its back.
    cancelled = (
        (
            await session.execute(
                update(Publication)
                .where(which, Publication.status.in_(WAITING_STATUSES))
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
        record_event(session, publication, EventKind.CANCELLED, by=by)
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
    if not await transition(session, publication, WAITING_STATUSES, scheduled_at=scheduled_at):
        raise Refused("not_reschedulable", Kind.CONFLICT)
    record_event(session, publication, EventKind.RESCHEDULED, at=scheduled_at.isoformat())
    if publication.status is PublicationStatus.AWAITING_APPROVAL:
        return  # still waits for an approver: it has no job to move
    outbox.remove(publication.id, publication.platform)
    outbox.enqueue(publication.id, publication.platform, delay_ms(scheduled_at, now))


async def reschedule_clip(
    session: AsyncSession,
    outbox: Outbox,
    settings: Settings,
    member: Member,
    publication: Publication,
    scheduled_at: datetime,
) -> list[Publication]:
    """Move the clip everywhere: `publication` to `scheduled_at` and the clip's other scheduled
    publications by the same shift, so their offsets stay (VK 18:00, Telegram 19:00 stay an hour
    apart). All move or none; one already publishing or published stays where it happened."""
    member.require(Action.EDIT)
    if publication.status not in WAITING_STATUSES or publication.scheduled_at is None:
        raise Refused("not_reschedulable", Kind.CONFLICT)
    shift = scheduled_at - publication.scheduled_at
    # Locked (PostgreSQL; SQLite's one writer serialises anyway): a worker cannot start one of
    # them between the checks below and the moves.
    siblings = list(
        await session.scalars(
            select(Publication)
            .where(
                Publication.workspace_id == member.workspace_id,
                Publication.clip_id == publication.clip_id,
                Publication.status.in_(WAITING_STATUSES),
                Publication.scheduled_at.is_not(None),
            )
            .order_by(Publication.scheduled_at, Publication.id)
            .with_for_update()
        )
    )
    now = utcnow()
    for sibling in siblings:
        assert sibling.scheduled_at is not None
        check_schedule(settings, sibling.scheduled_at + shift, now)
    async with session.begin_nested():
        for sibling in siblings:
            assert sibling.scheduled_at is not None
            await reschedule(session, outbox, settings, sibling, sibling.scheduled_at + shift)
    return siblings


# The platform's copy of the video failed processing: checking it again can never succeed.
_DEAD_REMOTE_COPY = {f"{platform.value}.processing_failed" for platform in Platform}


def _checkpoint_to_resume(publication: Publication) -> dict[str, object]:
    """A checkpoint with a platform id is kept (resume, never repost), unless the platform's copy
    is dead; one that only says "the request may have gone out" is dropped: the user has checked."""
    checkpoint = dict(publication.checkpoint or {})
    if "remote_id" not in checkpoint or publication.error_code in _DEAD_REMOTE_COPY:
        return {}
    return checkpoint


async def retry(session: AsyncSession, outbox: Outbox, publication: Publication) -> None:
    """The user asks again: the failed publication is scheduled anew, unless the clip has been
    published to that account since (the generation's unique index decides, atomically)."""
    try:
        async with session.begin_nested():
            moved = await transition(
                session,
                publication,
                [PublicationStatus.FAILED],
                status=PublicationStatus.SCHEDULED,
                phase=Phase.QUEUED,
                scheduled_at=None,
                attempts=0,
                checkpoint=_checkpoint_to_resume(publication),
                error_code=None,
                error_params=None,
            )
    except IntegrityError:
        raise await _taken(
            session, publication.clip_id, {publication.connection_id: publication.platform}
        ) from None
    if not moved:
        raise Refused("not_retryable", Kind.CONFLICT)
    record_event(session, publication, EventKind.RETRIED)
    # The failed job record still holds this id; drop it so the new job is not a silent duplicate.
    outbox.remove(publication.id, publication.platform)
    outbox.enqueue(publication.id, publication.platform)
