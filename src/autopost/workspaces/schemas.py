"""What the API takes and says about workspaces and their members."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from autopost.users.models import User
from autopost.users.plans import Plan
from autopost.workspaces.models import Membership, Role, Workspace


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
