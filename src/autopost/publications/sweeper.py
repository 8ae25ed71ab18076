"""The sweeper: the database is the truth, so rebuild any job the queue has lost.

Finds publications that are due (or due soon) and publications stuck in
`publishing` whose job is gone (Redis restarted empty, a job that stalled
too often), and enqueues them again under the same job id. A publication
awaiting approval has no job on purpose and is never looked at: approving it
is what queues it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, select

from autopost.db import transaction, utcnow
from autopost.publications.events import EventKind, record_event
from autopost.publications.models import Publication, PublicationStatus
from autopost.publications.rules import delay_ms
from autopost.runtime import Runtime

JUST_WRITTEN = timedelta(seconds=5)
LIVE_JOB_STATES = {"waiting", "delayed", "active", "prioritized", "waiting-children", "paused"}
BATCH = 500


@dataclass
class SweepReport:
    checked: int = 0
    requeued: int = 0


async def sweep_publications(runtime: Runtime) -> SweepReport:
    now = utcnow()
    horizon = now + timedelta(seconds=2 * runtime.settings.sweep_interval_seconds + 60)
    # A job whose worker died is taken over by BullMQ after the lock expires; one that Redis lost
    # is ours to restore. Two lock periods without any change to the row tell the two apart.
    stuck_after = timedelta(seconds=max(10.0, 2 * runtime.settings.worker_lock_seconds))
    report = SweepReport()
    async with transaction(runtime.session_factory) as session:
        rows = (
            await session.scalars(
                select(Publication)
                .where(
                    or_(
                        (Publication.status == PublicationStatus.SCHEDULED)
                        & (Publication.scheduled_at.is_(None) | (Publication.scheduled_at <= horizon))
                        # A row committed a moment ago has its job on the way (the outbox sends it
                        # right after the commit): leave it, or its history shows a false "restored".
                        & (Publication.updated_at < now - JUST_WRITTEN),
                        (Publication.status == PublicationStatus.PUBLISHING)
                        & (Publication.updated_at < now - stuck_after),
                    )
                )
                .order_by(Publication.scheduled_at)
                .limit(BATCH)
            )
        ).all()
        for publication in rows:
            report.checked += 1
            state = await runtime.queues.job_state(publication.id, publication.platform)
            if state in LIVE_JOB_STATES:
                continue
            await session.refresh(publication)
            if publication.status not in (PublicationStatus.SCHEDULED, PublicationStatus.PUBLISHING):
                continue  # finished or cancelled while we looked
            if state in ("completed", "failed"):
                # A finished job record would swallow the new add (same id): clear it first.
                await runtime.queues.remove_publication(publication.id, publication.platform)
            await runtime.queues.enqueue_publication(
                publication.id, publication.platform, delay_ms(publication.scheduled_at, now)
            )
            record_event(session, publication, EventKind.REQUEUED, job_state=state)
            report.requeued += 1
    return report
