"""A connection that only its owner can mend: mark it, and alert the workspace once per breakage."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from autopost.alerts.announce import announce
from autopost.alerts.models import AlertKind
from autopost.connections.models import Connection, ConnectionStatus


def mark_needs_reconnect(
    session: AsyncSession, connection: Connection, code: str, params: dict[str, Any] | None = None
) -> None:
    was_working = connection.status is not ConnectionStatus.NEEDS_RECONNECT
    # Read before the change: two workers finding the same breakage share this key; a reconnect
    # moves updated_at, so the next breakage is a new alert.
    breakage = f"{connection.id}:{connection.updated_at.isoformat()}"
    connection.status = ConnectionStatus.NEEDS_RECONNECT
    connection.set_error(code, params)
    if was_working:
        announce(
            session,
            connection.workspace_id,
            AlertKind.CONNECTION_NEEDS_RECONNECT,
            subject_id=connection.id,
            dedup_key=breakage,
            connection_id=str(connection.id),
            platform=connection.platform.value,
            code=code,
            params=dict(params or {}),
        )
