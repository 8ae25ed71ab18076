"""Resumable clip uploads (TUS): started with their length and name, appended to at their offset, and
handed to clip intake once whole.

What is checked when: the length against the size cap and the name/type as a video before any byte
is taken; the first bytes as a video container as soon as they are in; the whole file by probing
(clips.usecases) when the last byte is. Bytes go from the request straight to the file, chunk by
chunk: memory stays flat whatever the size. The offset is the file's size on disk, so after a
dropped connection the client resumes exactly after what was stored.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import io
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.clips.models import Clip, ClipUpload
from autopost.clips.usecases import StoredFile, clip_from_file
from autopost.db import transaction, utcnow
from autopost.refusals import Kind, Refused
from autopost.runtime import Runtime
from autopost.workspaces.access import Action, Member

# The containers probing accepts (clips.probe.FFMPEG_OPTIONS), by name and by MIME type.
VIDEO_SUFFIXES = frozenset({".mp4", ".m4v", ".mov", ".webm", ".mkv"})
# Enough of the start of a file to tell its container: an ISO-BMFF box type, or the EBML magic.
SNIFF_BYTES = 12
_EBML_MAGIC = b"\x1a\x45\xdf\xa3"
# Box types an MP4 or a QuickTime MOV may start with (MOV often opens with `wide` or `mdat`).
_FIRST_BOXES = frozenset({b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})
_HASH_BLOCK = 1024 * 1024
EXPIRY_BATCH = 500


def is_video_name(filename: str, filetype: str) -> bool:
    """The client's name and type for the file say video (a missing type leaves it to the name)."""
    if filetype and not filetype.lower().startswith("video/"):
        return False
    return Path(filename).suffix.lower() in VIDEO_SUFFIXES


def looks_like_video(head: bytes) -> bool:
    """The first SNIFF_BYTES are those of an MP4/MOV or a Matroska/WebM file."""
    return head[:4] == _EBML_MAGIC or head[4:8] in _FIRST_BOXES


async def start_upload(
    session: AsyncSession, runtime: Runtime, member: Member, length: int, metadata: Mapping[str, str]
) -> ClipUpload:
    """A new upload of `length` bytes; refused before any byte when too large or not named as video."""
    member.require(Action.EDIT)
    limit = runtime.settings.max_clip_bytes
    if length > limit:
        raise Refused("clip_too_large", Kind.TOO_LARGE, limit_bytes=limit)
    filename = metadata.get("filename") or metadata.get("name") or ""
    if length == 0 or not is_video_name(filename, metadata.get("filetype", "")):
        raise Refused("not_a_video")
    key = runtime.storage.new_key(member.workspace_id, Path(filename).suffix.lower())
    path = runtime.storage.path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    upload = ClipUpload(
        workspace_id=member.workspace_id,
        user_id=member.user.id,
        length=length,
        filename=filename[:500],
        storage_key=key,
    )
    session.add(upload)
    await session.flush()
    return upload


async def owned_upload(session: AsyncSession, member: Member, upload_id: uuid.UUID) -> ClipUpload:
    """The workspace's upload, else not_found (another workspace's looks like a missing one)."""
    upload = await session.scalar(
        select(ClipUpload).where(ClipUpload.id == upload_id, ClipUpload.workspace_id == member.workspace_id)
    )
    if upload is None:
        raise Refused("not_found", Kind.NOT_FOUND)
    member.require(Action.EDIT)
    return upload


def expires_at(runtime: Runtime, upload: ClipUpload) -> datetime | None:
    """When the unfinished upload goes if no byte arrives: its last byte's time plus the setting."""
    if upload.clip_id is not None:
        return None
    path = runtime.storage.path(upload.storage_key)
    last = datetime.fromtimestamp(path.stat().st_mtime, UTC) if path.exists() else upload.created_at
    return last + timedelta(hours=runtime.settings.upload_expires_hours)


