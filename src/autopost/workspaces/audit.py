"""The workspace's audit log: who connected, disconnected, published, approved, invited, changed a role.

Entries are written in the transaction of what they record, so the log holds
exactly what happened; `data` is names and ids a reader knows, never secrets.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from autopost.db import Base, IdMixin, UtcDateTime, utcnow
from autopost.refusals import Kind, Refused
from autopost.workspaces.access import Action, Member

PAGE_MAX = 200


class AuditAction(StrEnum):
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    PUBLISHED = "published"
    APPROVED = "approved"
    REJECTED = "rejected"
    INVITED = "invited"
    INVITATION_REVOKED = "invitation_revoked"
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
        # Set here, not at flush: entries of one transaction keep the order they were written in.
        created_at=utcnow(),
    )
    session.add(entry)
    return entry


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    # Where the next (older) page starts; None on the last page.
    next_cursor: str | None


def _cursor(entry: AuditEntry) -> str:
    raw = f"{entry.created_at.isoformat()}|{entry.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _position(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, _, entry_id = raw.partition("|")
        when = datetime.fromisoformat(at)
        if when.tzinfo is None:
            raise ValueError(at)
        return when, uuid.UUID(entry_id)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise Refused("validation_error", Kind.INVALID, detail="before") from None


async def audit_log(
    session: AsyncSession, member: Member, *, before: str | None = None, limit: int = 50
) -> AuditPage:
    """The workspace's log, newest first, `limit` entries after the cursor `before`; owners only."""
    member.require(Action.MANAGE)
    limit = max(1, min(limit, PAGE_MAX))
    query = select(AuditEntry).where(AuditEntry.workspace_id == member.workspace_id)
    if before:
        at, entry_id = _position(before)
        query = query.where(
            or_(AuditEntry.created_at < at, and_(AuditEntry.created_at == at, AuditEntry.id < entry_id))
        )
    rows = list(
        await session.scalars(
            query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(limit + 1)
        )
    )
    more = len(rows) > limit
    entries = rows[:limit]
    return AuditPage(entries, _cursor(entries[-1]) if more else None)
