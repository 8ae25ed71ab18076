"""Planning a series: N clips over dates at each account's time; the preview and the confirmation.

The preview (dry run) and the confirmation compute the same plan. Confirming creates every
publication through publications.usecases.create_publications (the publish rules, the unique
"once per account" indexes) in the caller's one transaction: one refused target refuses the whole
series, and the request's rollback leaves nothing behind.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import groupby
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.clips.models import Clip
from autopost.clips.queries import owned_clip
from autopost.clips.texts import stored_description, stored_title
from autopost.connections.models import Connection
from autopost.connections.queries import owned_connection
from autopost.db import utcnow
from autopost.publications.idempotency import claim_key, request_hash
from autopost.publications.models import LIVE_STATUSES, TAKEN_STATUSES, Publication, PublicationStatus
from autopost.publications.rules import Target, check_schedule, check_target
from autopost.publications.usecases import create_publications
from autopost.queue import Outbox
from autopost.refusals import Kind, Refused
from autopost.runtime import Runtime
from autopost.security.ratelimit import enforce_limit
from autopost.series.models import Series
from autopost.series.plan import Cadence, local_instant, parse_clock, series_dates
from autopost.settings import Settings
from autopost.workspaces.access import Action, Member

MAX_CLIPS = 100
MAX_ACCOUNTS = 20


@dataclass(frozen=True)
class SeriesAsk:
    """What the series dialog and POST /api/v1/series ask for."""

    clip_ids: Sequence[uuid.UUID]
    start_date: date
    cadence: Cadence
    # Connection id -> "HH:MM" in the workspace's time zone.
    times: Mapping[uuid.UUID, str]
    skip_dates: frozenset[date] = field(default_factory=frozenset)

    def digest(self) -> str:
        """The request's fingerprint for its Idempotency-Key (the same key must mean the same series)."""
        return request_hash(
            {
                "series": [str(i) for i in self.clip_ids],
                "start": self.start_date,
                "every_days": self.cadence.every_days,
                "weekdays": sorted(self.cadence.weekdays or ()),
                "times": {str(k): v for k, v in sorted(self.times.items())},
                "skip": sorted(self.skip_dates),
            }
        )


@dataclass
class Planned:
    """One publication of the plan: a clip to an account at an instant, and why it cannot be, if so."""

    clip: Clip
    connection: Connection
    day: date
    scheduled_at: datetime
    problem: Refused | None = None
    # The account already has another live publication at this very time (shown, not refused).
    conflict: bool = False


async def plan_series(
    session: AsyncSession, settings: Settings, member: Member, ask: SeriesAsk
) -> list[Planned]:
    """The whole plan, each entry with its problem (if any): what the preview table shows."""
    member.require(Action.EDIT)
    if not ask.clip_ids or not ask.times:
        raise Refused("series_empty")
    if len(ask.clip_ids) > MAX_CLIPS or len(ask.times) > MAX_ACCOUNTS:
        raise Refused("series_too_big", clips=MAX_CLIPS, accounts=MAX_ACCOUNTS)
    if len(set(ask.clip_ids)) != len(ask.clip_ids):
        raise Refused("series_duplicate_clip")
    clips = [await owned_clip(session, member, clip_id) for clip_id in ask.clip_ids]
    connections = [
        await owned_connection(session, member, connection_id, revoked_too=True)
        for connection_id in ask.times
    ]
    clocks = {connection_id: parse_clock(value) for connection_id, value in ask.times.items()}
    dates = series_dates(ask.start_date, len(clips), ask.cadence, ask.skip_dates)
    zone = ZoneInfo(member.workspace.time_zone)
    taken = await _taken(session, [c.id for c in clips], [c.id for c in connections])
    busy = await _busy(session, [c.id for c in connections])
    now = utcnow()
    plan = []
    for clip, day in zip(clips, dates, strict=True):
        for connection in connections:
            at = local_instant(day, clocks[connection.id], zone)
            item = Planned(clip, connection, day, at, conflict=(connection.id, at) in busy)
            item.problem = _problem(settings, member, item, taken.get((clip.id, connection.id)), now)
            plan.append(item)
    return plan


def _problem(
    settings: Settings, member: Member, item: Planned, taken: PublicationStatus | None, now: datetime
) -> Refused | None:
    """The first rule the entry breaks (the same rules publish_clip applies), else None."""
    platform = item.connection.platform.value
    if taken is PublicationStatus.PUBLISHED:
        return Refused("already_published", Kind.CONFLICT, platform=platform)
    if taken is not None:
        return Refused("already_live", Kind.CONFLICT, platform=platform)
    try:
        check_schedule(settings, item.scheduled_at, now)
        check_target(settings, member.workspace, item.clip, _target(item))
    except Refused as refusal:
        return refusal
    return None


