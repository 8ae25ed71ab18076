"""Receive uploads the way a platform does, hashing bytes as they stream.

A multi-GB upload never sits in the sandbox's memory: file parts are hashed
chunk by chunk and only the first HEAD_BYTES are kept (enough to inspect a
thumbnail or sniff a container), text fields are kept whole but capped. Short
files also go to the media shelf on disk, so the post page can play them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from starlette.requests import Request

from autopost.multipart_stream import MalformedMultipart, MultipartStream, boundary_of
from autopost_sandbox.media_shelf import SHELF, Spool

HEAD_BYTES = 256 * 1024
MAX_TEXT_FIELD = 1024 * 1024


class UploadRejected(Exception):
    """The body is not what the platform accepts (bad multipart, missing boundary)."""


@dataclass
class ReceivedFile:
    """A file part as received: size and sha256 of every byte, plus its first bytes."""

    field_name: str
    filename: str
    content_type: str
    size: int = 0
    sha256: str = ""
    head: bytes = b""
    too_large: bool = False
    max_bytes: int | None = None
    _hasher: hashlib._Hash = field(default_factory=hashlib.sha256, repr=False)
    _spool: Spool = field(default_factory=SHELF.spool, repr=False)

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.max_bytes is not None and self.size > self.max_bytes:
            # Keep draining so the client finishes sending, as a proxy in front of the API would.
            self.too_large = True
            self._spool.discard()
            return
        self._hasher.update(data)
        self._spool.write(data)
        if len(self.head) < HEAD_BYTES:
            self.head += data[: HEAD_BYTES - len(self.head)]

    def close(self) -> None:
        self.sha256 = "" if self.too_large else self._hasher.hexdigest()
        if self.sha256:
            self._spool.finish(self.sha256)


@dataclass
class ReceivedForm:
    fields: dict[str, str]
    files: dict[str, ReceivedFile]

    @property
    def too_large(self) -> bool:
        return any(f.too_large for f in self.files.values())


async def receive_form(request: Request, max_file_bytes: int | None = None) -> ReceivedForm:
    """Parse a multipart/form-data or urlencoded body without buffering file parts."""
    header = request.headers.get("content-type", "")
    if header.startswith("multipart/form-data"):
        files: dict[str, ReceivedFile] = {}

        def open_file(name: str, filename: str, content_type: str) -> ReceivedFile:
            files[name] = ReceivedFile(name, filename, content_type, max_bytes=max_file_bytes)
            return files[name]

        stream = MultipartStream(open_file, max_text=MAX_TEXT_FIELD)
        try:
            await stream.consume(boundary_of(header), request.stream())
        except MalformedMultipart as exc:
            raise UploadRejected(str(exc)) from exc
        return ReceivedForm(stream.fields, files)
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    return ReceivedForm(fields, {})


async def receive_raw(request: Request, max_bytes: int | None = None) -> ReceivedFile:
    """Hash a raw (non-multipart) request body as it streams."""
    received = ReceivedFile("", "", request.headers.get("content-type", ""), max_bytes=max_bytes)
    async for chunk in request.stream():
        received.write(chunk)
    received.close()
    return received
