"""Where a clip's bytes come from: a stored file, or an HTTP(S) URL streamed straight through.

Both are autopost.platforms.media.ByteSource implementations: the bytes arrive
in chunks and are never held whole; ClipSource checks their count.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from autopost.platforms.errors import Permanent, Transient
from autopost.security.outbound import OutboundGuard, OutboundRefused


@dataclass(frozen=True)
class FileReader:
    path: Path

    def read(self, chunk_size: int) -> AsyncIterator[bytes]:
        return self.read_from(0, chunk_size)

    async def read_from(self, start: int, chunk_size: int) -> AsyncIterator[bytes]:
        """The bytes after `start` (a resumed upload, autopost.platforms.tus.RangeSource)."""
        try:
            handle = await asyncio.to_thread(self.path.open, "rb")
        except FileNotFoundError as exc:
            raise Permanent("clip_missing", str(self.path.name)) from exc
        try:
            if start:
                await asyncio.to_thread(handle.seek, start)
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
                    raise Permanent("clip_missing", f"source answered {response.status_code}")
                if response.status_code != 200:
                    raise Transient("clip_source_unavailable", f"source answered {response.status_code}")
                async for chunk in response.aiter_bytes(chunk_size):
                    yield chunk
        except OutboundRefused as exc:
            raise Permanent("source_refused", exc.reason) from exc
