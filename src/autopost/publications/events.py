"""The history of a publication as users read it: kinds and parameters, rendered per reader."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from autopost.alerts.announce import announce
from autopost.alerts.models import AlertKind
from autopost.i18n import render
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
    # Approval: asked for when an editor publishes; decided by an approver (who, and why not).
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    REJECTED = "rejected"


def record_event(
    session: AsyncSession, publication: Publication, kind: str, **params: Any
) -> PublicationEvent:
    """Add one history entry; `params` must hold no secrets (they are shown in the API).

    Conventions the text relies on: `code` + `params` (a failure, rendered as the reason),
    `by` (what caused it: `cancelled` with by="disconnect"), `attempt` (started), `approver`
    (who approved or rejected; `rejected` also carries the `comment`).
    """
    event = PublicationEvent(publication_id=publication.id, kind=kind, data=params)
    session.add(event)
    if kind in _ALERTED:
        _announce_outcome(session, publication, event, _ALERTED[kind], params)
    return event


# The outcomes people and webhooks hear of (retries on the way there are not alerts), and the
# approval steps someone must act on or learn of.
_ALERTED = {
    EventKind.PUBLISHED: AlertKind.PUBLICATION_PUBLISHED,
    EventKind.FAILED: AlertKind.PUBLICATION_FAILED,
    EventKind.CANCELLED: AlertKind.PUBLICATION_CANCELLED,
    EventKind.AWAITING_APPROVAL: AlertKind.APPROVAL_REQUESTED,
    EventKind.APPROVED: AlertKind.APPROVAL_DECIDED,
    EventKind.REJECTED: AlertKind.APPROVAL_DECIDED,
}


def _announce_outcome(
    session: AsyncSession,
    publication: Publication,
    event: PublicationEvent,
    kind: AlertKind,
    params: Mapping[str, Any],
) -> None:
    # The job records an outcome once (its claim is a conditional UPDATE), so the outcome's event
    # names it: one failure is one alert however many retries led up to it.
    decision = {"decision": event.kind} if kind is AlertKind.APPROVAL_DECIDED else {}
    announce(
        session,
        publication.workspace_id,
        kind,
        subject_id=publication.id,
        dedup_key=str(event.id),
        publication_id=str(publication.id),
        clip_id=str(publication.clip_id),
        connection_id=str(publication.connection_id),
        platform=publication.platform.value,
        **decision,
        **params,
    )


def event_text(kind: str, data: Mapping[str, Any] | None, lang: str) -> str:
    """What an event says to a reader of `lang`.

    Rows written before events were codes keep their sentence as `legacy_text` (migration 0003).
    """
    values = dict(data or {})
    if "legacy_text" in values:
        return str(values["legacy_text"])
    code = f"event.{kind}.{values['by']}" if "by" in values else f"event.{kind}"
    if "code" in values:
        values["reason"] = render(str(values["code"]), lang, **(values.get("params") or {}))
    values.pop("code", None)
    values.pop("params", None)
    return render(code, lang, **values)
