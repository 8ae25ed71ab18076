"""Workspaces and their members: list, create, rename and set up, invite people, change roles;
the audit log.

A workspace in the path is the caller's (else 404, like any foreign id); what a
role may do is decided in the use cases (workspaces.usecases, .invitations, .audit).
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from autopost.deps import CurrentUser, RuntimeDep, Work
from autopost.workspaces import invitations, usecases
from autopost.workspaces.access import Member, memberships_of, resolve_member
from autopost.workspaces.audit import PAGE_MAX, audit_log
from autopost.workspaces.schemas import (
    AuditEntryOut,
    AuditPageOut,
    InvitationOut,
    JoinIn,
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
async def invite_member(
    workspace_id: uuid.UUID, body: MemberIn, user: CurrentUser, work: Work, runtime: RuntimeDep
) -> InvitationOut:
    """Invite an e-mail address: they get a single-use link by mail and join once they accept it."""
    member = await _member(work, user, workspace_id)
    made = await invitations.invite(work.session, runtime.settings, member, body.email, body.role)
    return InvitationOut.of(made)


@router.get("/{workspace_id}/invitations")
async def list_invitations(workspace_id: uuid.UUID, user: CurrentUser, work: Work) -> list[InvitationOut]:
    """The pending ones (not accepted, revoked or expired), oldest first; owners only."""
    member = await _member(work, user, workspace_id)
    return [InvitationOut.of(i) for i in await invitations.pending_invitations(work.session, member)]


@router.delete("/{workspace_id}/invitations/{invitation_id}", status_code=204)
async def revoke_invitation(
    workspace_id: uuid.UUID, invitation_id: uuid.UUID, user: CurrentUser, work: Work
) -> None:
    member = await _member(work, user, workspace_id)
    await invitations.revoke(work.session, member, invitation_id)


@router.post("/{workspace_id}/invitations/{invitation_id}/resend")
async def resend_invitation(
    workspace_id: uuid.UUID, invitation_id: uuid.UUID, user: CurrentUser, work: Work, runtime: RuntimeDep
) -> InvitationOut:
    """A new link by mail, good for the full time again; the old link stops working."""
    member = await _member(work, user, workspace_id)
    return InvitationOut.of(await invitations.resend(work.session, runtime.settings, member, invitation_id))


@router.post("/join")
async def join(body: JoinIn, user: CurrentUser, work: Work) -> WorkspaceOut:
    """Accept an invitation addressed to the caller's e-mail: the workspace they joined."""
    member = await invitations.accept(work.session, user, body.token)
    return WorkspaceOut.of(member.workspace, member.role)


@router.get("/{workspace_id}/audit")
async def get_audit_log(
    workspace_id: uuid.UUID,
    user: CurrentUser,
    work: Work,
    before: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=PAGE_MAX)] = 50,
) -> AuditPageOut:
    """Who did what, newest first, paged by `next`; owners only."""
    member = await _member(work, user, workspace_id)
    page = await audit_log(work.session, member, before=before, limit=limit)
    return AuditPageOut(entries=[AuditEntryOut.of(e) for e in page.entries], next=page.next_cursor)


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
