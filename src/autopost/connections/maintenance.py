"""Periodic care of connections: refresh OAuth tokens before they expire; tell of those that cannot be."""

from __future__ import annotations

from datetime import datetime, timedelta

import structlog
from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.alerts.announce import announce
from autopost.alerts.models import Alert, AlertKind
from autopost.connections.models import SESSION_ENDS_AT, Connection, ConnectionStatus
from autopost.connections.refresh import fresh_credentials
from autopost.db import transaction, utcnow
from autopost.platforms.catalog import ConnectionKind
from autopost.platforms.errors import PlatformError
from autopost.runtime import Runtime

log = structlog.get_logger(__name__)

# Refresh this far ahead, so a publication never starts with a token about to die.
AHEAD = timedelta(minutes=15)


async def refresh_expiring_tokens(runtime: Runtime) -> int:
    async with transaction(runtime.session_factory) as session:
        ids = (
            await session.scalars(
                select(Connection.id).where(
                    Connection.status == ConnectionStatus.ACTIVE,
                    Connection.refresh_token.is_not(None),
                    Connection.token_expires_at.is_not(None),
                    Connection.token_expires_at < utcnow() + AHEAD,
                )
            )
        ).all()
    refreshed = 0
    for connection_id in ids:
        try:
            await fresh_credentials(runtime, connection_id, margin=AHEAD)
            refreshed += 1
        except PlatformError as exc:
            log.info("token_refresh_failed", connection_id=str(connection_id), code=exc.code)
    return refreshed


def _ends_at(connection: Connection) -> datetime | None:
    """When the connection stops working by itself: a token nothing renews, or a web session's end."""
    if connection.kind is ConnectionKind.WEB_SESSION:
        raw = (connection.meta or {}).get(SESSION_ENDS_AT)
        return datetime.fromisoformat(str(raw)) if raw else None
    return connection.token_expires_at if connection.refresh_token is None else None


async def _ending(session: AsyncSession, soon: datetime) -> list[tuple[Connection, datetime]]:
    """Active connections that end before `soon`: tokens by their column, web sessions by their meta."""
    # Web sessions are few per workspace; their end is in meta (JSON), read here rather than queried.
    candidates = (
        await session.scalars(
            select(Connection).where(
                Connection.status == ConnectionStatus.ACTIVE,
                or_(
                    Connection.kind == ConnectionKind.WEB_SESSION,
                    and_(Connection.refresh_token.is_(None), Connection.token_expires_at < soon),
                ),
            )
        )
    ).all()
    now = utcnow()
    ending = [(c, ends) for c in candidates if (ends := _ends_at(c)) is not None]
    return [(c, ends) for c, ends in ending if now < ends < soon]


async def announce_expiring_connections(runtime: Runtime) -> int:
    """Alert connection.expiring once per expiry of a token nothing renews, or a web session, that ends
    within settings.notify.expiring_days; the number announced."""
    soon = utcnow() + timedelta(days=runtime.settings.notify.expiring_days)
    announced = 0
    async with transaction(runtime.session_factory) as session:
        for connection, ends in await _ending(session, soon):
            expiry = f"{connection.id}:{ends.isoformat()}"
            key = f"{AlertKind.CONNECTION_EXPIRING.value}:{expiry}"
            if await session.scalar(select(Alert.id).where(Alert.dedup_key == key).limit(1)):
                continue
            announce(
                session,
                connection.workspace_id,
                AlertKind.CONNECTION_EXPIRING,
                subject_id=connection.id,
                dedup_key=expiry,
                connection_id=str(connection.id),
                platform=connection.platform.value,
                expires_at=ends.isoformat(),
            )
            announced += 1
    return announced
