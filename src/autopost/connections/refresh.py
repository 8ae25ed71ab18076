"""Keeping a connection's tokens valid: refresh under a per-connection lock.

VK ID and Rutube SSO refresh tokens are single-use: if two workers refreshed one
connection at once, the loser would spend a token the winner already replaced and
the user would have to reconnect. So refreshes take a Redis lock, and whoever
gets it second re-reads the row and uses the tokens the first one stored. The
new tokens are committed before they are returned, so nothing uses an access
token whose rotated refresh token could still be lost.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from redis.asyncio.lock import Lock

from autopost.connections.models import Connection, ConnectionStatus
from autopost.connections.reconnect import mark_needs_reconnect
from autopost.connections.tokens import open_access_token, open_refresh_token, store_tokens
from autopost.db import transaction, utcnow
from autopost.platforms.base import Credentials
from autopost.platforms.catalog import ConnectionKind
from autopost.platforms.errors import AuthExpired, PlatformError, Transient
from autopost.runtime import Runtime

REFRESH_MARGIN = timedelta(minutes=5)


def credentials_of(connection: Connection, runtime: Runtime) -> Credentials:
    access = open_access_token(connection, runtime.vault)
    if access is None:
        raise AuthExpired("token_missing", "connection has no token")
    return Credentials(
        access_token=access,
        kind=connection.kind,
        refresh_token=open_refresh_token(connection, runtime.vault),
        expires_at=connection.token_expires_at,
        meta=dict(connection.meta or {}),
    )


def _not_active(connection: Connection | None) -> AuthExpired:
    if connection is None:
        return AuthExpired("token_missing", "connection is gone")
    # The same code (and text) as refusing to publish to a connection that needs reconnecting.
    return AuthExpired("needs_reconnect", "connection is not active", platform=connection.platform.value)


def _is_fresh(connection: Connection, margin: timedelta) -> bool:
    expires = connection.token_expires_at
    return expires is None or expires > utcnow() + margin


async def fresh_credentials(
    runtime: Runtime,
    connection_id: uuid.UUID,
    *,
    rejected: Credentials | None = None,
    margin: timedelta = REFRESH_MARGIN,
    locked: bool = True,
) -> Credentials:
    """Credentials good for at least `margin`, refreshing if needed.

    `rejected` is a set of credentials the platform just refused: refresh even
    if the clock says they are still valid, unless another process already did.
    `locked=False` skips the per-connection lock: only tests use it, to show what the lock prevents.
    """
    async with transaction(runtime.session_factory) as session:
        connection = await session.get(Connection, connection_id)
        if connection is None or connection.status is not ConnectionStatus.ACTIVE:
            raise _not_active(connection)
        current = credentials_of(connection, runtime)
        if _is_fresh(connection, margin) and (
            rejected is None or current.access_token != rejected.access_token
        ):
            return current
    if not locked:
        return await _refresh_locked(runtime, connection_id, rejected, margin)
    lock = Lock(
        runtime.redis,
        f"{runtime.settings.redis_namespace}:refresh:{connection_id}",
        timeout=120,
        blocking_timeout=60,
    )
    if not await lock.acquire():
        raise Transient("refresh_busy", "another process holds the refresh lock")
    try:
        return await _refresh_locked(runtime, connection_id, rejected, margin)
    finally:
        await lock.release()


async def _refresh_locked(
    runtime: Runtime, connection_id: uuid.UUID, rejected: Credentials | None, margin: timedelta
) -> Credentials:
    failure: PlatformError | None = None
    code = "token_expired"
    async with transaction(runtime.session_factory) as session:
        connection = await session.get(Connection, connection_id, populate_existing=True)
        if connection is None or connection.status is not ConnectionStatus.ACTIVE:
            raise _not_active(connection)
        current = credentials_of(connection, runtime)
        refreshed_meanwhile = rejected is not None and current.access_token != rejected.access_token
        if refreshed_meanwhile or (rejected is None and _is_fresh(connection, margin)):
            return current
        try:
            tokens = await runtime.provider(connection.platform).refresh(credentials=current)
        except PlatformError as exc:
            if exc.retryable:
                # Throttled or unreachable (RateLimited, Transient): the token may be fine; try later.
                raise
            # Committed below, before raising: the UI must show "needs reconnect". A web session's or
            # a Rutube SSO sign-in's own code says what to do (sign in on the site again, copy anew).
            if connection.kind in (ConnectionKind.WEB_SESSION, ConnectionKind.REFRESH_TOKEN):
                code = exc.code
            mark_needs_reconnect(session, connection, code)
            failure = exc
        else:
            store_tokens(
                connection,
                runtime.vault,
                access_token=tokens.access_token,
                refresh_token=tokens.refresh_token,
                expires_at=tokens.expires_at,
            )
            if tokens.meta:
                connection.meta = {**(connection.meta or {}), **tokens.meta}
            connection.set_error(None)
            return credentials_of(connection, runtime)
    raise AuthExpired(code, failure.detail or failure.code)
