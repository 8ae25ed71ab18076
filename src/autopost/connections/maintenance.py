"""Periodic care of connections: refresh OAuth tokens before they expire."""

from __future__ import annotations

from datetime import timedelta

import structlog
from sqlalchemy import select

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
