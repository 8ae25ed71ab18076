"""Creating workspaces, changing their settings, changing members' roles and removing members.

Only an owner manages a workspace (Action.MANAGE). A workspace always keeps an
owner: the last one can be neither removed nor demoted. People join by
invitation (workspaces.invitations). Every change is written to the audit log.
"""

from __future__ import annotations

import uuid
from zoneinfo import available_timezones

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.refusals import Kind, Refused
from autopost.users.models import User
from autopost.users.plans import Plan
from autopost.workspaces.access import Action, Member, memberships_of, resolve_member
from autopost.workspaces.audit import AuditAction, audit
from autopost.workspaces.models import DEFAULT_TIME_ZONE, Membership, Role, Workspace

NAME_MAX = 200


def _checked_name(name: str) -> str:
    name = " ".join(name.split())
    # One line of printable text: PostgreSQL cannot even store a NUL.
    if not name or len(name) > NAME_MAX or not name.isprintable():
        raise Refused("workspace_name_invalid", Kind.INVALID, max=NAME_MAX)
    return name


def check_time_zone(name: str) -> str:
    if name not in available_timezones():
        raise Refused("time_zone_unknown", Kind.INVALID, time_zone=name)
    return name


async def create_workspace(
    session: AsyncSession,
    user: User,
    name: str,
    *,
    plan: Plan = Plan.FREE,
    time_zone: str = DEFAULT_TIME_ZONE,
    workspace_id: uuid.UUID | None = None,
) -> Member:
    """A new workspace with the user as its owner."""
    workspace = Workspace(
        id=workspace_id or uuid.uuid4(),
        name=_checked_name(name),
        plan=plan,
        time_zone=check_time_zone(time_zone),
    )
    session.add(workspace)
    await session.flush()
    session.add(Membership(workspace_id=workspace.id, user_id=user.id, role=Role.OWNER))
    await session.flush()
    return Member(user, workspace, Role.OWNER)


async def acting_member(session: AsyncSession, user: User, workspace_id: uuid.UUID | None) -> Member:
    """The user in the asked workspace (None: their first). Someone removed from every workspace
    gets a new personal one on the free plan, so that nobody is locked out of their account."""
    if workspace_id is None and not await memberships_of(session, user):
        return await create_workspace(session, user, user.email)
    return await resolve_member(session, user, workspace_id)


async def set_plan(session: AsyncSession, workspace_id: uuid.UUID | None, plan: Plan) -> str:
    """The operator's command (there is no billing yet): the workspace's new plan; returns its name."""
    workspace = None if workspace_id is None else await session.get(Workspace, workspace_id)
    if workspace is None:
        raise Refused("not_found", Kind.NOT_FOUND)
    workspace.plan = plan
    await session.flush()
    return workspace.name


async def update_workspace(
    session: AsyncSession,
    member: Member,
    *,
    name: str | None = None,
    time_zone: str | None = None,
    approval_required: bool | None = None,
) -> Workspace:
    member.require(Action.MANAGE)
    workspace = member.workspace
    asked = {
        "name": None if name is None else _checked_name(name),
        "time_zone": None if time_zone is None else check_time_zone(time_zone),
        "approval_required": approval_required,
    }
    changed = {
        key: value for key, value in asked.items() if value is not None and getattr(workspace, key) != value
    }
    for key, value in changed.items():
        setattr(workspace, key, value)
    if changed:
        audit(session, member, AuditAction.SETTINGS_CHANGED, **changed)
    await session.flush()
    return workspace


async def list_members(session: AsyncSession, member: Member) -> list[tuple[User, Membership]]:
    """Everyone in the member's workspace (any member may see who else is in it)."""
    rows = await session.execute(
        select(User, Membership)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.workspace_id == member.workspace_id)
        .order_by(Membership.created_at, User.email)
    )
    return [(user, membership) for user, membership in rows]


async def _membership(session: AsyncSession, member: Member, user_id: uuid.UUID) -> Membership:
    found = await session.scalar(
        select(Membership).where(
            Membership.workspace_id == member.workspace_id, Membership.user_id == user_id
        )
    )
    if found is None:
        raise Refused("not_found", Kind.NOT_FOUND)
    return found


async def _refuse_losing_last_owner(session: AsyncSession, membership: Membership) -> None:
    if membership.role is not Role.OWNER:
        return
    # Two owners demoting each other at once: the workspace row serializes them (PostgreSQL).
    await session.execute(
        select(Workspace.id).where(Workspace.id == membership.workspace_id).with_for_update()
    )
    owners = await session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.workspace_id == membership.workspace_id, Membership.role == Role.OWNER)
    )
    if (owners or 0) <= 1:
        raise Refused("last_owner", Kind.CONFLICT)


async def change_role(
    session: AsyncSession, member: Member, user_id: uuid.UUID, role: Role
) -> tuple[User, Membership]:
    # Someone outside the workspace is not found, before asking whether the role may change them.
    membership = await _membership(session, member, user_id)
    member.require(Action.MANAGE)
    if role is not Role.OWNER:
        await _refuse_losing_last_owner(session, membership)
    user = await session.get(User, user_id)
    assert user is not None  # the membership's foreign key
    if membership.role is not role:
        audit(
            session,
            member,
            AuditAction.ROLE_CHANGED,
            email=user.email,
            role=role.value,
            was=membership.role.value,
        )
    membership.role = role
    await session.flush()
    return user, membership


async def remove_member(session: AsyncSession, member: Member, user_id: uuid.UUID) -> None:
    # Someone outside the workspace is not found, before asking whether the role may change them.
    membership = await _membership(session, member, user_id)
    member.require(Action.MANAGE)
    await _refuse_losing_last_owner(session, membership)
    user = await session.get(User, user_id)
    assert user is not None  # the membership's foreign key
    audit(session, member, AuditAction.MEMBER_REMOVED, email=user.email, role=membership.role.value)
    await session.delete(membership)
    await session.flush()
