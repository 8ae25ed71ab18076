"""Posting slots: the weekly times an account posts at, and the next one still free.

A slot is a weekday and a wall-clock time in the workspace's time zone (Mon–Fri 18:00 is five
slots). Free means the account has no live publication at that instant.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from itertools import groupby
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.connections.models import Connection
from autopost.connections.queries import owned_connection
from autopost.db import utcnow
from autopost.publications.models import LIVE_STATUSES, Publication
from autopost.publications.usecases import TargetChoice, publish_clip
from autopost.queue import Outbox
from autopost.refusals import Refused
from autopost.runtime import Runtime
from autopost.series.models import PostingSlot
from autopost.series.plan import local_instant, parse_clock
from autopost.settings import Settings
from autopost.workspaces.access import Action, Member

# How far ahead "the next free slot" looks: past this every slot is taken, which says "none".
LOOKAHEAD_DAYS = 92
MAX_SLOTS = 7 * 12


@dataclass(frozen=True)
class Slot:
    weekday: int
    clock: time

    @property
    def text(self) -> str:
        return self.clock.strftime("%H:%M")


def slots_of_rows(rows: Sequence[PostingSlot]) -> list[Slot]:
    found = [Slot(r.weekday, time(r.minute // 60, r.minute % 60)) for r in rows]
    return sorted(found, key=lambda s: (s.weekday, s.clock))


async def list_slots(session: AsyncSession, member: Member, connection_id: uuid.UUID) -> list[Slot]:
    connection = await owned_connection(session, member, connection_id)
    return await _slots(session, connection)


async def _slots(session: AsyncSession, connection: Connection) -> list[Slot]:
    rows = (
        await session.scalars(select(PostingSlot).where(PostingSlot.connection_id == connection.id))
    ).all()
    return slots_of_rows(rows)


def parse_slots(weekdays: Sequence[int], times: Sequence[str]) -> list[Slot]:
    """Each chosen weekday at each time (Mon–Fri × 18:00 → five slots); duplicates collapse."""
    if any(not 0 <= day <= 6 for day in weekdays):
        raise Refused("slot_weekday_invalid")
    slots = {Slot(day, parse_clock(value)) for day in weekdays for value in times}
    if len(slots) > MAX_SLOTS:
        raise Refused("slots_too_many", limit=MAX_SLOTS)
    return sorted(slots, key=lambda s: (s.weekday, s.clock))


async def set_slots(
    session: AsyncSession, member: Member, connection_id: uuid.UUID, slots: Sequence[Slot]
) -> list[Slot]:
    """Replace the account's slots (an empty list clears them)."""
    connection = await owned_connection(session, member, connection_id, to=Action.EDIT)
    await session.execute(delete(PostingSlot).where(PostingSlot.connection_id == connection.id))
    session.add_all(
        PostingSlot(
            workspace_id=member.workspace_id,
            connection_id=connection.id,
            weekday=slot.weekday,
            minute=slot.clock.hour * 60 + slot.clock.minute,
        )
        for slot in slots
    )
    await session.flush()
    return await _slots(session, connection)


async def next_free_slot(
    session: AsyncSession, settings: Settings, member: Member, connection: Connection, now: datetime
) -> datetime | None:
    """The account's first slot after now (and the minimum lead) with no live publication at it."""
    slots = await _slots(session, connection)
    if not slots:
        return None
    zone = ZoneInfo(member.workspace.time_zone)
    earliest = now + timedelta(seconds=settings.min_schedule_lead_seconds)
    taken = set(
        (
            await session.scalars(
                select(Publication.scheduled_at).where(
                    Publication.connection_id == connection.id,
                    Publication.status.in_(LIVE_STATUSES),
                    Publication.scheduled_at >= earliest,
                )
            )
        ).all()
    )
    today = earliest.astimezone(zone).date()
    for offset in range(LOOKAHEAD_DAYS):
        day = today + timedelta(days=offset)
        for slot in (s for s in slots if s.weekday == day.weekday()):
            at = local_instant(day, slot.clock, zone)
            if at >= earliest and at not in taken:
                return at
    return None


async def publish_in_next_slots(
    session: AsyncSession,
    outbox: Outbox,
    runtime: Runtime,
    member: Member,
    clip_id: uuid.UUID,
    targets: Sequence[TargetChoice],
) -> list[Publication]:
    """ "In the next slot": each account at its own next free slot, through publish_clip; all or none."""
    member.require(Action.EDIT)
    if not targets:
        raise Refused("no_targets")
    now, times, missing = utcnow(), {}, []
    for target in targets:
        connection = await owned_connection(session, member, target.connection_id, revoked_too=True)
        at = await next_free_slot(session, runtime.settings, member, connection, now)
        if at is None:
            refusal = Refused("no_free_slot", platform=connection.platform.value)
            refusal.about = connection.id
            missing.append(refusal)
        times[target.connection_id] = at
    if missing:
        raise Refused.first_of(missing)
    staged, made = Outbox(), []
    # One publish per distinct time; a refusal of a later one rolls the earlier ones back too.
    async with session.begin_nested():
        ordered = sorted(targets, key=lambda t: times[t.connection_id] or now)
        for at, group in groupby(ordered, key=lambda t: times[t.connection_id]):
            made += await publish_clip(session, staged, runtime, member, clip_id, list(group), at)
    outbox.absorb(staged)
    return made
