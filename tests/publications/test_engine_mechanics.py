"""The engine's mechanics over real Redis and PostgreSQL/SQLite, with a scripted provider.

These prove the queue and state machine; the sandbox tests prove real platforms.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from autopost.db import transaction, utcnow
from autopost.i18n import render
from autopost.platforms.catalog import Platform
from autopost.platforms.errors import Permanent, RateLimited, Transient
from autopost.publications.models import PublicationStatus
from autopost.publications.rules import Target
from autopost.publications.tasks import EARLY_TOLERANCE
from autopost.publications.usecases import cancel, create_publications, reschedule, retry
from autopost.queue import Outbox
from autopost.refusals import Kind, Refused
from autopost.workspaces.access import resolve_member
from tests.support.engine import EngineWorld
from tests.support.fake_provider import ScriptedProvider


async def _publish(
    world: EngineWorld, platform: Platform = Platform.TELEGRAM, scheduled_in: float | None = None
):
    outbox = Outbox()
    scheduled_at = utcnow() + timedelta(seconds=scheduled_in) if scheduled_in else None
    async with transaction(world.runtime.session_factory) as session:
        user = await session.merge(world.user)
        clip = await session.merge(world.clip)
        connection = await session.merge(world.connections[platform])
        [publication] = await create_publications(
            session,
            outbox,
            world.runtime.settings,
            member=await resolve_member(session, user, None),
            clip=clip,
            targets=[Target(connection, "Заголовок", "Описание")],
            scheduled_at=scheduled_at,
        )
    await world.flush(outbox)
    return publication.id


async def test_publish_now_reaches_published_once(world_factory) -> None:
    provider = ScriptedProvider(processing_polls=2)
    world = await world_factory(lambda p: provider)
    await world.start_worker()
    publication_id = await _publish(world)
    publication = await world.wait_for(publication_id)
    assert publication.status is PublicationStatus.PUBLISHED
    assert publication.remote_url == "https://example.test/1"
    assert publication.attempts == 1 and publication.progress == 100
    assert len(provider.posts) == 1
    assert provider.posts[0]["sha256"] == world.clip.sha256
    events = await world.events(publication_id)
    assert events[0] == "created" and events[-1] == "published" and "processing" in events


async def test_transient_failures_retry_then_succeed(world_factory) -> None:
    provider = ScriptedProvider(script=[Transient("x.down", "HTTP 503"), Transient("x.down", "HTTP 503")])
    world = await world_factory(lambda p: provider)
    await world.start_worker()
    publication = await world.wait_for(await _publish(world))
    assert publication.status is PublicationStatus.PUBLISHED
    assert publication.attempts == 3
    assert len(provider.posts) == 1
    assert (await world.events(publication.id)).count("retry_scheduled") == 2


async def test_transient_failures_give_up_after_three_retries(world_factory) -> None:
    provider = ScriptedProvider(script=[Transient("x.down", "HTTP 503")] * 5)
    world = await world_factory(lambda p: provider)
    await world.start_worker()
    publication = await world.wait_for(await _publish(world))
    assert publication.status is PublicationStatus.FAILED
    assert publication.attempts == 4
    assert publication.error_code == "attempts_exhausted"
    assert publication.error_params == {"platform": "telegram", "attempts": 4, "cause": "x.down"}
    assert render("attempts_exhausted", "ru", **publication.error_params) == (
        "Telegram не отвечает: попытки закончились (4). Нажмите «Повторить» позже"
    )


async def test_permanent_failure_fails_at_once(world_factory) -> None:
    provider = ScriptedProvider(script=[Permanent("telegram.not_admin", "bot status member")])
    world = await world_factory(lambda p: provider)
    await world.start_worker()
    publication = await world.wait_for(await _publish(world))
    assert publication.status is PublicationStatus.FAILED
    assert publication.attempts == 1
    assert publication.error_code == "telegram.not_admin"
    assert render("telegram.not_admin", "ru", **publication.error_params) == "Бот не является админом канала"


async def test_rate_limit_waits_without_using_an_attempt(world_factory) -> None:
    provider = ScriptedProvider(
        script=[RateLimited("telegram.rate_limited", "HTTP 429", retry_after=0.5)] * 2
    )
    world = await world_factory(lambda p: provider)
    await world.start_worker()
    publication = await world.wait_for(await _publish(world))
    assert publication.status is PublicationStatus.PUBLISHED
    assert publication.attempts == 1
    assert (await world.events(publication.id)).count("rate_limited") == 2


async def test_scheduled_publication_fires_and_can_be_rescheduled(world_factory) -> None:
    provider = ScriptedProvider()
    # No minimum lead: on a loaded machine the time between computing a time and checking it
    # may exceed any lead (the refusal, scheduled_too_soon, has tests of its own).
    world = await world_factory(lambda p: provider, min_schedule_lead_seconds=0)
    await world.start_worker()
    # Far first, then brought forward: the first time cannot fire before the reschedule lands.
    publication_id = await _publish(world, scheduled_in=60)
    first_time = (await world.publication(publication_id)).scheduled_at
    new_time = utcnow() + timedelta(seconds=2)
    outbox = Outbox()
    async with transaction(world.runtime.session_factory) as session:
        publication = await session.get(type(await world.publication(publication_id)), publication_id)
        await reschedule(session, outbox, world.runtime.settings, publication, new_time)
    await world.flush(outbox)
    publication = await world.wait_for(publication_id)
    assert publication.status is PublicationStatus.PUBLISHED
    # At the new time, give or take the claim's early tolerance; long before the first one.
    assert new_time - EARLY_TOLERANCE <= publication.published_at < first_time
    assert len(provider.posts) == 1


async def test_cancel_removes_the_scheduled_job(world_factory) -> None:
    provider = ScriptedProvider()
    world = await world_factory(lambda p: provider)
    await world.start_worker(periodic=False)  # the sweeper is tested on its own
    publication_id = await _publish(world, scheduled_in=1.5)
    outbox = Outbox()
    async with transaction(world.runtime.session_factory) as session:
        publication = await session.get(type(await world.publication(publication_id)), publication_id)
        await cancel(session, outbox, publication)
    await world.flush(outbox)
    assert await world.runtime.queues.job_state(publication_id, Platform.TELEGRAM) == "unknown"
    await world.wait_for(publication_id, timeout=1)  # already terminal
    import asyncio

    await asyncio.sleep(2.5)
    assert (await world.publication(publication_id)).status is PublicationStatus.CANCELLED
    assert provider.posts == []


async def test_running_publication_cannot_be_cancelled(world_factory) -> None:
    provider = ScriptedProvider(upload_delay=0.2)
    world = await world_factory(lambda p: provider)
    await world.start_worker()
    publication_id = await _publish(world)
    await world.wait_for(publication_id, lambda p: p.status is PublicationStatus.PUBLISHING)
    async with transaction(world.runtime.session_factory) as session:
        publication = await session.get(type(await world.publication(publication_id)), publication_id)
        with pytest.raises(Refused, match="already_publishing") as refused:
            await cancel(session, Outbox(), publication)
        assert refused.value.kind is Kind.CONFLICT
    assert (await world.wait_for(publication_id)).status is PublicationStatus.PUBLISHED


async def test_retry_of_a_failed_publication(world_factory) -> None:
    provider = ScriptedProvider(script=[Permanent("x.bad", "HTTP 400")])
    world = await world_factory(lambda p: provider)
    await world.start_worker()
    publication_id = await _publish(world)
    assert (await world.wait_for(publication_id)).status is PublicationStatus.FAILED
    outbox = Outbox()
    async with transaction(world.runtime.session_factory) as session:
        publication = await session.get(type(await world.publication(publication_id)), publication_id)
        await retry(session, outbox, publication)
    await world.flush(outbox)
    publication = await world.wait_for(publication_id, lambda p: p.status is PublicationStatus.PUBLISHED)
    assert len(provider.posts) == 1


async def test_sweeper_restores_jobs_lost_with_redis(world_factory) -> None:
    provider = ScriptedProvider()
    world = await world_factory(lambda p: provider)
    platforms = [Platform.TELEGRAM, Platform.VK, Platform.RUTUBE]
    ids = [await _publish(world, platform, scheduled_in=1.5) for platform in platforms]
    # Redis loses everything (e.g. restarted empty) before any worker ran.
    keys = [k async for k in world.runtime.redis.scan_iter(match=f"{world.runtime.queues.prefix}:*")]
    await world.runtime.redis.delete(*keys)
    assert await world.runtime.queues.job_state(ids[0], Platform.TELEGRAM) == "unknown"
    with pytest.raises(Refused, match="already_live") as refused:
        await _publish(world, Platform.VK, scheduled_in=2)
    assert refused.value.params == {"platform": "vk"}
    await world.start_worker()
    for publication_id in ids:
        assert (await world.wait_for(publication_id)).status is PublicationStatus.PUBLISHED
        assert "requeued" in await world.events(publication_id)
    assert len(provider.posts) == 3


async def test_expired_token_is_refreshed_once_and_publication_continues(world_factory) -> None:
    from autopost.platforms.errors import AuthExpired

    provider = ScriptedProvider(script=[AuthExpired("vk.token_expired", "VK error 5")])
    world = await world_factory(lambda p: provider)
    await world.start_worker()
    publication = await world.wait_for(await _publish(world, Platform.VK))
    assert publication.status is PublicationStatus.PUBLISHED
    assert provider.refreshes == 1
    assert provider.tokens_seen == ["token-vk", "fresh-1"]


async def test_failed_refresh_marks_the_connection_for_reconnect(world_factory) -> None:
    from autopost.connections.models import Connection, ConnectionStatus
    from autopost.platforms.errors import AuthExpired

    provider = ScriptedProvider(script=[AuthExpired("vk.token_expired", "VK error 5")], refresh_fails=True)
    world = await world_factory(lambda p: provider)
    await world.start_worker()
    publication = await world.wait_for(await _publish(world, Platform.VK))
    assert publication.status is PublicationStatus.FAILED
    assert publication.error_code == "token_expired"
    assert render(publication.error_code, "ru") == "Токен истёк, переподключите платформу"
    async with transaction(world.runtime.session_factory) as session:
        connection = await session.get(Connection, world.connections[Platform.VK].id)
        assert connection.status is ConnectionStatus.NEEDS_RECONNECT
