"""Sealing and opening a connection's tokens; the only place they are decrypted."""

from __future__ import annotations

from datetime import datetime

from autopost.connections.models import Connection
from autopost.security.vault import Vault


def store_tokens(
    connection: Connection,
    vault: Vault,
    *,
    access_token: str,
    refresh_token: str | None = None,
    expires_at: datetime | None = None,
) -> None:
    """Seal fresh tokens into the row. An empty refresh token never replaces a stored one."""
    connection.access_token = vault.seal(access_token, connection.binding("access_token"))
    if refresh_token:
        connection.refresh_token = vault.seal(refresh_token, connection.binding("refresh_token"))
    connection.token_expires_at = expires_at


def open_access_token(connection: Connection, vault: Vault) -> str | None:
    if connection.access_token is None:
        return None
    return vault.open(connection.access_token, connection.binding("access_token"))


def open_refresh_token(connection: Connection, vault: Vault) -> str | None:
    if connection.refresh_token is None:
        return None
    return vault.open(connection.refresh_token, connection.binding("refresh_token"))


def forget_tokens(connection: Connection) -> None:
    connection.access_token = None
    connection.refresh_token = None
    connection.token_expires_at = None
