"""What the API takes and says about publications."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field

from autopost.clips.texts import DESCRIPTION_MAX, TITLE_MAX
from autopost.platforms.catalog import Platform, PostFormat
from autopost.publications.approval import COMMENT_MAX
from autopost.publications.events import event_text
from autopost.publications.models import (
    Phase,
    Publication,
    PublicationEvent,
    PublicationStatus,
    publication_error,
)
from autopost.publications.rules import refuse_expanded_year
from autopost.stats.models import StatsSnapshot

# Refused from inside parsing (the refusal passes through pydantic): its own code, not a generic 422.
ScheduledAt = Annotated[datetime, BeforeValidator(refuse_expanded_year)]


class TargetIn(BaseModel):
    connection_id: uuid.UUID
    # Caps documented here, refused by publish_clip with their own codes (as the pages are).
    title: str | None = Field(default=None, json_schema_extra={"maxLength": TITLE_MAX})
    description: str | None = Field(default=None, json_schema_extra={"maxLength": DESCRIPTION_MAX})
    # The clip is already published to this account and the user wants it there once more.
    again: bool = False


class PublishIn(BaseModel):
    targets: list[TargetIn] = Field(min_length=1, max_length=20)
    # With its offset, e.g. 2026-11-25T18:30:00+03:00; omitted: publish now.
    scheduled_at: ScheduledAt | None = None


class RescheduleIn(BaseModel):
    scheduled_at: ScheduledAt


class ApproveIn(BaseModel):
    # Both left out: at its own time, if that is still ahead; else refused as approval_time_passed,
    # and the approver chooses one of these.
    scheduled_at: ScheduledAt | None = None
    publish_now: bool = False


class RejectIn(BaseModel):
    # Why, for the editor (shown in the history); at most COMMENT_MAX, refused with its own code.
    comment: str = Field(json_schema_extra={"maxLength": COMMENT_MAX})


class EventOut(BaseModel):
    kind: str
    # Rendered from kind + data in the reader's language.
    message: str
    created_at: datetime
    data: dict[str, Any]

    @classmethod
    def of(cls, event: PublicationEvent, lang: str) -> EventOut:
        data = event.data or {}
        return cls(
            kind=event.kind,
            message=event_text(event.kind, data, lang),
            created_at=event.created_at,
            data=data,
        )


class PublicationOut(BaseModel):
    id: uuid.UUID
    clip_id: uuid.UUID
    connection_id: uuid.UUID
    platform: Platform
    # The series it was planned in (POST /api/v1/series), else null.
    series_id: uuid.UUID | None
    status: PublicationStatus
    phase: Phase
    progress: int
    scheduled_at: datetime | None
    attempts: int
    title: str
    description: str
    remote_id: str | None
    remote_url: str | None
    # VK: "clip" (the Clips section) or "video" (VK Video); null where a platform has one kind.
    format: PostFormat | None
    error_code: str | None
    error_params: dict[str, Any] | None
    # Rendered from error_code + error_params in the reader's language.
    error_message: str | None
    published_at: datetime | None
    views: int | None
    likes: int | None
    shares: int | None
    comments: int | None
    last_stats_sync_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, publication: Publication, lang: str) -> PublicationOut:
        return cls.model_validate(
            {
                **{name: getattr(publication, name) for name in cls.model_fields if name != "error_message"},
                "error_message": publication_error(publication, lang),
            }
        )


class PublicationDetailOut(PublicationOut):
    events: list[EventOut]


class StatsPointOut(BaseModel):
    taken_at: datetime
    views: int | None
    likes: int | None
    shares: int | None
    comments: int | None

    @classmethod
    def of(cls, snapshot: StatsSnapshot) -> StatsPointOut:
        return cls.model_validate(snapshot, from_attributes=True)
