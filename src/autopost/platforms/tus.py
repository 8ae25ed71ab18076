"""One TUS 1.0.0 client (core, creation, creation-with-upload) for the providers that upload resumably.

Dzen hands out an upload URL (start-upload-video); Rutube's u.rutube.ru wants
the creation POST with its own Upload-Metadata and browser-like headers. Both
then take PATCH chunks at the server's offset, which survives a dropped
connection, a 5xx and a killed worker alike: the caller stores each
acknowledged (upload URL, offset) through `on_checkpoint` and a new client
resumes with `upload(clip, url)`, which asks the server (HEAD) where to go on.

Written here over httpx2 rather than taken from a library: the maintained
Python clients are built on other HTTP stacks (tuspy on requests/aiohttp,
aiotus and aiotusclient on aiohttp), while every provider here shares httpx2's
transports (the sandbox in tests, MockTransport), its timeouts and the
transport-error reading of platforms.http; they also read from file objects,
not from our async ByteSource.

Memory stays flat: chunks (the caller's choice, Dzen 4 MiB) are read from the
server's offset and each is sent as one PATCH; the next one is read while the
current one is on the wire, so at most two are held. Protocol facts and their
sources: docs/platforms/tus.md.
"""

from __future__ import annotations

import asyncio
import base64
import random
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import httpx2

from autopost.platforms.answers import retry_after
from autopost.platforms.errors import Permanent, PlatformError, RateLimited, Transient
from autopost.platforms.http import send
from autopost.platforms.media import ClipSource, ProgressCallback

VERSION = "1.0.0"
OFFSET_STREAM = "application/offset+octet-stream"
DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024  # what Dzen's own uploader sends per PATCH

# The upload URL and the offset the server acknowledged; awaited before the next chunk goes.
CheckpointCallback = Callable[[str, int], Awaitable[None]]


class UploadGone(PlatformError):
    """The upload URL answers 404/410 (expired or removed): forget it and start a new upload."""


@runtime_checkable
class RangeSource(Protocol):
    """A ByteSource that can start mid-file, so a resumed upload reads only what is left."""

    def read_from(self, start: int, chunk_size: int) -> AsyncIterator[bytes]: ...


@dataclass(frozen=True)
class Creation:
    """Where and how to create the upload (POST): metadata pairs, and whether the first chunk rides along."""

    url: str
    metadata: Mapping[str, str] = field(default_factory=dict)
    with_upload: bool = False


def encode_metadata(metadata: Mapping[str, str]) -> str:
    """Upload-Metadata: `key base64(value)` pairs, comma-separated; keys without spaces or commas."""
    for key in metadata:
        if not key or " " in key or "," in key:
            raise ValueError(f"a tus metadata key cannot be empty or hold spaces or commas: {key!r}")
    return ",".join(
        f"{key} {base64.b64encode(value.encode()).decode()}"
        if value
        else key  # an empty value: the key alone
        for key, value in metadata.items()
    )


async def _skip(chunks: AsyncIterator[bytes], start: int) -> AsyncIterator[bytes]:
    """The bytes after `start` of a source that can only read from the beginning."""
    seen = 0
    async for chunk in chunks:
        if seen + len(chunk) > start:
            yield chunk[max(0, start - seen) :]
        seen += len(chunk)


async def blocks(clip: ClipSource, start: int, size: int) -> AsyncGenerator[bytes, None]:
    """The clip from `start` in blocks of `size` bytes (the last shorter); a wrong byte count stops it."""
    reader = clip.reader
    source = (
        reader.read_from(start, size) if isinstance(reader, RangeSource) else _skip(reader.read(size), start)
    )
    pending = bytearray()
    position = start
    try:
        async for chunk in source:
            if not pending and len(chunk) == size:  # the usual case: a file read hands over whole blocks
                position = _count(clip, position, chunk)
                yield chunk
                continue
            pending += chunk
            while len(pending) >= size:
                block = bytes(pending[:size])
                del pending[:size]
                position = _count(clip, position, block)
                yield block
        if pending:
            position = _count(clip, position, pending)
            yield bytes(pending)
    finally:
        close = getattr(source, "aclose", None)
        if close is not None:
            await close()
    if position != clip.size:
        raise Permanent("clip_changed", f"expected {clip.size} bytes, got {position}")


def _count(clip: ClipSource, position: int, block: bytes | bytearray) -> int:
    """The position after `block`; a source yielding more than the clip's size stops the upload."""
    position += len(block)
    if position > clip.size:
        raise Permanent("clip_changed", f"more than the expected {clip.size} bytes")
    return position


class _Resync(Exception):
    """This chunk did not land: ask the server for its offset and go on from there."""

    def __init__(self, error: PlatformError) -> None:
        super().__init__(error.code)
        self.error = error


