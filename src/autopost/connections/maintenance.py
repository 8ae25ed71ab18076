"""Periodic care of connections: refresh OAuth tokens before they expire; tell of those that cannot be."""

from __future__ import annotations

from datetime import timedelta

import structlog
from sqlalchemy import select

from autopost.alerts.announce import announce
from autopost.alerts.models import Alert, AlertKind
from autopost.connections.models import Connection, ConnectionStatus
from autopost.connections.refresh import fresh_credentials
from autopost.db import transaction, utcnow
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


async def announce_expiring_connections(runtime: Runtime) -> int:
    """Alert connection.expiring once per expiry of a token nothing can renew (no refresh token),
    ending within settings.notify.expiring_days; the number announced."""
    soon = utcnow() + timedelta(days=runtime.settings.notify.expiring_days)
    announced = 0
    async with transaction(runtime.session_factory) as session:
        expiring = (
            await session.scalars(
                select(Connection).where(
                    Connection.status == ConnectionStatus.ACTIVE,
                    Connection.refresh_token.is_(None),
                    Connection.token_expires_at.is_not(None),
                    Connection.token_expires_at > utcnow(),
                    Connection.token_expires_at < soon,
                )
            )
        ).all()
        for connection in expiring:
            assert connection.token_expires_at is not None
            expiry = f"{connection.id}:{connection.token_expires_at.isoformat()}"
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
                expires_at=connection.token_expires_at.isoformat(),
            )
            announced += 1
    return announced
