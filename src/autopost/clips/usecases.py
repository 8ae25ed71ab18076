"""Clips: adding one (streamed upload or a source URL, probed on the way) and deleting one."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import av
import av.error
import httpx2
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request

from autopost.clips.intake import receive_clip_upload
from autopost.clips.models import Clip, ClipStatus
from autopost.clips.probe import MediaInfo, ProbeError, make_thumbnail, probe
from autopost.clips.queries import owned_clip
from autopost.platforms.catalog import format_limit
from autopost.publications.models import Publication, PublicationStatus
from autopost.refusals import Kind, Refused
from autopost.runtime import Runtime
from autopost.users.models import User

TITLE_MAX = 500


async def _describe(clip: Clip, runtime: Runtime, info_source: str, local_file: Path | None) -> None:
    """Fill in what the clip is (probing a local file, or a URL in place) and make its thumbnail."""
    try:
        if local_file is not None:
            info = await asyncio.to_thread(probe, local_file)
            thumbnail: bytes | None = await asyncio.to_thread(make_thumbnail, local_file)
        else:
            info, thumbnail = await asyncio.to_thread(_probe_url, info_source), None
    except ProbeError as exc:
        raise Refused("not_a_video") from exc
    clip.duration_seconds, clip.width, clip.height = info.duration, info.width, info.height
    clip.video_codec = info.video_codec
    if thumbnail:
        key = runtime.storage.new_key(clip.user_id, ".jpg")
        path = runtime.storage.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(path.write_bytes, thumbnail)
        clip.thumbnail_key = key
    clip.status = ClipStatus.READY


def _probe_url(url: str) -> MediaInfo:
    """Probe a remote clip in place: FFmpeg reads only what it needs (headers, index) over HTTP."""
    try:
        with av.open(url, timeout=30) as container:
            if not container.streams.video:
                raise ProbeError("no video stream")
            stream = container.streams.video[0]
            duration = float(container.duration or 0) / av.time_base
            return MediaInfo(
                duration=duration,
                width=int(stream.codec_context.width),
                height=int(stream.codec_context.height),
                video_codec=str(stream.codec_context.name),
                container=str(container.format.name),
            )
    except av.error.FFmpegError as exc:
        raise ProbeError(str(exc)) from exc


async def upload_clip(session: AsyncSession, runtime: Runtime, user: User, request: Request) -> Clip:
    """A multipart `file` streamed to storage (never held in memory), probed, with its thumbnail."""
    key = runtime.storage.new_key(user.id, ".mp4")
    path = runtime.storage.path(key)
    upload = await receive_clip_upload(request, path, runtime.settings.max_clip_bytes)
    clip = Clip(
        user_id=user.id,
        title=(upload.fields.get("title") or Path(upload.filename).stem)[:TITLE_MAX],
        description=upload.fields.get("description", ""),
        status=ClipStatus.PENDING,
        storage_key=key,
        size_bytes=upload.size,
        sha256=upload.sha256,
    )
    try:
        await _describe(clip, runtime, str(path), local_file=path)
    except Refused:
        path.unlink(missing_ok=True)
        raise
    session.add(clip)
    await session.flush()
    return clip


async def clip_from_url(
    session: AsyncSession, runtime: Runtime, user: User, source_url: str, title: str, description: str
) -> Clip:
    """A clip that stays where it is: its size asked for, probed in place over HTTP."""
    size = await _remote_size(source_url)
    if size > runtime.settings.max_clip_bytes:
        raise Refused("clip_too_large", Kind.TOO_LARGE, limit=format_limit(runtime.settings.max_clip_bytes))
    clip = Clip(
        user_id=user.id,
        title=title[:TITLE_MAX],
        description=description,
        status=ClipStatus.PENDING,
        source_url=source_url,
        size_bytes=size,
    )
    await _describe(clip, runtime, source_url, local_file=None)
    session.add(clip)
    await session.flush()
    return clip


async def _remote_size(url: str) -> int:
    try:
        async with (
            httpx2.AsyncClient(timeout=30, follow_redirects=True) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code != 200:
                raise Refused("source_unreachable", detail=f"HTTP {response.status_code}")
            length = response.headers.get("content-length")
    except httpx2.HTTPError as exc:
        raise Refused("source_unreachable", detail=type(exc).__name__) from exc
    if not length:
        raise Refused("source_unreachable", detail="no Content-Length")
    return int(length)


async def delete_clip(session: AsyncSession, runtime: Runtime, user: User, clip_id: uuid.UUID) -> None:
    """The clip, its file and thumbnail, and its finished publications; refused while one is running."""
    clip = await owned_clip(session, user, clip_id)
    running = await session.scalar(
        select(Publication.id).where(
            Publication.clip_id == clip.id, Publication.status == PublicationStatus.PUBLISHING
        )
    )
    if running is not None:
        raise Refused("clip_busy", Kind.CONFLICT)
    await session.delete(clip)
    for key in (clip.storage_key, clip.thumbnail_key):
        if key:
            runtime.storage.path(key).unlink(missing_ok=True)
