"""Webhook deliveries end to end: a publication publishes, the worker's alert pass plans a delivery,
the "webhooks" queue posts it to a real receiver, which checks the signature on its own."""

from __future__ import annotations

import json
import time
from datetime import timedelta

from autopost.alerts.models import Alert
from autopost.db import transaction, utcnow
from autopost.platforms.catalog import Platform
from autopost.publications.models import PublicationStatus
from autopost.webhooks import usecases
from autopost.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from autopost.webhooks.tasks import deliver, plan_webhooks, sweep_webhooks
from autopost.workspaces.access import resolve_member
from autopost_testing.receiver import Receiver, serve_receiver
from tests.support.stack import Stack, StackFactory
from tests.webhooks.support import deliveries, register, settled, verify


def _stack_options(receiver: Receiver, **more: object) -> dict[str, object]:
    return {
        "allowed_internal_hosts": f"127.0.0.1:{receiver.port}",
        "alerts_interval_seconds": 0.2,
        "webhook_backoff_seconds": 0.1,
        **more,
    }


async def test_a_published_clip_reaches_the_receiver_once_after_two_500s(stack_factory: StackFactory) -> None:
    with serve_receiver(answers=[500, 500]) as receiver:
        stack = await stack_factory(**_stack_options(receiver))
        endpoint_id, secret = await register(stack, receiver.url)
        telegram = await stack.connect(Platform.TELEGRAM)
        await stack.start_worker()
        [publication_id] = await stack.publish(telegram)
        assert (await stack.wait_for(publication_id)).status is PublicationStatus.PUBLISHED

        delivery = await settled(stack, endpoint_id)
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
            DeliveryStatus.DELIVERED,
            3,
            200,
        )
        assert delivery.delivered_at is not None and delivery.last_error is None
        assert len(receiver.received) == 3
        # The same bytes every time (one delivery id, receivers dedupe by it), each signed afresh.
        assert len({r.body for r in receiver.received}) == 1
        assert all(verify(secret, r) for r in receiver.received)
        assert not verify("whsec_another", receiver.received[0])
        body = json.loads(receiver.received[0].body)
        assert body["id"] == str(delivery.id)
        assert body["event"] == "publication.published"
        assert body["workspace_id"] == str(stack.user.id)
        assert body["data"]["publication_id"] == str(publication_id)
        assert set(body) == {"id", "event", "created_at", "workspace_id", "data"}
        for received in receiver.received:
            assert received.headers["x-autopost-event"] == "publication.published"
            assert received.headers["x-autopost-delivery"] == str(delivery.id)
            assert received.headers["content-type"] == "application/json"
            assert abs(int(received.headers["x-autopost-timestamp"]) - time.time()) < 600

        # A duplicate of an attempt already made (a re-run job) sends nothing.
        await deliver(stack.runtime, delivery.id, 2)
        assert len(receiver.received) == 3

        # «Повторить» from the log: one more attempt, the same delivery id and body.
        async with stack.work() as (session, outbox):
            member = await resolve_member(session, await session.merge(stack.user), None)
            await usecases.retry_delivery(session, outbox, member, endpoint_id, delivery.id)
        retried = await settled(stack, endpoint_id)
        assert (retried.id, retried.status, retried.attempts) == (delivery.id, DeliveryStatus.DELIVERED, 4)
        assert len(receiver.received) == 4 and receiver.received[3].body == receiver.received[0].body
        assert verify(secret, receiver.received[3])


async def test_a_receiver_that_keeps_failing_ends_failed_and_the_log_says_why(
    stack_factory: StackFactory,
) -> None:
    with serve_receiver(answers=[503] * 10) as receiver:
        stack = await stack_factory(**_stack_options(receiver, webhook_attempts=2))
        endpoint_id, _ = await register(stack, receiver.url)
        telegram = await stack.connect(Platform.TELEGRAM)
        await stack.start_worker()
        [publication_id] = await stack.publish(telegram)
        await stack.wait_for(publication_id)
        delivery = await settled(stack, endpoint_id)
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 2)
        assert (delivery.last_status_code, delivery.last_error) == (503, "status")
        assert len(receiver.received) == 2


async def test_a_delivery_whose_job_was_lost_is_swept_and_an_unreachable_url_is_noted(
    stack_factory: StackFactory,
) -> None:
    with serve_receiver() as receiver:
        stack = await stack_factory(**_stack_options(receiver, webhook_attempts=1))
        endpoint_id, secret = await register(stack, receiver.url)
    # The receiver is gone now: its port answers nothing.
    async with transaction(stack.runtime.session_factory) as session:
        endpoint = await session.get_one(WebhookEndpoint, endpoint_id)
        lost = WebhookDelivery(
            endpoint_id=endpoint.id,
            workspace_id=endpoint.workspace_id,
            event="publication.failed",
            dedup_key="publication.failed:lost",
            body="{}",
            max_attempts=1,
            next_attempt_at=utcnow() - timedelta(seconds=120),
        )
        # Its last attempt was taken (the counter is up) and lost with its worker: it is failed.
        interrupted = WebhookDelivery(
            endpoint_id=endpoint.id,
            workspace_id=endpoint.workspace_id,
            event="publication.failed",
            dedup_key="publication.failed:interrupted",
            body="{}",
            attempts=1,
            max_attempts=1,
            next_attempt_at=utcnow() - timedelta(seconds=120),
        )
        session.add_all([lost, interrupted])
    await stack.start_worker(periodic=False)
    assert await sweep_webhooks(stack.runtime) >= 1
    async with stack.runtime.session_factory() as session:
        ended = await session.get_one(WebhookDelivery, interrupted.id)
        assert (ended.status, ended.last_error, ended.attempts) == (DeliveryStatus.FAILED, "interrupted", 1)
        await session.delete(ended)
        await session.commit()
    delivery = await settled(stack, endpoint_id)
    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        DeliveryStatus.FAILED,
        1,
        "unreachable",
    )
    assert delivery.last_status_code is None
    assert secret not in (delivery.body, delivery.last_error)


async def test_only_active_endpoints_that_want_the_event_get_a_delivery_and_only_once(stack: Stack) -> None:
    wanted, paused, other = [(await register(stack, f"https://93.184.216.34/{n}"))[0] for n in range(3)]
    async with stack.work() as (session, _):
        member = await resolve_member(session, await session.merge(stack.user), None)
        await usecases.update_endpoint(session, member, paused, active=False)
        await usecases.update_endpoint(session, member, other, events=["approval.decided"])
    alert = Alert(
        workspace_id=stack.user.id,
        kind="publication.failed",
        subject_id=None,
        dedup_key="publication.failed:planned-once",
        data={"code": "attempts_exhausted"},
        created_at=utcnow(),
    )
    for _ in range(2):  # a second pass over the same happening plans nothing more
        async with transaction(stack.runtime.session_factory) as session:
            await plan_webhooks(session, stack.runtime, alert)
    [delivery] = await deliveries(stack, wanted)
    assert (delivery.event, delivery.status, delivery.attempts) == (
        "publication.failed",
        DeliveryStatus.PENDING,
        0,
    )
    assert json.loads(delivery.body)["data"] == {"code": "attempts_exhausted"}
