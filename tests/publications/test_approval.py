"""Approval against the sandbox: an editor's publication waits and nothing fires it (not its time,
not the sweeper, not a stray job) until an approver approves; then it goes out exactly once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from autopost.alerts.models import Alert
from autopost.clips.models import Clip
from autopost.connections.models import Connection
from autopost.db import transaction, utcnow
from autopost.platforms.catalog import Platform
from autopost.publications import bulk
from autopost.publications.approval import approve, reject
from autopost.publications.models import Publication, PublicationStatus
from autopost.publications.rules import Target
from autopost.publications.sweeper import sweep_publications
from autopost.publications.usecases import create_publications, reschedule_clip
from autopost.refusals import Kind, Refused
from autopost.users.models import User
from autopost.workspaces.access import Member, resolve_member
from autopost.workspaces.audit import AuditEntry
from autopost.workspaces.models import Membership, Role, Workspace
from tests.publications.checks import assert_published_once
from tests.support.stack import Stack, later


async def _team(stack: Stack) -> tuple[User, User]:
    """Approval on in the stack user's workspace, with an editor and an approver beside its owner."""
    editor, approver = await stack.world.new_user(), await stack.world.new_user()
    async with transaction(stack.runtime.session_factory) as session:
        workspace = await session.get(Workspace, stack.user.id)
        assert workspace is not None
        workspace.approval_required = True
        for user, role in ((editor, Role.EDITOR), (approver, Role.APPROVER)):
            session.add(Membership(workspace_id=workspace.id, user_id=user.id, role=role))
    return editor, approver


async def _member(session, user: User, stack: Stack) -> Member:  # type: ignore[no-untyped-def]
    return await resolve_member(session, await session.merge(user), stack.user.id)


async def _publish_as(
    stack: Stack, user: User, connection: Connection, at: datetime | None = None, clip: Clip | None = None
) -> uuid.UUID:
    async with stack.work() as (session, outbox):
        [publication] = await create_publications(
            session,
            outbox,
            stack.settings,
            member=await _member(session, user, stack),
            clip=await session.merge(clip or stack.clip),
            targets=[Target(connection, "На согласование", "")],
            scheduled_at=at,
        )
    return publication.id


async def _approve(stack: Stack, user: User, publication_id: uuid.UUID, **choice: object) -> Publication:
    async with stack.work() as (session, outbox):
        member = await _member(session, user, stack)
        return await approve(session, outbox, stack.runtime, member, publication_id, **choice)  # type: ignore[arg-type]


async def _alerts(stack: Stack, publication_id: uuid.UUID) -> list[tuple[str, dict[str, object]]]:
    async with transaction(stack.runtime.session_factory) as session:
        rows = await session.scalars(
            select(Alert).where(Alert.subject_id == publication_id).order_by(Alert.created_at)
        )
        return [(alert.kind, alert.data) for alert in rows]


async def _until_job_done(stack: Stack, publication_id: uuid.UUID) -> None:
    while await stack.runtime.queues.job_state(publication_id, Platform.TELEGRAM) != "completed":
        await asyncio.sleep(0.1)