def _target(item: Planned) -> Target:
    return Target(item.connection, stored_title(item.clip.title), stored_description(item.clip.description))


async def _taken(
    session: AsyncSession, clip_ids: list[uuid.UUID], connection_ids: list[uuid.UUID]
) -> dict[tuple[uuid.UUID, uuid.UUID], PublicationStatus]:
    """Where a clip already is (live or published) on one of the accounts: "once per account"."""
    rows = await session.execute(
        select(Publication.clip_id, Publication.connection_id, Publication.status).where(
            Publication.clip_id.in_(clip_ids),
            Publication.connection_id.in_(connection_ids),
            Publication.status.in_(TAKEN_STATUSES),
        )
    )
    found: dict[tuple[uuid.UUID, uuid.UUID], PublicationStatus] = {}
    for clip_id, connection_id, status in rows:
        # Published wins: it is the stronger reason (a live one may still be cancelled).
        if found.get((clip_id, connection_id)) is not PublicationStatus.PUBLISHED:
            found[(clip_id, connection_id)] = status
    return found


async def _busy(session: AsyncSession, connection_ids: list[uuid.UUID]) -> set[tuple[uuid.UUID, datetime]]:
    """The future instants these accounts already have a live publication at."""
    rows = await session.execute(
        select(Publication.connection_id, Publication.scheduled_at).where(
            Publication.connection_id.in_(connection_ids),
            Publication.status.in_(LIVE_STATUSES),
            Publication.scheduled_at > utcnow(),
        )
    )
    return {(connection_id, at) for connection_id, at in rows if at is not None}


async def create_series(
    session: AsyncSession,
    outbox: Outbox,
    runtime: Runtime,
    member: Member,
    ask: SeriesAsk,
    idempotency_key: str | None = None,
) -> list[Publication]:
    """Confirm the plan: a Series row and all its publications, or a refusal and nothing."""
    settings = runtime.settings
    member.require(Action.EDIT)
    await enforce_limit(
        runtime.redis,
        settings.redis_namespace,
        f"publish:{member.user.id}",
        limit=settings.publish_requests_per_minute,
        window_seconds=60,
    )
    staged = Outbox()
    # A page answers a refusal with its form and commits the request's transaction: this savepoint
    # makes a refused series leave nothing behind (no claimed key, series row, publication or job).
    async with session.begin_nested():
        publications = await _confirm(session, staged, settings, member, ask, idempotency_key)
    outbox.absorb(staged)
    return publications


async def _confirm(
    session: AsyncSession,
    outbox: Outbox,
    settings: Settings,
    member: Member,
    ask: SeriesAsk,
    idempotency_key: str | None,
) -> list[Publication]:
    claim = None
    if idempotency_key:
        found = await claim_key(session, member, idempotency_key, ask.digest())
        if isinstance(found, list):
            return found
        claim = found
    plan = await plan_series(session, settings, member, ask)
    problems = []
    for item in plan:
        if item.problem is not None:
            item.problem.about = f"{item.clip.id}:{item.connection.id}"
            problems.append(item.problem)
    if problems:
        raise Refused.first_of(problems)
    series = Series(workspace_id=member.workspace_id, created_by_id=member.user.id, spec=_spec(ask))
    session.add(series)
    await session.flush()
    publications = []
    # One create_publications per clip and instant: its rules, its indexes, its queueing.
    for (clip, at), items in groupby(plan, key=lambda p: (p.clip, p.scheduled_at)):
        publications += await create_publications(
            session,
            outbox,
            settings,
            member=member,
            clip=clip,
            targets=[_target(item) for item in items],
            scheduled_at=at,
            series_id=series.id,
        )
    if claim is not None:
        claim.publication_ids = [str(p.id) for p in publications]
    return publications


def _spec(ask: SeriesAsk) -> dict[str, object]:
    return {
        "clip_ids": [str(i) for i in ask.clip_ids],
        "start_date": ask.start_date.isoformat(),
        "every_days": ask.cadence.every_days,
        "weekdays": sorted(ask.cadence.weekdays or ()),
        "times": {str(k): v for k, v in ask.times.items()},
        "skip_dates": sorted(d.isoformat() for d in ask.skip_dates),
    }
