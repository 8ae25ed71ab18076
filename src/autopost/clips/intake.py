"""Receiving a clip: the multipart upload streamed to storage, hashed and size-capped on the way."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from autopost.errors import ApiError
from autopost.platforms.catalog import format_limit

MAX_TEXT_FIELD = 64 * 1024
CLIP_FIELD = "file"


@dataclass
class ReceivedUpload:
    fields: dict[str, str] = field(default_factory=dict)
    filename: str = ""
    size: int = 0
    sha256: str = ""


class _Receiver:
    """python-multipart callbacks: the `file` part goes to disk, text fields stay in memory (capped)."""

    def __init__(self, destination: Path, max_bytes: int) -> None:
        self.destination = destination
        self.max_bytes = max_bytes
        self.result = ReceivedUpload()
        self._hasher = hashlib.sha256()
        self._out: BinaryIO | None = None
        self._headers: dict[bytes, bytes] = {}
        self._header_name = b""
        self._header_value = b""
        self._name = ""
        self._text = bytearray()

    def on_part_begin(self) -> None:
        self._headers, self._name, self._text = {}, "", bytearray()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[self._header_name.lower()] = self._header_value
        self._header_name, self._header_value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        if self._name == CLIP_FIELD and b"filename" in options:
            if self._out is not None:
                raise ApiError("validation_error", 422, detail="only one file per upload")
            self.result.filename = options[b"filename"].decode("utf-8", "replace")
            self._out = self.destination.open("wb")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self._name == CLIP_FIELD and self._out is not None:
            self.result.size += len(chunk)
            if self.result.size > self.max_bytes:
                raise ApiError("clip_too_large", 413, limit=format_limit(self.max_bytes))
            self._hasher.update(chunk)
            self._out.write(chunk)
        elif len(self._text) + len(chunk) <= MAX_TEXT_FIELD:
            self._text += chunk

    def on_part_end(self) -> None:
        if self._name == CLIP_FIELD and self._out is not None:
            self._out.close()
        elif self._name:
            self.result.fields[self._name] = self._text.decode("utf-8", "replace")

    def close(self) -> None:
        if self._out is not None and not self._out.closed:
            self._out.close()

    def finish(self) -> ReceivedUpload:
        if self._out is None:
            raise ApiError("validation_error", 422, detail="the `file` part is missing")
        self.result.sha256 = self._hasher.hexdigest()
        return self.result


async def receive_clip_upload(request: Request, destination: Path, max_bytes: int) -> ReceivedUpload:
    """Stream a multipart body's `file` part into `destination`; removes it again on any failure."""
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise ApiError("validation_error", 422, detail="multipart/form-data with a `file` part expected")
    declared = int(request.headers.get("content-length") or 0)
    if declared > max_bytes + MAX_TEXT_FIELD:
        raise ApiError("clip_too_large", 413, limit=format_limit(max_bytes))
    destination.parent.mkdir(parents=True, exist_ok=True)
    receiver = _Receiver(destination, max_bytes)
    callbacks = {name: getattr(receiver, name) for name in dir(receiver) if name.startswith("on_")}
    parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except BaseException:
        receiver.close()
        destination.unlink(missing_ok=True)  # noqa: ASYNC240 - a quick local unlink on the error path
        raise
    try:
        return receiver.finish()
    except ApiError:
        destination.unlink(missing_ok=True)  # noqa: ASYNC240 - a quick local unlink on the error path
        raise
