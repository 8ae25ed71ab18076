"""The dispatch pass: hand each new alert to its consumers (notifications, webhooks).

A consumer's planner runs inside the pass's transaction and writes its own
delivery rows (unique per alert happening and recipient, so a pass that ran
twice plans nothing twice); what it returns runs after the commit, typically
enqueueing the delivery jobs. If that enqueue is lost, the consumer's own
periodic pass finds the undelivered rows.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.alerts.models import Alert
from autopost.db import transaction, utcnow
from autopost.runtime import Runtime

log = structlog.get_logger(__name__)

AfterCommit = Callable[[Runtime], Awaitable[None]]
Planner = Callable[[AsyncSession, Runtime, Alert], Awaitable[Sequence[AfterCommit]]]

BATCH = 200


async def dispatch_alerts(runtime: Runtime, planners: Sequence[Planner]) -> int:
    """Plan the deliveries of every undispatched alert; the number of alerts handled."""
    after_commit: list[AfterCommit] = []
    async with transaction(runtime.session_factory) as session:
        alerts = (
            await session.scalars(
                select(Alert)
                .where(Alert.dispatched_at.is_(None))
                .order_by(Alert.created_at)
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            )
        ).all()
        for alert in alerts:
            for plan in planners:
                after_commit.extend(await plan(session, runtime, alert))
            alert.dispatched_at = utcnow()
    for action in after_commit:
        try:
            await action(runtime)
        except Exception:  # the consumer's own pass delivers it later; the other actions still run
            log.exception("alert_after_commit_failed")
    return len(alerts)
