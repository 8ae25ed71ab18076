"""multipart/form-data bodies that stream a clip instead of holding it in memory.

httpx2 builds multipart bodies only from synchronous files; clips come from
async sources (a file read in a thread, or another HTTP download), so the
body is assembled here: known-length, chunk by chunk, counting bytes sent.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field

from autopost.platforms.media import ClipSource, ProgressCallback


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


@dataclass
class SmallFile:
    """A file part small enough to hold whole (a thumbnail)."""

    filename: str
    content_type: str
    data: bytes


@dataclass
class StreamingMultipart:
    """A multipart body of text fields, small files and one streamed clip part (sent last)."""

    fields: Mapping[str, str]
    clip_field: str
    clip: ClipSource
    small_files: Mapping[str, SmallFile] = field(default_factory=dict)
    on_progress: ProgressCallback | None = None
    boundary: str = field(default_factory=lambda: "autopost" + secrets.token_hex(16))
    sent: int = 0
    completed: bool = False

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def _head(self) -> bytes:
        parts = []
        for name, value in self.fields.items():
            parts.append(
                f'--{self.boundary}\r\nContent-Disposition: form-data; name="{_quote(name)}"\r\n\r\n'.encode()
                + value.encode()
                + b"\r\n"
            )
        for name, small in self.small_files.items():
            parts.append(self._file_header(name, small.filename, small.content_type) + small.data + b"\r\n")
        parts.append(self._file_header(self.clip_field, self.clip.filename, self.clip.content_type))
        return b"".join(parts)

    def _file_header(self, name: str, filename: str, content_type: str) -> bytes:
        return (
            f"--{self.boundary}\r\n"
            f'Content-Disposition: form-data; name="{_quote(name)}"; filename="{_quote(filename)}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        ).encode()

    def _tail(self) -> bytes:
        return f"\r\n--{self.boundary}--\r\n".encode()

    @property
    def content_length(self) -> int:
        return len(self._head()) + self.clip.size + len(self._tail())

    def headers(self) -> dict[str, str]:
        return {"Content-Type": self.content_type, "Content-Length": str(self.content_length)}

    def body_sent(self) -> bool:
        return self.completed

    async def stream(self) -> AsyncIterator[bytes]:
        self.sent = 0
        self.completed = False
        yield self._head()
        async for chunk in self.clip.chunks():
            self.sent += len(chunk)
            if self.on_progress:
                self.on_progress(self.sent, self.clip.size)
            yield chunk
        yield self._tail()
        self.completed = True
