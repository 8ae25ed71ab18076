"""Receive uploads the way a platform does, hashing bytes as they stream.

A multi-GB upload never sits in the sandbox's memory: file parts are hashed
chunk by chunk and only the first HEAD_BYTES are kept (enough to inspect a
thumbnail or sniff a container), text fields are kept whole but capped.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

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
    _hasher: hashlib._Hash = field(default_factory=hashlib.sha256, repr=False)

    def feed(self, data: bytes, max_bytes: int | None) -> None:
        self.size += len(data)
        if max_bytes is not None and self.size > max_bytes:
            # Keep draining so the client finishes sending, as a proxy in front of the API would.
            self.too_large = True
            return
        self._hasher.update(data)
        if len(self.head) < HEAD_BYTES:
            self.head += data[: HEAD_BYTES - len(self.head)]

    def finish(self) -> None:
        self.sha256 = "" if self.too_large else self._hasher.hexdigest()


@dataclass
class ReceivedForm:
    fields: dict[str, str]
    files: dict[str, ReceivedFile]

    @property
    def too_large(self) -> bool:
        return any(f.too_large for f in self.files.values())


class _PartCollector:
    """Callbacks for python-multipart's push parser."""

    def __init__(self, max_file_bytes: int | None) -> None:
        self.max_file_bytes = max_file_bytes
        self.fields: dict[str, str] = {}
        self.files: dict[str, ReceivedFile] = {}
        self._header_field = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._text = bytearray()
        self._file: ReceivedFile | None = None
        self._name = ""

    def on_part_begin(self) -> None:
        self._headers = {}
        self._text = bytearray()
        self._file = None
        self._name = ""

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[self._header_field.lower()] = self._header_value
        self._header_field = b""
        self._header_value = b""

    def on_headers_finished(self) -> None:
        disposition, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        if disposition != b"form-data" or b"name" not in options:
            raise UploadRejected("part without a form-data name")
        self._name = options[b"name"].decode("utf-8", "replace")
        if b"filename" in options:
            content_type = self._headers.get(b"content-type", b"application/octet-stream")
            self._file = ReceivedFile(
                field_name=self._name,
                filename=options[b"filename"].decode("utf-8", "replace"),
                content_type=content_type.decode("latin-1"),
            )

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._file is not None:
            self._file.feed(data[start:end], self.max_file_bytes)
        elif len(self._text) < MAX_TEXT_FIELD:
            self._text += data[start:end]

    def on_part_end(self) -> None:
        if self._file is not None:
            self._file.finish()
            self.files[self._name] = self._file
        else:
            self.fields[self._name] = self._text.decode("utf-8", "replace")


async def receive_form(request: Request, max_file_bytes: int | None = None) -> ReceivedForm:
    """Parse a multipart/form-data or urlencoded body without buffering file parts."""
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    if content_type == b"multipart/form-data":
        boundary = options.get(b"boundary")
        if not boundary:
            raise UploadRejected("multipart body without boundary")
        collector = _PartCollector(max_file_bytes)
        parser = MultipartParser(boundary, _callbacks(collector))  # type: ignore[arg-type]
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
        return ReceivedForm(collector.fields, collector.files)
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    return ReceivedForm(fields, {})


async def receive_raw(request: Request, max_bytes: int | None = None) -> ReceivedFile:
    """Hash a raw (non-multipart) request body as it streams."""
    received = ReceivedFile(field_name="", filename="", content_type=request.headers.get("content-type", ""))
    async for chunk in request.stream():
        received.feed(chunk, max_bytes)
    received.finish()
    return received


def _callbacks(collector: _PartCollector) -> dict[str, object]:
    return {
        "on_part_begin": collector.on_part_begin,
        "on_part_data": collector.on_part_data,
        "on_part_end": collector.on_part_end,
        "on_header_field": collector.on_header_field,
        "on_header_value": collector.on_header_value,
        "on_header_end": collector.on_header_end,
        "on_headers_finished": collector.on_headers_finished,
    }
