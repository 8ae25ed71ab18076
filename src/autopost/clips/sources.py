"""Where a clip's bytes come from: a stored file, or an HTTP(S) URL streamed straight through.

Either way the bytes arrive in chunks of CHUNK_BYTES and are never held
whole; a source that yields a different number of bytes than announced stops
the upload (the Content-Length sent to the platform would be a lie).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from autopost.platforms.errors import Permanent, Transient
from autopost.security.outbound import OutboundGuard, OutboundRefused

CHUNK_BYTES = 1024 * 1024

CLIP_MISSING = "Файл клипа не найден"
SOURCE_REFUSED = "Ссылка ведёт на адрес, с которого клипы не скачиваются"


class ChunkReader(Protocol):
    def read(self, chunk_size: int) -> AsyncIterator[bytes]: ...


@dataclass(frozen=True)
class FileReader:
    path: Path

    async def read(self, chunk_size: int) -> AsyncIterator[bytes]:
        try:
            handle = await asyncio.to_thread(self.path.open, "rb")
        except FileNotFoundError as exc:
            raise Permanent("clip_missing", CLIP_MISSING, str(self.path.name)) from exc
        try:
            while chunk := await asyncio.to_thread(handle.read, chunk_size):
                yield chunk
        finally:
            await asyncio.to_thread(handle.close)


@dataclass(frozen=True)
class UrlReader:
    """Streams a remote file (e.g. a presigned S3 link) without a temporary copy.

    Fetched through the outbound guard: the source may have changed since intake
    (a new redirect, a new DNS answer), so every hop is vetted again here.
    """

    url: str = field(repr=False)  # presigned URLs carry credentials in the query
    guard: OutboundGuard = field(default_factory=OutboundGuard)

    async def read(self, chunk_size: int) -> AsyncIterator[bytes]:
        try:
            async with self.guard.stream(self.url) as response:
                if response.status_code in (403, 404, 410):
                    raise Permanent("clip_missing", CLIP_MISSING, f"source answered {response.status_code}")
                if response.status_code != 200:
                    raise Transient("clip_source_unavailable", "Источник клипа недоступен, повторим позже")
                async for chunk in response.aiter_bytes(chunk_size):
                    yield chunk
        except OutboundRefused as exc:
            raise Permanent("source_refused", SOURCE_REFUSED, exc.reason) from exc


@dataclass(frozen=True)
class ClipSource:
    """A clip ready to upload: its bytes, their count, and what the platforms want to know."""

    reader: ChunkReader
    size: int
    filename: str = "clip.mp4"
    content_type: str = "video/mp4"
    sha256: str | None = None
    duration: float | None = None
    width: int | None = None
    height: int | None = None
    thumbnail: bytes | None = field(default=None, repr=False)

    async def chunks(self, chunk_size: int = CHUNK_BYTES) -> AsyncIterator[bytes]:
        seen = 0
        async for chunk in self.reader.read(chunk_size):
            seen += len(chunk)
            if seen > self.size:
                break
            yield chunk
        if seen != self.size:
            raise Permanent(
                "clip_changed",
                "Файл клипа изменился или повреждён, загрузите его заново",
                f"expected {self.size} bytes, got {seen}",
            )
