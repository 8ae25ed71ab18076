"""Reading a workspace's connections: always scoped to the member's workspace."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.connections.models import Connection, ConnectionStatus
from autopost.publications.models import WAITING_STATUSES, Publication
from autopost.refusals import Kind, Refused
from autopost.workspaces.access import Action, Member


async def list_connections(session: AsyncSession, member: Member) -> list[Connection]:
    rows = await session.scalars(
        select(Connection)
        .where(Connection.workspace_id == member.workspace_id, Connection.status != ConnectionStatus.REVOKED)
        .order_by(Connection.platform, Connection.created_at)
    )
    return list(rows)


async def owned_connection(
    session: AsyncSession,
    member: Member,
    connection_id: uuid.UUID,
    *,
    revoked_too: bool = False,
    to: Action | None = None,
) -> Connection:
    """The workspace's connection, else not_found (a disconnected one too, unless `revoked_too`);
    with `to`, refused unless the member's role allows that action."""
    connection = await session.scalar(
        select(Connection).where(
            Connection.id == connection_id, Connection.workspace_id == member.workspace_id
        )
    )
    if connection is None or (connection.status is ConnectionStatus.REVOKED and not revoked_too):
        raise Refused("not_found", Kind.NOT_FOUND)
    if to is not None:
        member.require(to)
    return connection


async def scheduled_count(session: AsyncSession, connection: Connection) -> int:
    """How many publications disconnecting would cancel (scheduled or awaiting approval)."""
    count = await session.scalar(
        select(func.count()).where(
            Publication.connection_id == connection.id, Publication.status.in_(WAITING_STATUSES)
        )
    )
    return int(count or 0)