async def test_an_awaiting_publication_never_fires_until_approved_then_exactly_once(stack: Stack) -> None:
    editor, approver = await _team(stack)
    telegram = await stack.connect(Platform.TELEGRAM)
    publication_id = await _publish_as(stack, editor, telegram, at=later(3600))
    waiting = await stack.publication(publication_id)
    assert waiting.status is PublicationStatus.AWAITING_APPROVAL
    assert await stack.event_kinds(publication_id) == ["awaiting_approval"]
    assert [kind for kind, _ in await _alerts(stack, publication_id)] == ["approval.requested"]
    assert await stack.runtime.queues.job_state(publication_id, Platform.TELEGRAM) == "unknown"

    await stack.start_worker()
    # Its time passes (moved into the past, row old enough for the sweeper to look at it) ...
    async with transaction(stack.runtime.session_factory) as session:
        await session.execute(
            update(Publication)
            .where(Publication.id == publication_id)
            .values(scheduled_at=utcnow() - timedelta(minutes=5), updated_at=utcnow() - timedelta(minutes=5))
        )
    await sweep_publications(stack.runtime)
    # Other tests' publications share the database: what counts is that this one got no job.
    assert await stack.runtime.queues.job_state(publication_id, Platform.TELEGRAM) == "unknown"
    # ... and even a job for it (a stray duplicate) finds nothing to do.
    await stack.runtime.queues.enqueue_publication(publication_id, Platform.TELEGRAM)
    await asyncio.wait_for(_until_job_done(stack, publication_id), 30)
    assert (await stack.publication(publication_id)).status is PublicationStatus.AWAITING_APPROVAL
    assert await stack.posts(Platform.TELEGRAM) == []

    # Approved after its time: the approver is asked to choose, then it is published at once.
    with pytest.raises(Refused, match="approval_time_passed") as asked:
        await _approve(stack, approver, publication_id)
    assert asked.value.kind is Kind.CONFLICT
    await stack.runtime.queues.remove_publication(publication_id, Platform.TELEGRAM)
    approved = await _approve(stack, approver, publication_id, publish_now=True)
    assert (approved.status, approved.scheduled_at) == (PublicationStatus.SCHEDULED, None)
    published = await stack.wait_for(publication_id)
    await assert_published_once(stack, published)
    await sweep_publications(stack.runtime)
    assert len(await stack.posts(Platform.TELEGRAM)) == 1
    kinds = await stack.event_kinds(publication_id)
    assert kinds[:2] == ["awaiting_approval", "approved"] and kinds.count("published") == 1
    events = await stack.events(publication_id)
    assert events[1].data == {"approver": approver.email, "approver_id": str(approver.id)}
    decided = [data for kind, data in await _alerts(stack, publication_id) if kind == "approval.decided"]
    assert [d["decision"] for d in decided] == ["approved"]
    async with transaction(stack.runtime.session_factory) as session:
        entries = list(await session.scalars(select(AuditEntry).where(AuditEntry.actor_id == approver.id)))
    assert [(e.action, e.actor_email, e.data) for e in entries] == [
        ("approved", approver.email, {"publication_id": str(publication_id)})
    ]


async def test_approved_ahead_of_time_it_waits_for_that_time_or_for_a_new_one(
    stack: Stack, stack_clip_file: Path
) -> None:
    editor, approver = await _team(stack)
    telegram = await stack.connect(Platform.TELEGRAM)
    first_time = later(3600)
    kept_id = await _publish_as(stack, editor, telegram, at=first_time)
    kept = await _approve(stack, approver, kept_id)
    assert (kept.status, kept.scheduled_at) == (PublicationStatus.SCHEDULED, first_time)
    assert (await stack.events(kept_id))[-1].data["at"] == first_time.isoformat()
    assert await stack.runtime.queues.job_state(kept_id, Platform.TELEGRAM) == "delayed"
    with pytest.raises(Refused, match="not_awaiting_approval"):
        await _approve(stack, approver, kept_id)

    # A new time chosen by the approver: it fires then, once.
    moved_id = await _publish_as(
        stack, editor, telegram, at=later(3600), clip=await stack.add_clip(stack_clip_file)
    )
    with pytest.raises(Refused, match="approval_choice_twice"):
        await _approve(stack, approver, moved_id, when=later(60), publish_now=True)
    await stack.start_worker()
    new_time = later(1)
    moved = await _approve(stack, approver, moved_id, when=new_time)
    assert (moved.status, moved.scheduled_at) == (PublicationStatus.SCHEDULED, new_time)
    published = await stack.wait_for(moved_id)
    assert published.status is PublicationStatus.PUBLISHED
    assert published.published_at is not None and published.published_at >= new_time - timedelta(seconds=1)
    assert [p["remote_id"] for p in await stack.posts(Platform.TELEGRAM)] == [published.remote_id]
    await stack.cancel(kept_id)


