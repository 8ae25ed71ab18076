"""Clips: adding one (streamed upload, a finished resumable upload or a source URL, probed on the way)
and deleting one."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from autopost.clips.intake import receive_clip_upload
from autopost.clips.models import Clip, ClipStatus
from autopost.clips.probe import ProbeError, make_thumbnail, probe
from autopost.clips.queries import owned_clip
from autopost.clips.remote import probe_remote, remote_size
from autopost.clips.texts import stored_description, stored_title
from autopost.publications.models import Publication, PublicationStatus
from autopost.publications.usecases import cancel_for_clip, scheduled_count
from autopost.queue import Outbox
from autopost.refusals import Kind, Refused
from autopost.runtime import Runtime
from autopost.security.outbound import OutboundGuard
from autopost.workspaces.access import Action, Member


async def _describe(clip: Clip, runtime: Runtime, local_file: Path | None) -> None:
    """Fill in what the clip is (a local file, or its source URL read by ranges) and make its thumbnail."""
    thumbnail: bytes | None = None
    if local_file is not None:
        try:
            info = await asyncio.to_thread(probe, local_file)
            thumbnail = await asyncio.to_thread(make_thumbnail, local_file)
        except ProbeError as exc:
            raise Refused(exc.code) from exc
    else:
        assert clip.source_url is not None and clip.size_bytes is not None
        info = await probe_remote(_guard(runtime), clip.source_url, clip.size_bytes)
    clip.duration_seconds, clip.width, clip.height = info.duration, info.width, info.height
    clip.video_codec = info.video_codec
    if thumbnail:
        key = runtime.storage.new_key(clip.workspace_id, ".jpg")
        path = runtime.storage.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(path.write_bytes, thumbnail)
        clip.thumbnail_key = key
    clip.status = ClipStatus.READY


async def upload_clip(session: AsyncSession, runtime: Runtime, member: Member, request: Request) -> Clip:
    """A multipart `file` streamed to storage (never held in memory), probed, with its thumbnail."""
    member.require(Action.EDIT)
    key = runtime.storage.new_key(member.workspace_id, ".mp4")
    upload = await receive_clip_upload(request, runtime.storage.path(key), runtime.settings.max_clip_bytes)
    return await clip_from_file(
        session,
        runtime,
        member,
        StoredFile(key, upload.size, upload.sha256),
        title=upload.fields.get("title") or Path(upload.filename).stem,
        description=upload.fields.get("description", ""),
    )


@dataclass(frozen=True)
class StoredFile:
    """A whole file already in storage: a multipart upload, or a finished resumable one."""

    key: str
    size: int
    sha256: str


async def clip_from_file(
    session: AsyncSession,
    runtime: Runtime,
    member: Member,
    stored: StoredFile,
    *,
    title: str,
    description: str,
) -> Clip:
    """The clip of a stored file, probed and thumbnailed; a refusal removes the file."""
    path = runtime.storage.path(stored.key)
    try:
        clip = Clip(
            workspace_id=member.workspace_id,
            title=stored_title(title),
            description=stored_description(description),
            status=ClipStatus.PENDING,
            storage_key=stored.key,
            size_bytes=stored.size,
            sha256=stored.sha256,
        )
        await _describe(clip, runtime, path)
    except Refused:
        path.unlink(missing_ok=True)
        raise
    session.add(clip)
    await session.flush()
    return clip


async def clip_from_url(
    session: AsyncSession, runtime: Runtime, member: Member, source_url: str, title: str, description: str
) -> Clip:
    """A clip that stays where it is: its size asked for, probed in place by ranged reads."""
    member.require(Action.EDIT)
    title, description = stored_title(title), stored_description(description)
    size = await remote_size(_guard(runtime), source_url)
    if size > runtime.settings.max_clip_bytes:
        raise Refused("clip_too_large", Kind.TOO_LARGE, limit_bytes=runtime.settings.max_clip_bytes)
    clip = Clip(
        workspace_id=member.workspace_id,
        title=title,
        description=description,
        status=ClipStatus.PENDING,
        source_url=source_url,
        size_bytes=size,
    )
    await _describe(clip, runtime, None)
    session.add(clip)
    await session.flush()
    return clip


def _guard(runtime: Runtime) -> OutboundGuard:
    return OutboundGuard.from_setting(runtime.settings.allowed_internal_hosts)


async def clip_to_delete(session: AsyncSession, member: Member, clip_id: uuid.UUID) -> tuple[Clip, int]:
    """The clip the member may delete, and how many scheduled publications deleting it cancels."""
    clip = await owned_clip(session, member, clip_id, to=Action.EDIT)
    return clip, await scheduled_count(session, clip)


async def delete_clip(
    session: AsyncSession, outbox: Outbox, runtime: Runtime, member: Member, clip_id: uuid.UUID
) -> int:
    """Cancel the clip's scheduled publications, then delete it with its files and its finished
    publications; refused while one is running. Returns how many were cancelled."""
    clip = await owned_clip(session, member, clip_id, to=Action.EDIT)
    running = await session.scalar(
        select(Publication.id).where(
            Publication.clip_id == clip.id, Publication.status == PublicationStatus.PUBLISHING
        )
    )
    if running is not None:
        raise Refused("clip_busy", Kind.CONFLICT)
    # Cancelled first, each with its reason, so their queued jobs are taken back after the commit.
    cancelled = await cancel_for_clip(session, outbox, clip)
    await session.delete(clip)
    for key in (clip.storage_key, clip.thumbnail_key):
        if key:
            runtime.storage.path(key).unlink(missing_ok=True)
    return cancelled
