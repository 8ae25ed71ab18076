"""Workspaces and their members: list, create, rename and set up, add people, change roles.

A workspace in the path is the caller's (else 404, like any foreign id); what a
role may do is decided in workspaces.usecases.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from autopost.deps import CurrentUser, Work
from autopost.workspaces import usecases
from autopost.workspaces.access import Member, memberships_of, resolve_member
from autopost.workspaces.schemas import (
    MemberIn,
    MemberOut,
    RoleIn,
    WorkspaceIn,
    WorkspaceOut,
    WorkspaceUpdateIn,
)

router = APIRouter(prefix="/api/v1/workspaces", tags=["workspaces"])


async def _member(work: Work, user: CurrentUser, workspace_id: uuid.UUID) -> Member:
    return await resolve_member(work.session, user, workspace_id)


@router.get("")
async def list_workspaces(user: CurrentUser, work: Work) -> list[WorkspaceOut]:
    return [WorkspaceOut.of(w, role) for w, role in await memberships_of(work.session, user)]


@router.post("", status_code=201)
async def create_workspace(body: WorkspaceIn, user: CurrentUser, work: Work) -> WorkspaceOut:
    """A new workspace (on the free plan) with the caller as its owner."""
    made = await usecases.create_workspace(work.session, user, body.name, time_zone=body.time_zone)
    return WorkspaceOut.of(made.workspace, made.role)


@router.get("/{workspace_id}")
async def get_workspace(workspace_id: uuid.UUID, user: CurrentUser, work: Work) -> WorkspaceOut:
    member = await _member(work, user, workspace_id)
    return WorkspaceOut.of(member.workspace, member.role)


@router.patch("/{workspace_id}")
async def update_workspace(
    workspace_id: uuid.UUID, body: WorkspaceUpdateIn, user: CurrentUser, work: Work
) -> WorkspaceOut:
    member = await _member(work, user, workspace_id)
    workspace = await usecases.update_workspace(
        work.session,
        member,
        name=body.name,
        time_zone=body.time_zone,
        approval_required=body.approval_required,
    )
    return WorkspaceOut.of(workspace, member.role)


@router.get("/{workspace_id}/members")
async def list_members(workspace_id: uuid.UUID, user: CurrentUser, work: Work) -> list[MemberOut]:
    member = await _member(work, user, workspace_id)
    return [MemberOut.of(u, m) for u, m in await usecases.list_members(work.session, member)]


@router.post("/{workspace_id}/members", status_code=201)
async def add_member(workspace_id: uuid.UUID, body: MemberIn, user: CurrentUser, work: Work) -> MemberOut:
    """Someone who already has an account (e-mailed invitations for new people come later)."""
    member = await _member(work, user, workspace_id)
    added, membership = await usecases.add_member(work.session, member, body.email, body.role)
    return MemberOut.of(added, membership)


@router.patch("/{workspace_id}/members/{user_id}")
async def change_role(
    workspace_id: uuid.UUID, user_id: uuid.UUID, body: RoleIn, user: CurrentUser, work: Work
) -> MemberOut:
    member = await _member(work, user, workspace_id)
    changed, membership = await usecases.change_role(work.session, member, user_id, body.role)
    return MemberOut.of(changed, membership)


@router.delete("/{workspace_id}/members/{user_id}", status_code=204)
async def remove_member(workspace_id: uuid.UUID, user_id: uuid.UUID, user: CurrentUser, work: Work) -> None:
    member = await _member(work, user, workspace_id)
    await usecases.remove_member(work.session, member, user_id)
