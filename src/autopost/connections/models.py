"""Platform connections (several accounts per platform allowed) and OAuth states."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from autopost.db import Base, EncryptedTokenType, IdMixin, TimestampMixin, UtcDateTime, enum_type, utcnow
from autopost.i18n import render
from autopost.platforms.catalog import ConnectionKind, Platform
from autopost.security.vault import Binding, EncryptedToken


class ConnectionStatus(StrEnum):
    ACTIVE = "active"
    NEEDS_RECONNECT = "needs_reconnect"
    REVOKED = "revoked"


TOKEN_FIELDS = ("access_token", "refresh_token")
# meta key of a web session's end (ISO time, from its cookies' expiry), read by the expiring check.
SESSION_ENDS_AT = "session_ends_at"


class Connection(IdMixin, TimestampMixin, Base):
    """One account on one platform; account_id is where posts go (VK owner, Telegram chat, ...)."""

    __tablename__ = "connections"
    # One account once per kind: VK Clips (web session) and VK Video (VK ID) are two routes.
    __table_args__ = (
        UniqueConstraint("workspace_id", "platform", "kind", "account_id", name="uq_connections_account"),
    )

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[Platform] = mapped_column(enum_type(Platform, "platform"))
    kind: Mapped[ConnectionKind] = mapped_column(enum_type(ConnectionKind, "connection_kind"))
    account_id: Mapped[str] = mapped_column(String(100))
    account_name: Mapped[str] = mapped_column(String(255), default="")
    # The user's own name for the connection; checks refresh account_name, never this.
    display_name: Mapped[str | None] = mapped_column(String(255))
    avatar_url: Mapped[str | None] = mapped_column(Text)
    access_token: Mapped[EncryptedToken | None] = mapped_column(EncryptedTokenType())
    refresh_token: Mapped[EncryptedToken | None] = mapped_column(EncryptedTokenType())
    token_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Non-secret platform details: VK device_id / group_id, Telegram channel, publishing path.
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[ConnectionStatus] = mapped_column(
        enum_type(ConnectionStatus, "connection_status"), default=ConnectionStatus.ACTIVE
    )
    # Why the last check or refresh failed: a code and its parameters, rendered per reader.
    last_error_code: Mapped[str | None] = mapped_column(String(64))
    last_error_params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    last_checked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    def binding(self, field: str) -> Binding:
        return Binding(self.__tablename__, str(self.id), field)

    @property
    def shown_name(self) -> str:
        """The user's own name for the connection, else the platform's account name."""
        return self.display_name or self.account_name

    def set_error(self, code: str | None, params: dict[str, Any] | None = None) -> None:
        self.last_error_code = code
        self.last_error_params = None if code is None else dict(params or {})


def connection_error(connection: Connection, lang: str) -> str | None:
    """The connection's last error in the reader's language, if it has one."""
    if connection.last_error_code is None:
        return None
    return render(connection.last_error_code, lang, **(connection.last_error_params or {}))


class OAuthState(IdMixin, Base):
    """A pending OAuth authorization: single use, bound to the user, short-lived."""

    __tablename__ = "oauth_states"

    # Who started the consent (only their browser may finish it) and where the account will belong.
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[Platform] = mapped_column(enum_type(Platform, "platform"))
    # Only a hash of the state is kept: the state itself travels in the browser.
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    code_verifier: Mapped[EncryptedToken | None] = mapped_column(EncryptedTokenType())
    redirect_to: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    def binding(self, field: str) -> Binding:
        return Binding(self.__tablename__, str(self.id), field)
