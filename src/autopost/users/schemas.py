"""What the API says about users."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

from pydantic import AwareDatetime, BaseModel, Field, field_validator
from pydantic_core import PydanticCustomError

from autopost.platforms.catalog import Platform
from autopost.users.models import ApiToken
from autopost.users.plans import PLAN_PLATFORMS, Plan
from autopost.workspaces.access import Member
from autopost.workspaces.models import Role

# PostgreSQL text holds no NUL; a name is one line. (A lone surrogate never gets here: JSON parsing refuses it.)
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class MeOut(BaseModel):
    id: uuid.UUID
    email: str
    # The plan and time zone of the workspace the call is made in, and the caller's role there.
    plan: Plan
    platforms: list[Platform]
    time_zone: str
    workspace_id: uuid.UUID
    role: Role
    locale: str
    created_at: datetime

    @classmethod
    def of(cls, member: Member) -> MeOut:
        user, workspace = member.user, member.workspace
        return cls(
            id=user.id,
            email=user.email,
            plan=workspace.plan,
            platforms=sorted(PLAN_PLATFORMS[workspace.plan]),
            time_zone=workspace.time_zone,
            workspace_id=workspace.id,
            role=member.role,
            locale=user.locale,
            created_at=user.created_at,
        )


class LoginIn(BaseModel):
    # The same caps as the login page's form fields.
    email: str = Field(max_length=320)
    password: str = Field(max_length=500)


class LoginOut(BaseModel):
    user: MeOut
    # Send it back as X-CSRF-Token with every write made with the session cookie.
    csrf_token: str


class PasswordChangeIn(BaseModel):
    current_password: str = Field(max_length=500)
    new_password: str = Field(max_length=500)


class PasswordChangedOut(BaseModel):
    # Every session ended; made with the session cookie, this browser gets a new session and this is
    # its CSRF token (null when the change was made with an API token).
    csrf_token: str | None


class TokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    # With a time zone offset; past it the token is refused like a wrong one. None: until revoked.
    expires_at: AwareDatetime | None = None

    @field_validator("name")
    @classmethod
    def _printable(cls, value: str) -> str:
        if _UNPRINTABLE.search(value):
            # The error's type is a code: the validation handler renders it in the reader's language.
            raise PydanticCustomError(
                "token_name_unprintable", "A token name is one line of printable characters"
            )
        return value

    @field_validator("expires_at")
    @classmethod
    def _storable(cls, value: datetime | None) -> datetime | None:
        # Stored in UTC: a moment at the very edge of the calendar has no UTC form.
        try:
            return None if value is None else value.astimezone(UTC)
        except OverflowError as exc:
            raise ValueError("out of range") from exc


class TokenOut(BaseModel):
    """An API token as its owner sees it later: never the secret, nor its hash."""

    id: uuid.UUID
    name: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None

    @classmethod
    def of(cls, token: ApiToken) -> TokenOut:
        return cls(
            id=token.id,
            name=token.name,
            created_at=token.created_at,
            last_used_at=token.last_used_at,
            expires_at=token.expires_at,
        )


class NewTokenOut(TokenOut):
    # Shown this once: only its hash is kept.
    token: str
