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
