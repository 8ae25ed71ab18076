"""Publishing a clip, and following, cancelling, retrying and rescheduling publications."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query

from autopost.deps import CurrentMember, Reader, RuntimeDep, Work
from autopost.platforms.catalog import Platform
from autopost.publications import approval, bulk, queries, usecases
from autopost.publications.models import PublicationStatus
from autopost.publications.schemas import (
    ApproveIn,
    EventOut,
    PublicationDetailOut,
    PublicationOut,
    PublishIn,
    RejectIn,
    RescheduleIn,
    StatsPointOut,
)
from autopost.publications.usecases import TargetChoice, owned_publication
from autopost.workspaces.access import Action

router = APIRouter(prefix="/api/v1", tags=["publications"])


@router.post("/clips/{clip_id}/publish", status_code=201)
async def publish(
    clip_id: uuid.UUID,
    body: PublishIn,
    member: CurrentMember,
    lang: Reader,
    work: Work,
    runtime: RuntimeDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> list[PublicationOut]:
    targets = [TargetChoice(t.connection_id, t.title, t.description, t.again) for t in body.targets]
    publications = await usecases.publish_clip(
        work.session, work.outbox, runtime, member, clip_id, targets, body.scheduled_at, idempotency_key
    )
    return [PublicationOut.of(p, lang) for p in publications]


@router.post("/clips/{clip_id}/reschedule")
async def reschedule_clip(
    clip_id: uuid.UUID,
    body: RescheduleIn,
    member: CurrentMember,
    lang: Reader,
    work: Work,
    runtime: RuntimeDep,
) -> list[PublicationOut]:
    """Every scheduled publication of the clip to the new time; answers with those moved."""
    moved = await bulk.reschedule_clip(
        work.session, work.outbox, runtime.settings, member, clip_id, body.scheduled_at
    )
    return [PublicationOut.of(p, lang) for p in moved]


@router.post("/clips/{clip_id}/cancel")
async def cancel_clip(
    clip_id: uuid.UUID, member: CurrentMember, lang: Reader, work: Work
) -> list[PublicationOut]:
    """Every scheduled publication of the clip cancelled; answers with those cancelled."""
    cancelled = await bulk.cancel_clip(work.session, work.outbox, member, clip_id)
    return [PublicationOut.of(p, lang) for p in cancelled]


@router.post("/clips/{clip_id}/retry")
async def retry_clip(
    clip_id: uuid.UUID, member: CurrentMember, lang: Reader, work: Work
) -> list[PublicationOut]:
    """Every failed publication of the clip queued again; answers with those queued."""
    retried = await bulk.retry_clip(work.session, work.outbox, member, clip_id)
    return [PublicationOut.of(p, lang) for p in retried]


@router.get("/publications")
async def list_publications(
    member: CurrentMember,
    lang: Reader,
    work: Work,
    status: PublicationStatus | None = None,
    platform: Platform | None = None,
    clip_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[PublicationOut]:
    asked = queries.PublicationQuery(status, platform, clip_id, limit, offset)
    return [PublicationOut.of(p, lang) for p in await queries.list_publications(work.session, member, asked)]


@router.get("/publications/{publication_id}")
async def get_publication(
    publication_id: uuid.UUID, member: CurrentMember, lang: Reader, work: Work
) -> PublicationDetailOut:
    publication = await owned_publication(work.session, member, publication_id)
    events = [EventOut.of(e, lang) for e in await queries.events_of(work.session, publication)]
    return PublicationDetailOut(**PublicationOut.of(publication, lang).model_dump(), events=events)


@router.post("/publications/{publication_id}/cancel")
async def cancel(
    publication_id: uuid.UUID, member: CurrentMember, lang: Reader, work: Work
) -> PublicationOut:
    publication = await owned_publication(work.session, member, publication_id, to=Action.EDIT)
    await usecases.cancel(work.session, work.outbox, publication)
    return PublicationOut.of(publication, lang)


@router.post("/publications/{publication_id}/retry")
async def retry(publication_id: uuid.UUID, member: CurrentMember, lang: Reader, work: Work) -> PublicationOut:
    publication = await owned_publication(work.session, member, publication_id, to=Action.EDIT)
    await usecases.retry(work.session, work.outbox, publication)
    return PublicationOut.of(publication, lang)


@router.patch("/publications/{publication_id}")
async def reschedule(
    publication_id: uuid.UUID,
    body: RescheduleIn,
    member: CurrentMember,
    lang: Reader,
    work: Work,
    runtime: RuntimeDep,
) -> PublicationOut:
    publication = await owned_publication(work.session, member, publication_id, to=Action.EDIT)
    await usecases.reschedule(work.session, work.outbox, runtime.settings, publication, body.scheduled_at)
    return PublicationOut.of(publication, lang)


@router.post("/publications/{publication_id}/approve")
async def approve(
    publication_id: uuid.UUID,
    member: CurrentMember,
    lang: Reader,
    work: Work,
    runtime: RuntimeDep,
    body: ApproveIn | None = None,
) -> PublicationOut:
    chosen = body or ApproveIn()
    publication = await approval.approve(
        work.session,
        work.outbox,
        runtime,
        member,
        publication_id,
        when=chosen.scheduled_at,
        publish_now=chosen.publish_now,
    )
    return PublicationOut.of(publication, lang)


@router.post("/publications/{publication_id}/reject")
async def reject(
    publication_id: uuid.UUID, body: RejectIn, member: CurrentMember, lang: Reader, work: Work
) -> PublicationOut:
    publication = await approval.reject(work.session, member, publication_id, body.comment)
    return PublicationOut.of(publication, lang)


@router.get("/publications/{publication_id}/stats")
async def stats(publication_id: uuid.UUID, member: CurrentMember, work: Work) -> list[StatsPointOut]:
    publication = await owned_publication(work.session, member, publication_id)
    return [StatsPointOut.of(s) for s in await queries.stats_of(work.session, publication)]
