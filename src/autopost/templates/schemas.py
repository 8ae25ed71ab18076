"""What the API takes and says about templates and hashtag sets."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from autopost.templates.models import TemplateKind, TextTemplate

# Generous bounds for the request itself; the use case checks the real limits with clear refusals.
BODY_MAX = 20_000
TAGS_MAX = 500


class TemplateIn(BaseModel):
    # "text": a template, its text in `text`; "hashtags": a set, as `hashtags` or typed in `text`.
    kind: TemplateKind
    name: str = Field(max_length=1000)
    text: str | None = Field(default=None, max_length=BODY_MAX)
    hashtags: list[str] | None = Field(default=None, max_length=TAGS_MAX)


class TemplateUpdateIn(BaseModel):
    name: str | None = Field(default=None, max_length=1000)
    text: str | None = Field(default=None, max_length=BODY_MAX)
    hashtags: list[str] | None = Field(default=None, max_length=TAGS_MAX)


class TemplateOut(BaseModel):
    id: uuid.UUID
    kind: TemplateKind
    name: str
    # What is inserted: a template's text, or a set's hashtags one space apart.
    text: str
    # A set's hashtags, each with its #; null for a template.
    hashtags: list[str] | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, template: TextTemplate) -> TemplateOut:
        return cls(
            id=template.id,
            kind=template.kind,
            name=template.name,
            text=template.text,
            hashtags=template.hashtags,
            created_at=template.created_at,
            updated_at=template.updated_at,
        )
