"""A series on the real stack, then its clips moved, cancelled and retried everywhere at once:
the sandbox's platforms receive what was moved at the new time and nothing that was cancelled."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from autopost.db import utcnow
from autopost.platforms.catalog import Platform
from autopost.publications import bulk
from autopost.publications.models import PublicationStatus
from autopost.series.plan import Cadence
from autopost.series.usecases import SeriesAsk, create_series
from autopost.workspaces.access import resolve_member
from tests.support.stack import Stack, StackFactory


async def _member(stack: Stack, session):  # type: ignore[no-untyped-def]
    return await resolve_member(session, await session.merge(stack.user), None)


async def test_move_and_cancel_a_series_clip_everywhere(stack: Stack, stack_clip_file) -> None:  # type: ignore[no-untyped-def]
    telegram, vk = await stack.connect(Platform.TELEGRAM), await stack.connect(Platform.VK)
    second = await stack.add_clip(stack_clip_file, "Второй")
    tomorrow = (datetime.now(ZoneInfo("Europe/Moscow")) + timedelta(days=1)).date()
    ask = SeriesAsk(
        clip_ids=[stack.clip.id, second.id],
        start_date=tomorrow,
        cadence=Cadence(every_days=1),
        times={telegram.id: "18:00", vk.id: "19:00"},
    )
    async with stack.work() as (session, outbox):
        made = await create_series(session, outbox, stack.runtime, await _member(stack, session), ask)
    assert len(made) == 4 and len({p.series_id for p in made}) == 1
    await stack.start_worker()

    moved_to = utcnow() + timedelta(seconds=1)
    async with stack.work() as (session, outbox):
        member = await _member(stack, session)
        moved = await bulk.reschedule_clip(session, outbox, stack.settings, member, stack.clip.id, moved_to)
        cancelled = await bulk.cancel_clip(session, outbox, member, second.id)
    assert len(moved) == 2 and len(cancelled) == 2
    for publication in moved:
        done = await stack.wait_for(publication.id)
        assert done.status is PublicationStatus.PUBLISHED, done.error_code
        assert done.published_at is not None and done.published_at >= moved_to
        assert (await stack.event_kinds(publication.id))[:2] == ["scheduled", "rescheduled"]
        assert (await stack.post_of(done))["remote_id"] == done.remote_id
    for publication in cancelled:
        assert (await stack.publication(publication.id)).status is PublicationStatus.CANCELLED
    assert len(await stack.posts()) == 2
    # Nothing left to move or cancel: both answer with no publications.
    async with stack.work() as (session, outbox):
        member = await _member(stack, session)
        assert await bulk.cancel_clip(session, outbox, member, second.id) == []
        later = utcnow() + timedelta(hours=1)
        assert await bulk.reschedule_clip(session, outbox, stack.settings, member, stack.clip.id, later) == []


async def test_retry_every_failed_publication_of_a_clip(stack_factory: StackFactory) -> None:
    stack = await stack_factory(retry_delays_seconds=[0.1])
    telegram, vk = await stack.connect(Platform.TELEGRAM), await stack.connect(Platform.VK)
    await stack.fault(Platform.TELEGRAM, "server_error", on="sendVideo", count=2)
    await stack.fault(Platform.VK, "server_error", on="video.save", count=2)
    await stack.start_worker()
    ids = await stack.publish(telegram, vk)
    for publication_id in ids:
        assert (await stack.wait_for(publication_id)).status is PublicationStatus.FAILED
    assert await stack.posts() == []
    async with stack.work() as (session, outbox):
        retried = await bulk.retry_clip(session, outbox, await _member(stack, session), stack.clip.id)
    assert sorted(p.id for p in retried) == sorted(ids)
    for publication_id in ids:
        done = await stack.wait_for(publication_id, lambda p: p.status is PublicationStatus.PUBLISHED)
        assert (await stack.post_of(done))["remote_id"] == done.remote_id
    assert len(await stack.posts()) == 2