async def expire_uploads(runtime: Runtime) -> int:
    """The worker's periodic pass: unfinished uploads nobody wrote to for too long, and their files."""
    now = utcnow()
    cutoff = now - timedelta(hours=runtime.settings.upload_expires_hours)
    async with transaction(runtime.session_factory) as session:
        # Created before the cutoff is necessary (the file is never older than its row), not enough.
        candidates = await session.scalars(
            select(ClipUpload)
            .where(ClipUpload.clip_id.is_(None), ClipUpload.created_at < cutoff)
            .limit(EXPIRY_BATCH)
        )
        expired = [u for u in candidates if (expires_at(runtime, u) or now) < now]
        for upload in expired:
            await discard(session, runtime, upload)
    return len(expired)


def offset_of(runtime: Runtime, upload: ClipUpload) -> int:
    """How many bytes the upload has: the stored file's size (all of them once it is a clip)."""
    if upload.clip_id is not None:
        return upload.length
    path = runtime.storage.path(upload.storage_key)
    return path.stat().st_size if path.exists() else 0


@contextmanager
def _exclusive(path: Path) -> Iterator[io.FileIO]:
    """The upload's file open for appending, by one request at a time (across server processes too).

    Unbuffered: every chunk is in the file when written, so HEAD's offset is what has arrived.
    """
    with path.open("ab", buffering=0) as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise Refused("upload_busy", Kind.CONFLICT) from exc
        yield handle


async def append(
    session: AsyncSession,
    runtime: Runtime,
    member: Member,
    upload: ClipUpload,
    offset: int,
    chunks: AsyncIterator[bytes],
) -> Clip | None:
    """Store a PATCH body at `offset`; the clip when this completed the upload, else None.

    A refusal of what the file is (its first bytes, its probe) removes the upload: the caller commits.
    """
    if upload.clip_id is not None:
        raise Refused("upload_offset_mismatch", Kind.CONFLICT, offset=upload.length)
    path = runtime.storage.path(upload.storage_key)
    with _exclusive(path) as handle:
        current = handle.seek(0, 2)
        if offset != current:
            raise Refused("upload_offset_mismatch", Kind.CONFLICT, offset=current)
        # Sniffed once: a resumed upload past its first bytes has had them checked already.
        head = _head_of(path) if current < SNIFF_BYTES else b"\0" * SNIFF_BYTES
        async for chunk in chunks:
            if current + len(chunk) > upload.length:
                raise Refused("upload_past_length")
            _write_all(handle, chunk)
            sniffing = len(head) < SNIFF_BYTES
            head += chunk[: SNIFF_BYTES - len(head)] if sniffing else b""
            current += len(chunk)
            if (
                sniffing
                and (len(head) == SNIFF_BYTES or current == upload.length)
                and not looks_like_video(head)
            ):
                await discard(session, runtime, upload)
                raise Refused("not_a_video")
    if current < upload.length:
        return None
    return await _finish(session, runtime, member, upload)


async def _finish(session: AsyncSession, runtime: Runtime, member: Member, upload: ClipUpload) -> Clip:
    """The whole file becomes a clip (probed, thumbnailed); refused, the upload is gone with its file."""
    path = runtime.storage.path(upload.storage_key)
    sha256 = await asyncio.to_thread(_sha256_of, path)
    try:
        clip = await clip_from_file(
            session,
            runtime,
            member,
            StoredFile(upload.storage_key, upload.length, sha256),
            title=Path(upload.filename).stem,
            description="",
        )
    except Refused:
        await discard(session, runtime, upload)
        raise
    upload.clip_id = clip.id
    return clip


def _write_all(handle: io.FileIO, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[handle.write(view) or 0 :]


def _head_of(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(SNIFF_BYTES)


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


async def discard(session: AsyncSession, runtime: Runtime, upload: ClipUpload) -> None:
    """Forget the upload (TUS termination, or refused): its file too, unless it became a clip's."""
    if upload.clip_id is None:
        runtime.storage.path(upload.storage_key).unlink(missing_ok=True)
    await session.delete(upload)
