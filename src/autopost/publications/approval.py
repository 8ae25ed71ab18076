"""Approving or rejecting an editor's publication in a workspace that approves what goes out.

An awaiting publication has no job: approving it is what queues it. When its
time has passed by then (or it had none: it was to go out at once), the
approver is asked to choose, publish now or a new time, rather than have a
stale post go out by surprise.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from autopost.db import utcnow
from autopost.publications.events import EventKind, record_event
from autopost.publications.models import Publication, PublicationStatus
from autopost.publications.rules import check_schedule, delay_ms
from autopost.publications.usecases import owned_publication, transition
from autopost.queue import Outbox
from autopost.refusals import Kind, Refused
from autopost.runtime import Runtime
from autopost.workspaces.access import Action, Member
from autopost.workspaces.audit import AuditAction, audit

COMMENT_MAX = 1000


def approval_time(
    publication: Publication, now: datetime, *, when: datetime | None, publish_now: bool
) -> datetime | None:
    """When the approved publication goes out (None: at once), or approval_time_passed to ask."""
    if when is not None and publish_now:
        raise Refused("approval_choice_twice")
    if publish_now:
        return None
    if when is not None:
        return when
    if publication.scheduled_at is not None and publication.scheduled_at > now:
        return publication.scheduled_at
    raise Refused("approval_time_passed", Kind.CONFLICT)


async def approve(
    session: AsyncSession,
    outbox: Outbox,
    runtime: Runtime,
    member: Member,
    publication_id: uuid.UUID,
    *,
    when: datetime | None = None,
    publish_now: bool = False,
) -> Publication:
    """Let the publication go out at its time, or at the approver's choice (`when` / `publish_now`)."""
    publication = await owned_publication(session, member, publication_id, to=Action.APPROVE)
    if publication.status is not PublicationStatus.AWAITING_APPROVAL:
        raise Refused("not_awaiting_approval", Kind.CONFLICT)
    now = utcnow()
    scheduled_at = approval_time(publication, now, when=when, publish_now=publish_now)
    if when is not None:
        check_schedule(runtime.settings, when, now)
    # Conditional on still awaiting: a reject, cancel or second approval racing this one loses.
    if not await transition(
        session,
        publication,
        [PublicationStatus.AWAITING_APPROVAL],
        status=PublicationStatus.SCHEDULED,
        scheduled_at=scheduled_at,
    ):
        raise Refused("not_awaiting_approval", Kind.CONFLICT)
    at = {"at": scheduled_at.isoformat()} if scheduled_at else {}
    record_event(session, publication, EventKind.APPROVED, **_approver(member), **at)
    audit(session, member, AuditAction.APPROVED, publication_id=str(publication.id), **at)
    outbox.enqueue(publication.id, publication.platform, delay_ms(scheduled_at, now))
    return publication


async def reject(
    session: AsyncSession, member: Member, publication_id: uuid.UUID, comment: str
) -> Publication:
    """Cancel the awaiting publication, saying why; it had no job, so there is nothing to dequeue."""
    publication = await owned_publication(session, member, publication_id, to=Action.APPROVE)
    comment = comment.strip()
    if not comment:
        raise Refused("rejection_comment_missing")
    if len(comment) > COMMENT_MAX:
        raise Refused("rejection_comment_too_long", limit=COMMENT_MAX)
    if not await transition(
        session, publication, [PublicationStatus.AWAITING_APPROVAL], status=PublicationStatus.CANCELLED
    ):
        raise Refused("not_awaiting_approval", Kind.CONFLICT)
    record_event(session, publication, EventKind.REJECTED, **_approver(member), comment=comment)
    audit(session, member, AuditAction.REJECTED, publication_id=str(publication.id), comment=comment)
    return publication


def _approver(member: Member) -> dict[str, str]:
    # The address as well as the id: the history still names them after they leave the workspace.
    return {"approver": member.user.email, "approver_id": str(member.user.id)}
