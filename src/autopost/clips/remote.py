"""A clip given by URL: its size, and probing it without letting FFmpeg open any URL itself.

FFmpeg would follow whatever the file names (HLS segments, concat lists), so it
gets a seekable file object instead, whose reads are HTTP Range requests made
through the outbound guard (every hop vetted, connections pinned).
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable

import httpx2

from autopost.clips.probe import MediaInfo, ProbeError, probe
from autopost.refusals import Refused
from autopost.security.outbound import OutboundGuard, OutboundRefused

BLOCK_BYTES = 256 * 1024
# Probing reads headers and the index; a source that needs more is not worth fetching for a probe.
PROBE_BUDGET_BYTES = 64 * 1024 * 1024
RANGE_TIMEOUT_SECONDS = 60.0


def refused() -> Refused:
    """The one answer for a URL we will not fetch: it says nothing of what is behind it."""
    return Refused("source_refused")


async def remote_size(guard: OutboundGuard, url: str) -> int:
    """The Content-Length the source announces (the body is not read)."""
    try:
        async with guard.stream(url) as response:
            if response.status_code != 200:
                raise Refused("source_unreachable", detail=f"HTTP {response.status_code}")
            length = response.headers.get("content-length")
    except OutboundRefused as exc:
        raise refused() from exc
    except httpx2.HTTPError as exc:
        raise Refused("source_unreachable", detail=type(exc).__name__) from exc
    if not length or not length.isdigit():
        raise Refused("source_unreachable", detail="no Content-Length")
    return int(length)


class RemoteFile(io.RawIOBase):
    """A read-only, seekable view of `size` remote bytes, fetched block by block with `read_at`."""

    def __init__(self, read_at: Callable[[int, int], bytes], size: int) -> None:
        super().__init__()
        self._read_at = read_at
        self._size = size
        self._position = 0
        self._blocks: dict[int, bytes] = {}
        self._fetched = 0
        self.failure: BaseException | None = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        self._position = max(0, base + offset)
        return self._position

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._position >= self._size or self.failure is not None:
            return 0
        index = self._position // BLOCK_BYTES
        block = self._block(index)
        start = self._position - index * BLOCK_BYTES
        data = block[start : start + len(buffer)]
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)

    def _block(self, index: int) -> bytes:
        if index not in self._blocks:
            if self._fetched > PROBE_BUDGET_BYTES:
                self.failure = ProbeError("source_probe_too_large")
                return b""
            try:
                block = self._read_at(index * BLOCK_BYTES, BLOCK_BYTES)
            except Exception as exc:  # kept and re-raised after FFmpeg gives up reading
                self.failure = exc
                return b""
            self._fetched += len(block)
            if len(self._blocks) >= 8:  # a probe jumps between the start and the index: keep a few
                self._blocks.pop(next(iter(self._blocks)))
            self._blocks[index] = block
        return self._blocks[index]


def _probe_blocking(guard: OutboundGuard, url: str, size: int, loop: asyncio.AbstractEventLoop) -> MediaInfo:
    def read_at(start: int, length: int) -> bytes:
        future = asyncio.run_coroutine_threadsafe(guard.read_range(url, start, length), loop)
        return future.result(timeout=RANGE_TIMEOUT_SECONDS)

    with RemoteFile(read_at, size) as remote:
        try:
            return probe(remote)
        except ProbeError:
            if remote.failure is not None:
                raise remote.failure from None
            raise


async def probe_remote(guard: OutboundGuard, url: str, size: int) -> MediaInfo:
    """What the clip at `url` is; refused as source_refused / source_unreachable / not_a_video."""
    loop = asyncio.get_running_loop()
    try:
        return await asyncio.to_thread(_probe_blocking, guard, url, size, loop)
    except OutboundRefused as exc:
        raise refused() from exc
    except (httpx2.HTTPError, TimeoutError) as exc:
        raise Refused("source_unreachable", detail=type(exc).__name__) from exc
    except ProbeError as exc:
        raise Refused(exc.code) from exc
