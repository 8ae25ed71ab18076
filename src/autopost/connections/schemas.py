"""What the API takes and says about connections. Tokens never appear in any of these."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator
from pydantic_core import PydanticCustomError

from autopost.connections.models import Connection, ConnectionStatus, connection_error
from autopost.i18n import render
from autopost.platforms.catalog import LIMITS, WEB_SESSION_DOMAINS, ConnectionKind, Platform, max_upload_bytes
from autopost.platforms.cookies import MAX_EXPORT_CHARS
from autopost.platforms.registry import OAUTH_PLATFORMS
from autopost.settings import Settings
from autopost.users.plans import Plan, check_plan

# Connection metadata that is safe and useful to show; anything else stays inside.
PUBLIC_META = (
    "channel",
    "channel_username",
    "chat_id",
    "group_id",
    "target_name",
    "communities",
    "bot_username",
    "path",
)


class TokenConnectIn(BaseModel):
    platform: Literal["telegram", "rutube"]
    # Shapes checked here so that nothing malformed ever reaches a platform's HTTP headers or URLs.
    bot_token: str | None = Field(
        default=None,
        max_length=200,
        pattern=r"^\d{3,20}:[A-Za-z0-9_-]{20,100}$",
        description="The bot's token from @BotFather",
    )
    channel: str | None = Field(
        default=None,
        max_length=200,
        pattern=r"^(@[A-Za-z][A-Za-z0-9_]{3,31}|-100\d{5,20})$",
        description="The channel: @username or its -100… id",
    )
    token: str | None = Field(default=None, max_length=500, pattern=r"^[\x21-\x7e]{8,500}$")
    username: str | None = Field(default=None, max_length=200)
    password: str | None = Field(default=None, max_length=200)
    # Rutube SSO accounts (VK ID, Gazprom ID, phone): the refreshToken cookie's value, or a cookie
    # export holding it (cookies.txt, an extension's JSON, a Cookie header).
    refresh_token: str | None = Field(default=None, max_length=MAX_EXPORT_CHARS)

    @model_validator(mode="after")
    def _fields_for_platform(self) -> TokenConnectIn:
        # The error's type is a code: the validation handler (autopost.app) renders it in the reader's language.
        if self.platform == "telegram" and not (self.bot_token and self.channel):
            raise PydanticCustomError("telegram_fields_missing", "Telegram needs bot_token and channel")
        if self.platform == "rutube" and not (
            self.token or self.refresh_token or (self.username and self.password)
        ):
            raise PydanticCustomError(
                "rutube_fields_missing", "Rutube needs a token, or username and password"
            )
        return self

    def fields(self) -> dict[str, str]:
        return {k: v for k, v in self.model_dump(exclude={"platform"}).items() if v}


class WebSessionConnectIn(BaseModel):
    """A signed-in browser session: cookies.txt text, an extension's cookie JSON, or a Cookie header."""

    platform: Literal["vk", "dzen"]
    session: str = Field(min_length=1, max_length=MAX_EXPORT_CHARS)


class ConnectionOut(BaseModel):
    id: uuid.UUID
    platform: Platform
    # How it signs in: oauth, token, refresh_token or web_session (a browser session).
    kind: ConnectionKind
    account_id: str
    account_name: str
    # What to call it: the user's own name for it if they gave one, else the platform's.
    name: str
    display_name: str | None
    avatar_url: str | None
    status: ConnectionStatus
    last_error_code: str | None
    last_error_params: dict[str, Any] | None
    # Rendered from last_error_code + last_error_params in the reader's language.
    last_error: str | None
    token_expires_at: datetime | None
    last_checked_at: datetime | None
    created_at: datetime
    meta: dict[str, Any]

    @classmethod
    def of(cls, connection: Connection, lang: str) -> ConnectionOut:
        return cls(
            id=connection.id,
            platform=connection.platform,
            kind=connection.kind,
            account_id=connection.account_id,
            account_name=connection.account_name,
            name=connection.shown_name,
            display_name=connection.display_name,
            avatar_url=connection.avatar_url,
            status=connection.status,
            last_error_code=connection.last_error_code,
            last_error_params=connection.last_error_params,
            last_error=connection_error(connection, lang),
            token_expires_at=connection.token_expires_at,
            last_checked_at=connection.last_checked_at,
            created_at=connection.created_at,
            meta={k: v for k, v in (connection.meta or {}).items() if k in PUBLIC_META},
        )


class ConnectionUpdateIn(BaseModel):
    """Only the fields sent change: `name` renames (empty: back to the platform's name)."""

    # VK: where this connection publishes — a community the user administers, or null for their own page.
    group_id: int | None = Field(default=None, ge=1, le=10**12)
    name: str | None = Field(default=None, max_length=100, pattern=r"^[^\x00-\x1f\x7f]*$")


class OAuthStartOut(BaseModel):
    authorize_url: str


class DisconnectOut(BaseModel):
    cancelled_publications: int


def connect_route(platform: Platform) -> Literal["oauth", "session", "token"]:
    if platform in OAUTH_PLATFORMS:
        return "oauth"
    return "session" if platform in WEB_SESSION_DOMAINS else "token"


class PlatformOut(BaseModel):
    platform: Platform
    name: str
    allowed: bool
    refusal: str | None
    max_bytes: int
    title_max: int | None
    description_max: int | None
    # How a new connection is made: OAuth (VK also takes a session), a browser session (Dzen), a token.
    connect: Literal["oauth", "session", "token"]
    connections: list[ConnectionOut]

    @classmethod
    def of(
        cls, platform: Platform, plan: Plan, connections: list[Connection], settings: Settings, lang: str
    ) -> PlatformOut:
        """The platform's limits, whether the workspace's plan includes it (and why not), its accounts."""
        refusal = check_plan(plan, platform)
        limits = LIMITS[platform]
        return cls(
            platform=platform,
            name=render(f"platform.{platform.value}", lang),
            allowed=refusal is None,
            refusal=render(refusal.code, lang, **refusal.params) if refusal else None,
            max_bytes=max_upload_bytes(platform, telegram_local_server=settings.telegram.local_server),
            title_max=limits.title_max,
            description_max=limits.description_max,
            connect=connect_route(platform),
            connections=[ConnectionOut.of(c, lang) for c in connections if c.platform is platform],
        )
