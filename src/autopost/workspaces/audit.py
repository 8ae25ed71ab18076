"""The workspace's audit log: who connected, disconnected, published, approved, invited, changed a role.

Entries are written in the transaction of what they record, so the log holds
exactly what happened; `data` is names and ids a reader knows, never secrets.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from autopost.db import Base, IdMixin, UtcDateTime, utcnow
from autopost.workspaces.access import Member


class AuditAction(StrEnum):
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    PUBLISHED = "published"
    APPROVED = "approved"
    REJECTED = "rejected"
    INVITED = "invited"
    JOINED = "joined"
    ROLE_CHANGED = "role_changed"
    MEMBER_REMOVED = "member_removed"
    SETTINGS_CHANGED = "settings_changed"
    WEBHOOK_CHANGED = "webhook_changed"


class AuditEntry(IdMixin, Base):
    __tablename__ = "audit_entries"
    # The log is read newest first, per workspace.
    __table_args__ = (Index("ix_audit_entries_workspace_id_created_at", "workspace_id", "created_at"),)

    workspace_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    # Who did it; kept as a name too, so the entry still reads right after they leave.
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_email: Mapped[str] = mapped_column(String(320), default="")
    action: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


def audit(session: AsyncSession, member: Member, action: AuditAction, **data: Any) -> AuditEntry:
    """Record what `member` did in their workspace, in the caller's transaction."""
    entry = AuditEntry(
        workspace_id=member.workspace_id,
        actor_id=member.user.id,
        actor_email=member.user.email,
        action=action.value,
        data=data,
    )
    session.add(entry)
    return entry
