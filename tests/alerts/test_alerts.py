"""Alerts are written with what they tell of, and each reaches the dispatch pass once."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.alerts.dispatch import AfterCommit, dispatch_alerts
from autopost.alerts.models import Alert
from autopost.connections.models import Connection, ConnectionStatus
from autopost.connections.usecases import check_connection
from autopost.db import transaction
from autopost.platforms.catalog import Platform
from autopost.publications.models import PublicationStatus
from autopost.runtime import Runtime
from tests.support.stack import Stack, StackFactory


async def _alerts(stack: Stack) -> list[Alert]:
    """This test's alerts: the database is shared with the worker's other tests."""
    async with stack.runtime.session_factory() as session:
        query = select(Alert).where(Alert.workspace_id == stack.user.id).order_by(Alert.created_at)
        return list((await session.scalars(query)).all())


async def _nothing(session: AsyncSession, runtime: Runtime, alert: Alert) -> Sequence[AfterCommit]:
    return []


async def test_a_failure_after_retries_is_one_alert_and_a_publication_another(
    stack_factory: StackFactory,
) -> None:
    stack = await stack_factory(retry_delays_seconds=[0.1])
    while await dispatch_alerts(stack.runtime, [_nothing]):  # what earlier tests on this database left
        pass
    vk, telegram = await stack.connect(Platform.VK), await stack.connect(Platform.TELEGRAM)
    await stack.fault(Platform.VK, "server_error", on="video.save", count=2)
    await stack.start_worker(periodic=False)
    failed_id, published_id = await stack.publish(vk, telegram)
    assert (await stack.wait_for(failed_id)).status is PublicationStatus.FAILED
    assert (await stack.wait_for(published_id)).status is PublicationStatus.PUBLISHED

    alerts = await _alerts(stack)
    assert sorted((a.kind, a.subject_id) for a in alerts) == sorted(
        [("publication.failed", failed_id), ("publication.published", published_id)]
    )
    failed = next(a for a in alerts if a.kind == "publication.failed")
    assert failed.workspace_id == stack.user.id  # the personal workspace
    assert failed.data["code"] == "attempts_exhausted" and failed.data["platform"] == "vk"
    assert failed.data["connection_id"] == str(vk.id)

    seen: list[str] = []

    async def plan(session: AsyncSession, runtime: Runtime, alert: Alert) -> Sequence[AfterCommit]:
        seen.append(alert.kind)

        async def after(_: Runtime) -> None:
            seen.append(f"after {alert.kind}")

        return [after]

    assert await dispatch_alerts(stack.runtime, [plan]) == 2
    assert await dispatch_alerts(stack.runtime, [plan]) == 0
    assert sorted(seen) == sorted(
        [
            "publication.failed",
            "publication.published",
            "after publication.failed",
            "after publication.published",
        ]
    )
    assert all(a.dispatched_at is not None for a in await _alerts(stack))


async def test_a_broken_connection_alerts_once_however_often_it_is_found(stack: Stack) -> None:
    bot = await stack.connect(Platform.TELEGRAM)
    await stack.fault(Platform.TELEGRAM, "token_expired", on="getMe", count=2)
    for _ in range(2):
        async with transaction(stack.runtime.session_factory) as session:
            connection = await session.get_one(Connection, bot.id)
            await check_connection(session, stack.runtime, connection)
    connection = await stack.connection(bot.id)
    assert connection.status is ConnectionStatus.NEEDS_RECONNECT
    [alert] = await _alerts(stack)
    assert (alert.kind, alert.subject_id, alert.data["platform"]) == (
        "connection.needs_reconnect",
        bot.id,
        "telegram",
    )
    assert alert.data["code"] == connection.last_error_code
