"""Reading a user's connections: always scoped to the user's own rows."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.connections.models import Connection, ConnectionStatus
from autopost.publications.models import Publication, PublicationStatus
from autopost.refusals import Kind, Refused
from autopost.users.models import User


async def list_connections(session: AsyncSession, user: User) -> list[Connection]:
    rows = await session.scalars(
        select(Connection)
        .where(Connection.user_id == user.id, Connection.status != ConnectionStatus.REVOKED)
        .order_by(Connection.platform, Connection.created_at)
    )
    return list(rows)


async def owned_connection(
    session: AsyncSession, user: User, connection_id: uuid.UUID, *, revoked_too: bool = False
) -> Connection:
    """The user's connection, else not_found (a disconnected one too, unless `revoked_too`)."""
    connection = await session.scalar(
        select(Connection).where(Connection.id == connection_id, Connection.user_id == user.id)
    )
    if connection is None or (connection.status is ConnectionStatus.REVOKED and not revoked_too):
        raise Refused("not_found", Kind.NOT_FOUND)
    return connection


async def scheduled_count(session: AsyncSession, connection: Connection) -> int:
    """How many publications disconnecting would cancel."""
    count = await session.scalar(
        select(func.count()).where(
            Publication.connection_id == connection.id, Publication.status == PublicationStatus.SCHEDULED
        )
    )
    return int(count or 0)
