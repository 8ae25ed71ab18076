"""Workspaces and memberships: data belongs to a workspace, people belong to workspaces with a role."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from autopost.db import Base, IdMixin, TimestampMixin, UtcDateTime, enum_type, utcnow
from autopost.users.plans import Plan

DEFAULT_TIME_ZONE = "Europe/Moscow"


class Role(StrEnum):
    OWNER = "owner"
    EDITOR = "editor"
    APPROVER = "approver"
    VIEWER = "viewer"


class Workspace(IdMixin, TimestampMixin, Base):
    """One client or brand: its clips, connections and publications, its plan and its time zone."""

    __tablename__ = "workspaces"

    name: Mapped[str] = mapped_column(String(200))
    # An IANA zone name: scheduled times are read and shown in it.
    time_zone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIME_ZONE)
    approval_required: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    plan: Mapped[Plan] = mapped_column(enum_type(Plan, "plan"), default=Plan.FREE)


class Membership(IdMixin, Base):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id", name="uq_memberships_workspace_user"),)

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(enum_type(Role, "workspace_role"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Invitation(IdMixin, Base):
    """An e-mailed, single-use, expiring offer to join a workspace with a role.

    Only the token's SHA-256 is kept: the link exists in the mail alone, and a
    resend makes a new token (the old link stops working)."""

    __tablename__ = "invitations"

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[Role] = mapped_column(enum_type(Role, "workspace_role"))
    invited_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Kept as a name too: the invitation still says who sent it after they leave.
    invited_by_email: Mapped[str] = mapped_column(String(320), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    def pending(self, now: datetime) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now
