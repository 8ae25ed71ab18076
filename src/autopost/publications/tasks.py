"""The publish job: take one publication from scheduled to published, failed or a later retry.

Safe to run again at any point (worker killed, Redis flushed, job duplicated):
the database row is claimed with a conditional UPDATE, every platform id is
checkpointed the moment it is known, and a resumed attempt hands the
checkpoint back to the provider, which continues instead of posting again.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

import structlog
from sqlalchemy import select, update

from autopost.clips.media import media_url
from autopost.clips.models import Clip
from autopost.clips.sources import FileReader, UrlReader
from autopost.connections.models import Connection
from autopost.connections.refresh import fresh_credentials
from autopost.db import transaction, utcnow
from autopost.platforms.base import PublishRequest, PublishResult, PublishState
from autopost.platforms.errors import (
    AuthExpired,
    OutcomeUnknown,
    Permanent,
    RateLimited,
    Transient,
)
from autopost.platforms.media import ClipSource
from autopost.platforms.throttle import Throttled
from autopost.publications import metrics
from autopost.publications.callbacks import callback_url, take_wake
from autopost.publications.events import EventKind, record_event
from autopost.publications.models import Phase, Publication, PublicationStatus
from autopost.publications.progress import ProgressWriter
from autopost.publications.rules import Target, check_target
from autopost.refusals import Refused
from autopost.runtime import Runtime
from autopost.security.outbound import OutboundGuard
from autopost.workspaces.models import Workspace

log = structlog.get_logger(__name__)

# Which process ran an attempt: shown in the history, and how tests see work spread over workers.
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"

# A job may fire a little before its time (timer granularity): that still counts as due.
EARLY_TOLERANCE = timedelta(seconds=1)


class JobControl(Protocol):
    """What the job needs from the queue: move itself later without using an attempt."""

    async def delay_until(self, when: datetime) -> None:
        """Put the job back for `when`; never returns (raises the queue's delay signal).

        Only this job moves: a wait for one account's limit holds up no other account.
        """
        ...


@dataclass(frozen=True)
class Claimed:
    publication: Publication
    clip: Clip
    connection: Connection
    workspace: Workspace
    resumed: bool


async def run_publication(runtime: Runtime, publication_id: uuid.UUID, control: JobControl) -> None:
    claimed = await _claim(runtime, publication_id, control)
    if claimed is None:
        return
    try:
        result = await _attempt(runtime, claimed)
    except RateLimited as exc:
        # The row stays `publishing`: the resumed run is the same attempt, not a new one.
        await _wait_for_limit(runtime, publication_id, exc)
        await control.delay_until(utcnow() + timedelta(seconds=exc.retry_after))
        return
    except (Transient, Permanent, AuthExpired, OutcomeUnknown, Refused) as exc:
        error: Exception = exc
    except Exception as exc:  # a bug must not leave the publication hanging: retry, then fail
        log.exception("publish_job_crashed", publication_id=str(publication_id))
        error = Transient("internal_error", type(exc).__name__)
    else:
        if result.state is PublishState.PROCESSING:
            await _mark_processing(runtime, claimed, result)
            # The platform said it is done while this job ran (callbacks.py): look again at once.
            woken = await take_wake(runtime, publication_id)
            poll = 0 if woken else runtime.settings.processing_poll_seconds
            await control.delay_until(utcnow() + timedelta(seconds=poll))
        else:
            await _mark_published(runtime, claimed, result)
        return
    retry_at = await _fail_or_retry(runtime, claimed, error)
    if retry_at is not None:
        await control.delay_until(retry_at)


async def _claim(runtime: Runtime, publication_id: uuid.UUID, control: JobControl) -> Claimed | None:
    """Take the row: scheduled and due → publishing; publishing → resume; anything else → nothing to do."""
    now = utcnow()
    async with transaction(runtime.session_factory) as session:
        claimed = await session.execute(
            update(Publication)
            .where(
                Publication.id == publication_id,
                Publication.status == PublicationStatus.SCHEDULED,
                (Publication.scheduled_at.is_(None)) | (Publication.scheduled_at <= now + EARLY_TOLERANCE),
            )
            .values(
                status=PublicationStatus.PUBLISHING,
                phase=Phase.QUEUED,
                attempts=Publication.attempts + 1,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        publication = await session.get(Publication, publication_id, populate_existing=True)
        if publication is None:
            return None
        if not claimed.rowcount:  # type: ignore[attr-defined]
            if publication.status is PublicationStatus.SCHEDULED and publication.scheduled_at:
                scheduled_at = publication.scheduled_at
            elif publication.status is PublicationStatus.PUBLISHING:
                scheduled_at = None
            else:
                return None  # published, failed or cancelled meanwhile, or awaiting approval
        else:
            scheduled_at = None
            record_event(
                session, publication, EventKind.STARTED, attempt=publication.attempts, worker=WORKER_ID
            )
            metrics.observe_start(publication, now)
        clip = await session.get(Clip, publication.clip_id)
        connection = await session.get(Connection, publication.connection_id)
        workspace = await session.get(Workspace, publication.workspace_id)
        assert clip is not None and connection is not None and workspace is not None  # foreign keys
        resumed = not claimed.rowcount  # type: ignore[attr-defined]
    if scheduled_at is not None:
        # Rescheduled after this job was queued: wait for the new time.
        await control.delay_until(scheduled_at)
        return None
    return Claimed(publication, clip, connection, workspace, resumed)


def _clip_source(runtime: Runtime, clip: Clip, thumbnail: bytes | None) -> ClipSource:
    if clip.storage_key:
        reader: FileReader | UrlReader = FileReader(runtime.storage.path(clip.storage_key))
    elif clip.source_url:
        reader = UrlReader(
            clip.source_url, OutboundGuard.from_setting(runtime.settings.allowed_internal_hosts)
        )
    else:
        raise Permanent("clip_missing", "the clip has neither a stored file nor a source URL")
    return ClipSource(
        reader=reader,
        size=clip.size_bytes or 0,
        sha256=clip.sha256,
        duration=clip.duration_seconds,
        width=clip.width,
        height=clip.height,
        thumbnail=thumbnail,
    )


def _thumbnail(runtime: Runtime, clip: Clip) -> bytes | None:
    if not clip.thumbnail_key:
        return None
    path = runtime.storage.path(clip.thumbnail_key)
    return path.read_bytes() if path.exists() else None


async def _attempt(runtime: Runtime, claimed: Claimed) -> PublishResult:
    publication, clip, connection = claimed.publication, claimed.clip, claimed.connection
    # The plan may have been downgraded or the connection lost since the publication was made.
    check_target(
        runtime.settings,
        claimed.workspace,
        clip,
        Target(connection, publication.title, publication.description),
    )
    provider = runtime.provider(publication.platform)
    credentials = await fresh_credentials(runtime, connection.id)
    progress = ProgressWriter(runtime, publication.id, clip.size_bytes or 0)

    async def save_checkpoint(checkpoint: Mapping[str, Any]) -> None:
        await _save_checkpoint(runtime, publication.id, checkpoint)

    request = PublishRequest(
        credentials=credentials,
        clip=_clip_source(runtime, clip, _thumbnail(runtime, clip)),
        title=publication.title,
        description=publication.description,
        checkpoint=publication.checkpoint or {},
        media_url=media_url(runtime.settings.public_url, runtime.settings.resolved_secret_key(), clip.id),
        callback_url=callback_url(runtime.settings, publication.id)
        if provider.capabilities.upload_by_url
        else None,
        on_progress=progress.update,
        on_checkpoint=save_checkpoint,
    )
    async with progress:
        try:
            return await provider.publish(request=request)
        except AuthExpired:
            # Refresh once (under the connection's lock), then continue from what was saved.
            credentials = await fresh_credentials(runtime, connection.id, rejected=credentials)
            checkpoint = await _load_checkpoint(runtime, publication.id)
            await _record(runtime, publication.id, EventKind.TOKEN_REFRESHED)
            try:
                return await provider.publish(
                    request=replace(request, credentials=credentials, checkpoint=checkpoint)
                )
            except AuthExpired as again:
                # Refused right after a successful refresh: the platform is having a moment, not the
                # user's token (the connection is still active) — try again later instead of failing.
                raise Transient(again.code, again.detail, **again.params) from again


async def _save_checkpoint(
    runtime: Runtime, publication_id: uuid.UUID, checkpoint: Mapping[str, Any]
) -> None:
    async with transaction(runtime.session_factory) as session:
        await session.execute(
            update(Publication)
            .where(Publication.id == publication_id)
            .values(checkpoint=dict(checkpoint), updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )


async def _load_checkpoint(runtime: Runtime, publication_id: uuid.UUID) -> dict[str, Any]:
    async with transaction(runtime.session_factory) as session:
        checkpoint = await session.scalar(
            select(Publication.checkpoint).where(Publication.id == publication_id)
        )
        return dict(checkpoint or {})


async def _record(runtime: Runtime, publication_id: uuid.UUID, kind: str) -> None:
    async with transaction(runtime.session_factory) as session:
        publication = await session.get(Publication, publication_id)
        if publication is None:
            return
        record_event(session, publication, kind)


async def _wait_for_limit(runtime: Runtime, publication_id: uuid.UUID, limited: RateLimited) -> None:
    """Back to the queue until the account's limit allows; the history notes only a platform's refusal
    (our own pacing, Throttled, is routine and would crowd it)."""
    async with transaction(runtime.session_factory) as session:
        publication = await session.get(Publication, publication_id)
        if publication is None:
            return
        publication.phase = Phase.QUEUED
        if not isinstance(limited, Throttled):
            record_event(session, publication, EventKind.RATE_LIMITED, retry_after=limited.retry_after)


async def _fail_or_retry(runtime: Runtime, claimed: Claimed, error: Exception) -> datetime | None:
    """Record the failure; returns when to try again, or None when the publication has failed."""
    code: str = getattr(error, "code", "internal_error")
    delays = runtime.settings.retry_delays_seconds
    async with transaction(runtime.session_factory) as session:
        publication = await session.get(Publication, claimed.publication.id, populate_existing=True)
        assert publication is not None
        # The platform is a parameter of every failure: texts such as "reconnect {platform}" need it.
        params = {"platform": publication.platform.value, **getattr(error, "params", {})}
        if isinstance(error, Transient) and publication.attempts <= len(delays):
            retry_at = utcnow() + timedelta(seconds=delays[publication.attempts - 1])
            publication.status, publication.phase = PublicationStatus.SCHEDULED, Phase.QUEUED
            publication.scheduled_at = retry_at
            publication.error_code, publication.error_params = code, params
            record_event(
                session,
                publication,
                EventKind.RETRY_SCHEDULED,
                code=code,
                params=params,
                at=retry_at.isoformat(),
            )
            return retry_at
        if isinstance(error, Transient):
            # "We will retry later" is no longer true: say that the attempts ran out.
            params = {"platform": publication.platform.value, "attempts": publication.attempts, "cause": code}
            code = "attempts_exhausted"
        publication.error_code, publication.error_params = code, params
        publication.status = PublicationStatus.FAILED
        record_event(session, publication, EventKind.FAILED, code=code, params=params)
        metrics.observe_outcome(publication, "failed")
    log.info("publication_failed", publication_id=str(claimed.publication.id), code=code)
    return None


async def _mark_processing(runtime: Runtime, claimed: Claimed, result: PublishResult) -> None:
    async with transaction(runtime.session_factory) as session:
        publication = await session.get(Publication, claimed.publication.id, populate_existing=True)
        assert publication is not None
        first_time = publication.phase is not Phase.PROCESSING
        publication.phase, publication.checkpoint = Phase.PROCESSING, dict(result.checkpoint)
        publication.remote_id = result.remote_id or publication.remote_id
        publication.progress = max(publication.progress, result.progress or 0)
        if first_time:
            record_event(session, publication, EventKind.PROCESSING)


async def _mark_published(runtime: Runtime, claimed: Claimed, result: PublishResult) -> None:
    async with transaction(runtime.session_factory) as session:
        publication = await session.get(Publication, claimed.publication.id, populate_existing=True)
        assert publication is not None
        publication.status, publication.phase, publication.progress = (
            PublicationStatus.PUBLISHED,
            Phase.DONE,
            100,
        )
        publication.remote_id, publication.remote_url = result.remote_id, result.remote_url
        publication.format = result.format
        publication.checkpoint = dict(result.checkpoint)
        publication.published_at = utcnow()
        publication.error_code = publication.error_params = None
        record_event(session, publication, EventKind.PUBLISHED, url=result.remote_url)
        metrics.observe_outcome(publication, "published")
    log.info(
        "publication_published",
        publication_id=str(claimed.publication.id),
        platform=claimed.publication.platform,
    )
