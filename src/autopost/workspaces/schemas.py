"""What the API takes and says about workspaces and their members."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from autopost.users.models import User
from autopost.users.plans import Plan
from autopost.workspaces.audit import AuditEntry
from autopost.workspaces.invitations import InvitationState, state_of
from autopost.workspaces.models import Invitation, Membership, Role, Workspace


class WorkspaceOut(BaseModel):
    id: uuid.UUID
    name: str
    time_zone: str
    approval_required: bool
    plan: Plan
    # The caller's role in it.
    role: Role
    created_at: datetime

    @classmethod
    def of(cls, workspace: Workspace, role: Role) -> WorkspaceOut:
        return cls(
            id=workspace.id,
            name=workspace.name,
            time_zone=workspace.time_zone,
            approval_required=workspace.approval_required,
            plan=workspace.plan,
            role=role,
            created_at=workspace.created_at,
        )


class WorkspaceIn(BaseModel):
    name: str = Field(max_length=200)
    time_zone: str = Field(default="Europe/Moscow", max_length=64)


class WorkspaceUpdateIn(BaseModel):
    name: str | None = Field(default=None, max_length=200)
    time_zone: str | None = Field(default=None, max_length=64)
    approval_required: bool | None = None


class MemberOut(BaseModel):
    user_id: uuid.UUID
    email: str
    role: Role
    added_at: datetime

    @classmethod
    def of(cls, user: User, membership: Membership) -> MemberOut:
        return cls(user_id=user.id, email=user.email, role=membership.role, added_at=membership.created_at)


class MemberIn(BaseModel):
    email: str = Field(max_length=320)
    role: Role


class RoleIn(BaseModel):
    role: Role


class InvitationOut(BaseModel):
    """An invitation as its workspace's owners see it: never its link (that goes by mail only)."""

    id: uuid.UUID
    email: str
    role: Role
    status: InvitationState
    invited_by: str
    created_at: datetime
    sent_at: datetime
    expires_at: datetime

    @classmethod
    def of(cls, invitation: Invitation) -> InvitationOut:
        return cls(
            id=invitation.id,
            email=invitation.email,
            role=invitation.role,
            status=state_of(invitation),
            invited_by=invitation.invited_by_email,
            created_at=invitation.created_at,
            sent_at=invitation.sent_at,
            expires_at=invitation.expires_at,
        )


class JoinIn(BaseModel):
    # The token of the invitation link (<public_url>/invite/<token>).
    token: str = Field(max_length=200)


class AuditEntryOut(BaseModel):
    id: uuid.UUID
    # connected, disconnected, published, invited, invitation_revoked, joined, role_changed,
    # member_removed, settings_changed (and approved, rejected, webhook_changed where those exist).
    action: str
    actor_id: uuid.UUID | None
    actor_email: str
    data: dict[str, Any]
    created_at: datetime

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEntryOut:
        return cls(
            id=entry.id,
            action=entry.action,
            actor_id=entry.actor_id,
            actor_email=entry.actor_email,
            data=entry.data,
            created_at=entry.created_at,
        )


class AuditPageOut(BaseModel):
    entries: list[AuditEntryOut]
    # Pass as ?before= for the next, older page; null on the last page.
    next: str | None
