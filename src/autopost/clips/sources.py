"""Where a clip's bytes come from: a stored file, or an HTTP(S) URL streamed straight through.

Both are autopost.platforms.media.ByteSource implementations: the bytes arrive
in chunks and are never held whole; ClipSource checks their count.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx2

from autopost.platforms.errors import Permanent, Transient


@dataclass(frozen=True)
class FileReader:
    path: Path

    async def read(self, chunk_size: int) -> AsyncIterator[bytes]:
        try:
            handle = await asyncio.to_thread(self.path.open, "rb")
        except FileNotFoundError as exc:
            raise Permanent("clip_missing", str(self.path.name)) from exc
        try:
            while chunk := await asyncio.to_thread(handle.read, chunk_size):
                yield chunk
        finally:
            await asyncio.to_thread(handle.close)


@dataclass(frozen=True)
class UrlReader:
    """Streams a remote file (e.g. a presigned S3 link) without a temporary copy."""

    url: str = field(repr=False)  # presigned URLs carry credentials in the query
    transport: httpx2.AsyncBaseTransport | None = None
    timeout: float = 60.0

    async def read(self, chunk_size: int) -> AsyncIterator[bytes]:
        async with (
            httpx2.AsyncClient(
                transport=self.transport, timeout=self.timeout, follow_redirects=True
            ) as client,
            client.stream("GET", self.url) as response,
        ):
            if response.status_code in (403, 404, 410):
                raise Permanent("clip_missing", f"source answered {response.status_code}")
            if response.status_code != 200:
                raise Transient("clip_source_unavailable", f"source answered {response.status_code}")
            async for chunk in response.aiter_bytes(chunk_size):
                yield chunk
