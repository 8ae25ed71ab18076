"""The history of a publication as users read it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from autopost.publications.models import Publication, PublicationEvent


class EventKind:
    CREATED = "created"
    SCHEDULED = "scheduled"
    RESCHEDULED = "rescheduled"
    STARTED = "started"
    UPLOADING = "uploading"
    UPLOADED = "uploaded"
    PROCESSING = "processing"
    PUBLISHED = "published"
    RATE_LIMITED = "rate_limited"
    RETRY_SCHEDULED = "retry_scheduled"
    TOKEN_REFRESHED = "token_refreshed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    RETRIED = "retried"
    REQUEUED = "requeued"


def record_event(session: AsyncSession, publication: Publication, kind: str, **data: Any) -> PublicationEvent:
    """Add one history entry: its kind and parameters (its text is rendered from them per reader).

    `data` must hold no secrets (it is shown in the API).
    """
    event = PublicationEvent(publication_id=publication.id, kind=kind, message="", data=data)
    session.add(event)
    return event
