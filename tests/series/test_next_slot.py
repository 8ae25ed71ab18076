"""«В ближайший слот» as a use case: each account at its own next free slot, all or none."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from autopost.platforms.catalog import Platform
from autopost.publications.models import Publication
from autopost.publications.usecases import TargetChoice
from autopost.refusals import Refused
from autopost.series.slots import Slot, publish_in_next_slots, set_slots
from autopost.workspaces.access import resolve_member
from tests.support.stack import Stack

MOSCOW = ZoneInfo("Europe/Moscow")


async def _set(stack: Stack, connection_id, clock: time) -> None:  # type: ignore[no-untyped-def]
    async with stack.work() as (session, _):
        member = await resolve_member(session, await session.merge(stack.user), None)
        await set_slots(session, member, connection_id, [Slot(day, clock) for day in range(7)])


async def test_each_account_gets_its_own_slot_and_one_refusal_undoes_all(stack: Stack) -> None:
    telegram, vk = await stack.connect(Platform.TELEGRAM), await stack.connect(Platform.VK)
    await _set(stack, telegram.id, time(9, 0))
    await _set(stack, vk.id, time(21, 30))
    # VK's title is over its 128 characters: refused, and Telegram's publication (made first when its
    # slot comes first) goes with it.
    targets = [TargetChoice(telegram.id), TargetChoice(vk.id, title="х" * 129)]
    async with stack.work() as (session, outbox):
        member = await resolve_member(session, await session.merge(stack.user), None)
        with pytest.raises(Refused) as refused:
            await publish_in_next_slots(session, outbox, stack.runtime, member, stack.clip.id, targets)
        assert refused.value.code == "title_too_long"
        mine = select(func.count()).select_from(Publication).where(Publication.clip_id == stack.clip.id)
        assert await session.scalar(mine) == 0
        assert outbox._adds == []
        made = await publish_in_next_slots(
            session,
            outbox,
            stack.runtime,
            member,
            stack.clip.id,
            [TargetChoice(telegram.id), TargetChoice(vk.id)],
        )
    times = {
        p.connection_id: p.scheduled_at.astimezone(MOSCOW).strftime("%H:%M") for p in made if p.scheduled_at
    }
    assert times == {telegram.id: "09:00", vk.id: "21:30"}
