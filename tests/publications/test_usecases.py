"""publish_clip and cancel_for_connection called directly, as the API and the pages call them."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from autopost.db import transaction
from autopost.platforms.catalog import Platform
from autopost.publications.models import Publication, PublicationEvent, PublicationStatus
from autopost.publications.usecases import TargetChoice, cancel_for_connection, publish_clip
from autopost.queue import Outbox
from autopost.refusals import Kind, Refused
from autopost.workspaces.access import resolve_member
from tests.support.engine import EngineWorld
from tests.support.fake_provider import ScriptedProvider


async def _publish(
    world: EngineWorld,
    *targets: TargetChoice,
    clip_id: uuid.UUID | None = None,
    key: str | None = None,
) -> list[Publication]:
    """Publish now (no worker runs here, so the publications stay scheduled)."""
    outbox = Outbox()
    async with transaction(world.runtime.session_factory) as session:
        member = await resolve_member(session, await session.merge(world.user), None)
        publications = await publish_clip(
            session, outbox, world.runtime, member, clip_id or world.clip.id, targets, None, key
        )
    await world.flush(outbox)
    return publications


def _to(world: EngineWorld, platform: Platform, title: str | None = None) -> TargetChoice:
    return TargetChoice(world.connections[platform].id, title)


async def test_one_idempotency_key_replays_and_refuses_a_different_request(world_factory) -> None:
    world = await world_factory(lambda p: ScriptedProvider())
    first = await _publish(world, _to(world, Platform.VK), key="order-1")
    again = await _publish(world, _to(world, Platform.VK), key="order-1")
    assert [p.id for p in again] == [p.id for p in first]
    with pytest.raises(Refused, match="idempotency_conflict") as refused:
        await _publish(world, _to(world, Platform.VK, "Другой"), key="order-1")
    assert refused.value.kind is Kind.INVALID
    # Without a key the same request is a second publication, refused as a live duplicate.
    with pytest.raises(Refused, match="already_live") as duplicate:
        await _publish(world, _to(world, Platform.VK))
    assert duplicate.value.kind is Kind.CONFLICT


async def test_texts_left_out_are_the_clips_own(world_factory) -> None:
    world = await world_factory(lambda p: ScriptedProvider())
    [own, typed] = await _publish(world, _to(world, Platform.VK), _to(world, Platform.DZEN, "Своё"))
    assert own.title == world.clip.title and typed.title == "Своё"


async def test_someone_elses_clip_or_account_is_not_found(world_factory) -> None:
    world = await world_factory(lambda p: ScriptedProvider())
    other = await world_factory(lambda p: ScriptedProvider())
    for refused_call in (
        _publish(world, _to(world, Platform.VK), clip_id=other.clip.id),
        _publish(world, _to(other, Platform.VK)),
    ):
        with pytest.raises(Refused, match="not_found") as refused:
            await refused_call
        assert refused.value.kind is Kind.NOT_FOUND


async def test_nothing_chosen_is_refused(world_factory) -> None:
    world = await world_factory(lambda p: ScriptedProvider())
    with pytest.raises(Refused, match="no_targets"):
        await _publish(world)


async def test_the_publish_limit_counts_every_request(world_factory) -> None:
    world = await world_factory(lambda p: ScriptedProvider(), publish_requests_per_minute=1)
    with pytest.raises(Refused, match="no_targets"):
        await _publish(world)
    with pytest.raises(Refused, match="rate_limited") as throttled:
        await _publish(world, _to(world, Platform.VK))
    assert throttled.value.kind is Kind.THROTTLED and 0 < (throttled.value.retry_after or 0) <= 60


async def test_cancel_for_connection_cancels_only_its_scheduled_ones(world_factory) -> None:
    world = await world_factory(lambda p: ScriptedProvider())
    vk, telegram = world.connections[Platform.VK], world.connections[Platform.TELEGRAM]
    [on_vk, on_telegram] = await _publish(world, _to(world, Platform.VK), _to(world, Platform.TELEGRAM))
    assert await world.runtime.queues.job_state(on_vk.id, Platform.VK) == "waiting"
    outbox = Outbox()
    async with transaction(world.runtime.session_factory) as session:
        assert await cancel_for_connection(session, outbox, vk) == 1
    await world.flush(outbox)
    assert (await world.publication(on_vk.id)).status is PublicationStatus.CANCELLED
    assert (await world.publication(on_telegram.id)).status is PublicationStatus.SCHEDULED
    assert await world.runtime.queues.job_state(on_vk.id, Platform.VK) == "unknown"
    async with transaction(world.runtime.session_factory) as session:
        last = await session.scalar(
            select(PublicationEvent)
            .where(PublicationEvent.publication_id == on_vk.id)
            .order_by(PublicationEvent.created_at.desc())
        )
        assert last is not None and (last.kind, last.data) == ("cancelled", {"by": "disconnect"})
        assert await cancel_for_connection(session, Outbox(), telegram) == 1
        assert await cancel_for_connection(session, Outbox(), telegram) == 0
