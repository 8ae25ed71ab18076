"""Connect use cases called directly: platform answers become refusals, the plan gate is "forbidden"."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from autopost.connections.oauth_connect import start_oauth
from autopost.connections.usecases import connect_token, refused_by_platform
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
from autopost.workspaces.access import resolve_member
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
    asked: int = 0

    async def verify(self, *, credentials: Credentials) -> AccountInfo:
        self.asked += 1
        if self.error is None:
            return await super().verify(credentials=credentials)
        raise self.error


async def _connect(world: EngineWorld) -> object:
    async with transaction(world.runtime.session_factory) as session:
        member = await resolve_member(session, await session.merge(world.user), None)
        return await connect_token(session, world.runtime, member, Platform.TELEGRAM, BOT)


async def test_a_refused_bot_is_a_refusal_with_the_platforms_code(world_factory) -> None:
    error = Permanent("telegram.forbidden", "Бот не является админом канала")
    world = await world_factory(lambda p: Refusing(error=error))
    with pytest.raises(Refused, match=r"telegram\.forbidden") as refused:
        await _connect(world)
    assert refused.value.kind is Kind.INVALID


async def test_only_failed_connects_count_and_the_limit_stops_before_the_platform(world_factory) -> None:
    refusing = Refusing()
    world = await world_factory(lambda p: refusing, connect_attempts_per_hour=1)
    await _connect(world)
    await _connect(world)  # a success is not a failure: the limit of one is not reached
    refusing.error = Permanent("telegram.forbidden", "Бот не является админом канала")
    with pytest.raises(Refused, match=r"telegram\.forbidden"):
        await _connect(world)
    refusing.error = None  # the platform would now say yes, but it is not asked
    with pytest.raises(Refused, match="connect_throttled") as throttled:
        await _connect(world)
    assert throttled.value.kind is Kind.THROTTLED
    assert throttled.value.params["minutes"] == 60
    assert refusing.asked == 3


async def test_a_plan_without_the_platform_forbids_connecting_it(world_factory) -> None:
    world = await world_factory(lambda p: ScriptedProvider())
    async with transaction(world.runtime.session_factory) as session:
        user = await session.get(User, world.user.id)
        assert user is not None
        member = await resolve_member(session, user, None)
        member.workspace.plan = Plan.FREE
        with pytest.raises(Refused, match="plan_excludes_platform") as forbidden:
            await start_oauth(session, world.runtime, member, Platform.VK)
        assert forbidden.value.kind is Kind.FORBIDDEN
        with pytest.raises(Refused, match="not_found"):
            await start_oauth(session, world.runtime, member, Platform.TELEGRAM)
