"""What the API says about users."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from autopost.platforms.catalog import Platform
from autopost.users.models import User
from autopost.users.plans import PLAN_PLATFORMS, Plan


class MeOut(BaseModel):
    id: uuid.UUID
    email: str
    plan: Plan
    platforms: list[Platform]
    time_zone: str
    locale: str
    created_at: datetime

    @classmethod
    def from_user(cls, user: User) -> MeOut:
        return cls(
            id=user.id,
            email=user.email,
            plan=user.plan,
            platforms=sorted(PLAN_PLATFORMS[user.plan]),
            time_zone=user.time_zone,
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
