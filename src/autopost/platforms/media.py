"""What a provider uploads: a clip's bytes from wherever they are, and what is known about them.

Providers know nothing of where clips are stored: they read a `ByteSource`
(the clips package implements it for stored files and for URLs) through
`ClipSource`, which also guards the byte count the platform was promised.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Protocol

from autopost.platforms.errors import Permanent

CHUNK_BYTES = 1024 * 1024

# Bytes sent so far and the total, called as an upload streams.
ProgressCallback = Callable[[int, int], None]


class ByteSource(Protocol):
    """A clip's bytes, read in chunks of at most `chunk_size` (never held whole)."""

    def read(self, chunk_size: int) -> AsyncIterator[bytes]: ...


@dataclass(frozen=True)
class ClipSource:
    """A clip ready to upload: its bytes, their count, and what the platforms want to know."""

    reader: ByteSource
    size: int
    filename: str = "clip.mp4"
    content_type: str = "video/mp4"
    sha256: str | None = None
    duration: float | None = None
    width: int | None = None
    height: int | None = None
    thumbnail: bytes | None = field(default=None, repr=False)

    async def chunks(self, chunk_size: int = CHUNK_BYTES) -> AsyncIterator[bytes]:
        """The bytes; a source yielding another count than `size` stops the upload.

        The Content-Length sent to the platform would otherwise be a lie.
        """
        seen = 0
        async for chunk in self.reader.read(chunk_size):
            seen += len(chunk)
            if seen > self.size:
                break
            yield chunk
        if seen != self.size:
            raise Permanent("clip_changed", f"expected {self.size} bytes, got {seen}")
