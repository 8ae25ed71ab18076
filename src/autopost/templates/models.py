"""A workspace's reusable texts: templates (a standard description with links) and hashtag sets."""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from autopost.db import Base, IdMixin, TimestampMixin, enum_type

NAME_MAX = 100


class TemplateKind(StrEnum):
    TEXT = "text"
    # The text is the normalised hashtags, one space apart ("#montage #lesson").
    HASHTAGS = "hashtags"


class TextTemplate(IdMixin, TimestampMixin, Base):
    __tablename__ = "text_templates"
    # One name names one thing in a workspace, whichever kind it is: the dialog lists both side by side.
    __table_args__ = (UniqueConstraint("workspace_id", "name", name="uq_text_templates_workspace_id_name"),)

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[TemplateKind] = mapped_column(enum_type(TemplateKind, "template_kind"))
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    text: Mapped[str] = mapped_column(Text)

    @property
    def hashtags(self) -> list[str] | None:
        return self.text.split() if self.kind is TemplateKind.HASHTAGS else None