async def test_rejected_with_a_comment_it_is_cancelled_and_the_history_says_who_and_why(
    stack: Stack,
) -> None:
    editor, approver = await _team(stack)
    publication_id = await _publish_as(stack, editor, await stack.connect(Platform.TELEGRAM))
    async with stack.work() as (session, _):
        member = await _member(session, approver, stack)
        with pytest.raises(Refused, match="rejection_comment_missing"):
            await reject(session, member, publication_id, "   ")
    async with stack.work() as (session, _):
        rejected = await reject(
            session, await _member(session, approver, stack), publication_id, "Опечатка в заголовке"
        )
    assert rejected.status is PublicationStatus.CANCELLED
    events = await stack.events(publication_id)
    assert [e.kind for e in events] == ["awaiting_approval", "rejected"]
    assert events[1].data == {
        "approver": approver.email,
        "approver_id": str(approver.id),
        "comment": "Опечатка в заголовке",
    }
    decided = [data for kind, data in await _alerts(stack, publication_id) if kind == "approval.decided"]
    assert decided[0]["decision"] == "rejected" and decided[0]["comment"] == "Опечатка в заголовке"
    async with transaction(stack.runtime.session_factory) as session:
        entries = list(await session.scalars(select(AuditEntry).where(AuditEntry.actor_id == approver.id)))
    assert [(e.action, e.data["publication_id"]) for e in entries] == [("rejected", str(publication_id))]
    async with stack.work() as (session, _):
        with pytest.raises(Refused, match="not_awaiting_approval"):
            await reject(session, await _member(session, approver, stack), publication_id, "Ещё раз")


async def test_owners_publications_do_not_wait_and_editors_may_not_approve(stack: Stack) -> None:
    editor, _ = await _team(stack)
    telegram = await stack.connect(Platform.TELEGRAM)
    [own] = await stack.publish(telegram, at=later(3600))
    assert (await stack.publication(own)).status is PublicationStatus.SCHEDULED
    await stack.cancel(own)
    waiting = await _publish_as(stack, editor, telegram, at=later(3600))
    with pytest.raises(Refused, match="role_forbids") as forbidden:
        await _approve(stack, editor, waiting)
    assert forbidden.value.kind is Kind.FORBIDDEN
    # Live like a scheduled one: the clip cannot be sent to that account a second time meanwhile.
    with pytest.raises(Refused, match="already_live"):
        await _publish_as(stack, editor, telegram)
    # The owner may approve what waits.
    approved = await _approve(stack, stack.user, waiting)
    assert approved.status is PublicationStatus.SCHEDULED


async def test_clip_wide_moves_and_cancels_take_the_publications_awaiting_approval(stack: Stack) -> None:
    """Bulk «Перенести везде» / «Отменить везде» and the calendar's whole-clip move act on waiting ones too."""
    editor, _ = await _team(stack)
    telegram, vk = await stack.connect(Platform.TELEGRAM), await stack.connect(Platform.VK)
    at = later(2 * 3600)
    first = await _publish_as(stack, editor, telegram, at=at)
    second = await _publish_as(stack, editor, vk, at=at + timedelta(hours=1))
    assert (await stack.publication(first)).status is PublicationStatus.AWAITING_APPROVAL

    async with stack.work() as (session, outbox):
        member = await _member(session, editor, stack)
        publication = await session.get_one(Publication, first)
        moved = await reschedule_clip(
            session, outbox, stack.settings, member, publication, at + timedelta(hours=3)
        )
    assert {p.id for p in moved} == {first, second}
    shifted = [await stack.publication(i) for i in (first, second)]
    assert all(p.status is PublicationStatus.AWAITING_APPROVAL for p in shifted)
    assert shifted[1].scheduled_at - shifted[0].scheduled_at == timedelta(hours=1)  # type: ignore[operator]

    async with stack.work() as (session, outbox):
        member = await _member(session, editor, stack)
        assert await bulk.live_count(session, member, [stack.clip.id]) == 2
        cancelled = await bulk.cancel_clip(session, outbox, member, stack.clip.id)
    assert {p.id for p in cancelled} == {first, second}
    assert {(await stack.publication(i)).status for i in (first, second)} == {PublicationStatus.CANCELLED}
