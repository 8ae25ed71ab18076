"""Connect use cases called directly: platform answers become refusals, the plan gate is "forbidden"."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from autopost.connections.usecases import connect_token, refused_by_platform, start_oauth
from autopost.db import transaction
from autopost.platforms.base import AccountInfo, Credentials
from autopost.platforms.catalog import Platform
from autopost.platforms.errors import (
    AuthExpired,
    OutcomeUnknown,
    Permanent,
    PlatformError,
    RateLimited,
    Transient,
)
from autopost.refusals import Kind, Refused
from autopost.users.models import User
from autopost.users.plans import Plan
from tests.support.engine import EngineWorld
from tests.support.fake_provider import ScriptedProvider

BOT = {"bot_token": "7000000001:AAHb3vQm2Xk9LpR4tZs8YwNc1DfGj6UeKoA", "channel": "@clipmaker_demo"}


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (Transient("tg.down", "Недоступен", status=503), Kind.UNAVAILABLE),
        (OutcomeUnknown("tg.timeout", "Нет ответа"), Kind.UNAVAILABLE),
        (AuthExpired("tg.revoked", "Отозван"), Kind.INVALID),
        (Permanent("tg.not_admin", "Не админ", channel="@c"), Kind.INVALID),
    ],
)
def test_platform_errors_keep_their_code_and_params(error: PlatformError, kind: Kind) -> None:
    refused = refused_by_platform(error)
    assert (refused.code, refused.kind, refused.params) == (error.code, kind, error.params)


def test_a_platform_rate_limit_is_throttled_for_whole_seconds() -> None:
    refused = refused_by_platform(RateLimited("tg.flood", "Подождите", retry_after=2.2))
    assert refused.kind is Kind.THROTTLED and refused.retry_after == 3


@dataclass
class Refusing(ScriptedProvider):
    error: PlatformError | None = None

    async def verify(self, *, credentials: Credentials) -> AccountInfo:
        assert self.error is not None
        raise self.error


async def _connect(world: EngineWorld) -> object:
    async with transaction(world.runtime.session_factory) as session:
        user = await session.merge(world.user)
        return await connect_token(session, world.runtime, user, Platform.TELEGRAM, BOT)


async def test_a_refused_bot_is_a_refusal_with_the_platforms_code(world_factory) -> None:
    error = Permanent("telegram.forbidden", "Бот не является админом канала")
    world = await world_factory(lambda p: Refusing(error=error))
    with pytest.raises(Refused, match=r"telegram\.forbidden") as refused:
        await _connect(world)
    assert refused.value.kind is Kind.INVALID


async def test_connect_attempts_are_counted_before_the_platform_is_asked(world_factory) -> None:
    world = await world_factory(lambda p: ScriptedProvider(), connect_attempts_per_hour=1)
    await _connect(world)
    with pytest.raises(Refused, match="rate_limited") as throttled:
        await _connect(world)
    assert throttled.value.kind is Kind.THROTTLED


async def test_a_plan_without_the_platform_forbids_connecting_it(world_factory) -> None:
    world = await world_factory(lambda p: ScriptedProvider())
    async with transaction(world.runtime.session_factory) as session:
        user = await session.get(User, world.user.id)
        assert user is not None
        user.plan = Plan.START
        with pytest.raises(Refused, match="plan_excludes_platform") as forbidden:
            await start_oauth(session, world.runtime, user, Platform.DZEN)
        assert forbidden.value.kind is Kind.FORBIDDEN
        with pytest.raises(Refused, match="not_found"):
            await start_oauth(session, world.runtime, user, Platform.TELEGRAM)
