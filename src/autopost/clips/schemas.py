"""What the API takes and says about clips."""

from __future__ import annotations

import uuid
from datetime import datetime
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, field_validator

from autopost.clips.models import Clip, ClipStatus
from autopost.clips.texts import DESCRIPTION_MAX, TITLE_MAX


class ClipFromUrlIn(BaseModel):
    source_url: str = Field(max_length=4000)
    # Caps documented here, refused by the use case (its own code, as for an upload).
    title: str = Field(default="", json_schema_extra={"maxLength": TITLE_MAX})
    description: str = Field(default="", json_schema_extra={"maxLength": DESCRIPTION_MAX})

    @field_validator("source_url")
    @classmethod
    def _http_only(cls, value: str) -> str:
        if urlsplit(value).scheme not in ("http", "https"):
            raise ValueError("source_url must be an http(s) URL")
        return value


class ClipOut(BaseModel):
    id: uuid.UUID
    title: str
    description: str
    status: ClipStatus
    size_bytes: int | None
    duration_seconds: float | None
    width: int | None
    height: int | None
    video_codec: str | None
    sha256: str | None
    has_thumbnail: bool
    # Only scheme, host and path: presigned query strings carry credentials.
    source: str | None
    created_at: datetime

    @classmethod
    def of(cls, clip: Clip) -> ClipOut:
        source = None
        if clip.source_url:
            parts = urlsplit(clip.source_url)
            source = f"{parts.scheme}://{parts.netloc}{parts.path}"
        return cls(
            id=clip.id,
            title=clip.title,
            description=clip.description,
            status=clip.status,
            size_bytes=clip.size_bytes,
            duration_seconds=clip.duration_seconds,
            width=clip.width,
            height=clip.height,
            video_codec=clip.video_codec,
            sha256=clip.sha256,
            has_thumbnail=bool(clip.thumbnail_key),
            source=source,
            created_at=clip.created_at,
        )