@dataclass
class TusClient:
    """Uploads a clip to a TUS server; `platform` prefixes the error codes ("dzen.upload_gone")."""

    http: httpx2.AsyncClient
    platform: str
    chunk_bytes: int = DEFAULT_CHUNK_BYTES
    headers: Mapping[str, str] = field(default_factory=dict)  # e.g. browser-like Origin/Referer/User-Agent
    max_retries: int = 5  # failures in a row without progress before giving up
    retry_delay: float = 1.0  # first back-off; doubled per failure, randomised as tus recommends

    async def upload(
        self,
        clip: ClipSource,
        target: Creation | str,
        *,
        on_checkpoint: CheckpointCallback | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> str:
        """Upload the clip to a new upload (Creation) or an existing upload URL; returns the upload URL.

        From an existing URL the server's offset (HEAD) decides where to go on, never a stored
        one: the server may have kept bytes after the last checkpoint.
        """
        if isinstance(target, Creation):
            url, offset = await self.create(target, clip)
            if on_checkpoint is not None:
                await on_checkpoint(url, offset)
        else:
            url, offset = target, await self.offset(target, limit=clip.size)
        if on_progress is not None:
            on_progress(offset, clip.size)
        await self._send(clip, url, offset, on_checkpoint, on_progress)
        return url

    async def create(self, creation: Creation, clip: ClipSource) -> tuple[str, int]:
        """POST a new upload (with the first chunk if asked); its absolute URL and offset."""
        headers = {"Upload-Length": str(clip.size)}
        if creation.metadata:
            headers["Upload-Metadata"] = encode_metadata(creation.metadata)
        body = b""
        if creation.with_upload:
            body = await _first_block(clip, self.chunk_bytes)
            headers["Content-Type"] = OFFSET_STREAM
        response = await self._call("POST", creation.url, headers, body)
        if response.status_code != 201:
            raise self._refusal(response, "create")
        location = response.headers.get("location")
        if not location:
            raise Permanent(f"{self.platform}.upload_refused", "201 without Location", status=201)
        url = str(response.url.join(location))
        offset = self._offset_of(response, limit=len(body)) if creation.with_upload else 0
        return url, offset

    async def offset(self, url: str, *, limit: int | None = None) -> int:
        """How many bytes the server holds (HEAD); more than `limit` is not this clip's upload."""
        response = await self._call("HEAD", url, {})
        if response.status_code not in (200, 204):
            raise self._refusal(response, "head")
        return self._offset_of(response, limit=limit)

    async def _send(
        self,
        clip: ClipSource,
        url: str,
        offset: int,
        on_checkpoint: CheckpointCallback | None,
        on_progress: ProgressCallback | None,
    ) -> None:
        failures = 0
        while offset < clip.size:
            source = blocks(clip, offset, self.chunk_bytes)
            ahead = asyncio.create_task(_next(source))
            try:
                while block := await ahead:
                    ahead = asyncio.create_task(_next(source))  # the next chunk is read while this one goes
                    offset = await self._patch(url, offset, block)
                    failures = 0
                    if on_checkpoint is not None:
                        await on_checkpoint(url, offset)
                    if on_progress is not None:
                        on_progress(offset, clip.size)
            except _Resync as resync:
                failures += 1
                offset = await self._resync(url, clip.size, resync.error, failures)
            finally:
                await _drop(ahead)
                await source.aclose()

    async def _resync(self, url: str, size: int, error: PlatformError, failures: int) -> int:
        """Wait, then the server's offset; gives up (with the last error) after max_retries in a row."""
        while True:
            if failures > self.max_retries:
                raise error
            await asyncio.sleep(self.retry_delay * 2 ** (failures - 1) * random.uniform(0.5, 1.0))
            try:
                return await self.offset(url, limit=size)
            except Transient as exc:
                error, failures = exc, failures + 1

    async def _patch(self, url: str, offset: int, block: bytes) -> int:
        headers = {"Upload-Offset": str(offset), "Content-Type": OFFSET_STREAM}
        try:
            response = await self._call("PATCH", url, headers, block)
        except Transient as exc:  # the connection dropped or timed out mid-chunk
            raise _Resync(exc) from exc
        status = response.status_code
        if status in (200, 204):
            acknowledged = self._offset_of(response, limit=offset + len(block))
            if acknowledged != offset + len(block):
                raise _Resync(Transient(f"{self.platform}.connection_lost", f"server at {acknowledged}"))
            return acknowledged
        if status == 409:  # our offset is not the server's: take the server's
            raise _Resync(Transient(f"{self.platform}.upload_unavailable", "409 offset mismatch"))
        if status >= 500:
            raise _Resync(Transient(f"{self.platform}.upload_unavailable", f"PATCH answered {status}"))
        raise self._refusal(response, "patch")

    async def _call(
        self, method: str, url: str, headers: dict[str, str], body: bytes = b""
    ) -> httpx2.Response:
        request = self.http.build_request(
            method, url, headers={**self.headers, "Tus-Resumable": VERSION, **headers}, content=body
        )
        return await send(self.http, request, platform=self.platform, creates=False)

    def _offset_of(self, response: httpx2.Response, *, limit: int | None = None) -> int:
        """The answer's Upload-Offset; an answer without a sane one is not a tus server's."""
        value = response.headers.get("upload-offset", "")
        if not value.isdigit() or (limit is not None and int(value) > limit):
            raise Permanent(
                f"{self.platform}.upload_refused", f"Upload-Offset {value!r}", status=response.status_code
            )
        return int(value)

    def _refusal(self, response: httpx2.Response, step: str) -> PlatformError:
        """The error an answer other than success means (classified here once for every step)."""
        status = response.status_code
        detail = f"tus {step} answered {status}"
        if status in (404, 410):
            return UploadGone(f"{self.platform}.upload_gone", detail)
        if status == 429:
            return RateLimited(f"{self.platform}.upload_throttled", detail, retry_after=retry_after(response))
        if status >= 500:
            return Transient(f"{self.platform}.upload_unavailable", detail)
        return Permanent(f"{self.platform}.upload_refused", detail, status=status)


async def _next(source: AsyncGenerator[bytes, None]) -> bytes:
    return await anext(source, b"")


async def _drop(task: asyncio.Task[bytes]) -> None:
    """Stop a read-ahead nobody will use; its failure, if any, comes again on the next read."""
    task.cancel()
    await asyncio.wait([task])
    if not task.cancelled():
        task.exception()


async def _first_block(clip: ClipSource, size: int) -> bytes:
    source = blocks(clip, 0, size)
    try:
        return await anext(source, b"")
    finally:
        await source.aclose()
