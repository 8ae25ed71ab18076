"""Publishing a clip, and following, cancelling, retrying and rescheduling publications."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query
from sqlalchemy import select

from autopost.clips.service import get_owned_clip
from autopost.connections.service import get_owned_connection
from autopost.deps import CurrentUser, Reader, RuntimeDep, Work
from autopost.errors import NotFound
from autopost.platforms.catalog import Platform
from autopost.publications import service
from autopost.publications.idempotency import claim_key, request_hash
from autopost.publications.models import Publication, PublicationEvent, PublicationStatus
from autopost.publications.schemas import (
    EventOut,
    PublicationDetailOut,
    PublicationOut,
    PublishIn,
    RescheduleIn,
    StatsPointOut,
)
from autopost.security.ratelimit import enforce_limit
from autopost.stats.models import StatsSnapshot

router = APIRouter(prefix="/api/v1", tags=["publications"])


@router.post("/clips/{clip_id}/publish", status_code=201)
async def publish(
    clip_id: uuid.UUID,
    body: PublishIn,
    user: CurrentUser,
    lang: Reader,
    work: Work,
    runtime: RuntimeDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> list[PublicationOut]:
    await enforce_limit(
        runtime.redis,
        runtime.settings.redis_namespace,
        f"publish:{user.id}",
        limit=runtime.settings.publish_requests_per_minute,
        window_seconds=60,
    )
    clip = await get_owned_clip(work.session, user, clip_id)
    if clip is None:
        raise NotFound()
    claim = None
    if idempotency_key:
        found = await claim_key(
            work.session, user, idempotency_key, request_hash({"clip": clip_id, **body.model_dump()})
        )
        if isinstance(found, list):
            return [PublicationOut.of(p, lang) for p in found]
        claim = found
    targets = []
    for target in body.targets:
        connection = await get_owned_connection(work.session, user, target.connection_id)
        if connection is None:
            raise NotFound()
        title = clip.title if target.title is None else target.title
        description = clip.description if target.description is None else target.description
        targets.append(service.Target(connection, title, description))
    publications = await service.create_publications(
        work.session,
        work.outbox,
        runtime.settings,
        user=user,
        clip=clip,
        targets=targets,
        scheduled_at=body.scheduled_at,
    )
    if claim is not None:
        claim.publication_ids = [str(p.id) for p in publications]
    return [PublicationOut.of(p, lang) for p in publications]


@router.get("/publications")
async def list_publications(
    user: CurrentUser,
    lang: Reader,
    work: Work,
    status: PublicationStatus | None = None,
    platform: Platform | None = None,
    clip_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[PublicationOut]:
    query = select(Publication).where(Publication.user_id == user.id)
    if status:
        query = query.where(Publication.status == status)
    if platform:
        query = query.where(Publication.platform == platform)
    if clip_id:
        query = query.where(Publication.clip_id == clip_id)
    rows = await work.session.scalars(
        query.order_by(Publication.created_at.desc()).limit(limit).offset(offset)
    )
    return [PublicationOut.of(p, lang) for p in rows]


async def _owned(work: Work, user: CurrentUser, publication_id: uuid.UUID) -> Publication:
    publication = await service.get_owned_publication(work.session, user, publication_id)
    if publication is None:
        raise NotFound()
    return publication


@router.get("/publications/{publication_id}")
async def get_publication(
    publication_id: uuid.UUID, user: CurrentUser, lang: Reader, work: Work
) -> PublicationDetailOut:
    publication = await _owned(work, user, publication_id)
    events = await work.session.scalars(
        select(PublicationEvent)
        .where(PublicationEvent.publication_id == publication.id)
        .order_by(PublicationEvent.created_at)
    )
    return PublicationDetailOut(
        **PublicationOut.of(publication, lang).model_dump(), events=[EventOut.of(e, lang) for e in events]
    )


@router.post("/publications/{publication_id}/cancel")
async def cancel(publication_id: uuid.UUID, user: CurrentUser, lang: Reader, work: Work) -> PublicationOut:
    publication = await _owned(work, user, publication_id)
    await service.cancel_publication(work.session, work.outbox, publication)
    return PublicationOut.of(publication, lang)


@router.post("/publications/{publication_id}/retry")
async def retry(publication_id: uuid.UUID, user: CurrentUser, lang: Reader, work: Work) -> PublicationOut:
    publication = await _owned(work, user, publication_id)
    await service.retry_publication(work.session, work.outbox, publication)
    return PublicationOut.of(publication, lang)


@router.patch("/publications/{publication_id}")
async def reschedule(
    publication_id: uuid.UUID,
    body: RescheduleIn,
    user: CurrentUser,
    lang: Reader,
    work: Work,
    runtime: RuntimeDep,
) -> PublicationOut:
    publication = await _owned(work, user, publication_id)
    await service.reschedule_publication(
        work.session, work.outbox, runtime.settings, publication, body.scheduled_at
    )
    return PublicationOut.of(publication, lang)


@router.get("/publications/{publication_id}/stats")
async def stats(publication_id: uuid.UUID, user: CurrentUser, work: Work) -> list[StatsPointOut]:
    publication = await _owned(work, user, publication_id)
    rows = await work.session.scalars(
        select(StatsSnapshot)
        .where(StatsSnapshot.publication_id == publication.id)
        .order_by(StatsSnapshot.taken_at)
    )
    return [StatsPointOut.of(s) for s in rows]
