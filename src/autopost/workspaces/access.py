"""Who acts in which workspace, and what their role lets them do.

A `Member` is resolved once per request (API header X-Workspace-Id, the page's
workspace cookie) and handed to use cases and queries instead of the bare user:
every query filters by `member.workspace.id`, every change asks `member.require`.
A workspace the user is not a member of is not found, exactly like a foreign id.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.refusals import Kind, Refused
from autopost.users.models import User
from autopost.workspaces.models import Membership, Role, Workspace


class Action(StrEnum):
    # Upload and delete clips; publish, schedule, reschedule, cancel, retry publications.
    EDIT = "edit"
    # Connect, check, rename, retarget and disconnect accounts.
    CONNECT = "connect"
    # Approve or reject an editor's publication (approval comes later; the role has it already).
    APPROVE = "approve"
    # The workspace's name, time zone, approval setting, plan and members.
    MANAGE = "manage"


# Reading is every member's; the rest is data, so a page can ask the same question the use case asks.
ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.OWNER: frozenset(Action),
    Role.EDITOR: frozenset({Action.EDIT, Action.CONNECT}),
    Role.APPROVER: frozenset({Action.APPROVE}),
    Role.VIEWER: frozenset(),
}


@dataclass(frozen=True)
class Member:
    """A user acting in one of their workspaces, with their role there."""

    user: User
    workspace: Workspace
    role: Role

    @property
    def workspace_id(self) -> uuid.UUID:
        return self.workspace.id

    def may(self, action: Action) -> bool:
        return action in ROLE_ACTIONS[self.role]

    def require(self, action: Action) -> None:
        """Refuse (403) what the member's role does not allow."""
        if not self.may(action):
            raise Refused("role_forbids", Kind.FORBIDDEN, role=self.role.value)


async def memberships_of(session: AsyncSession, user: User) -> list[tuple[Workspace, Role]]:
    """The user's workspaces with their role in each, oldest membership first."""
    rows = await session.execute(
        select(Workspace, Membership.role)
        .join(Membership, Membership.workspace_id == Workspace.id)
        .where(Membership.user_id == user.id)
        .order_by(Membership.created_at, Workspace.id)
    )
    return [(workspace, role) for workspace, role in rows]


async def resolve_member(session: AsyncSession, user: User, workspace_id: uuid.UUID | None) -> Member:
    """The user in the asked workspace (None: their first one); not a member: not found."""
    query = (
        select(Workspace, Membership.role)
        .join(Membership, Membership.workspace_id == Workspace.id)
        .where(Membership.user_id == user.id)
        .order_by(Membership.created_at, Workspace.id)
        .limit(1)
    )
    if workspace_id is not None:
        query = query.where(Workspace.id == workspace_id)
    found = (await session.execute(query)).first()
    if found is None:
        raise Refused("not_found", Kind.NOT_FOUND)
    return Member(user, found[0], found[1])


def parse_workspace_id(value: str | None) -> uuid.UUID | None:
    """An X-Workspace-Id header or cookie value; one that is no id names no workspace of the caller."""
    if not value:
        return None
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        raise Refused("not_found", Kind.NOT_FOUND) from None
