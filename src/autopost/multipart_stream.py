"""Reading multipart/form-data as it streams in: file parts go to sinks chunk by chunk.

Used by clip intake (the clip is written to storage) and by the sandbox's
emulators (uploads are hashed); neither ever holds a file part in memory.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Protocol

from python_multipart.multipart import MultipartParser, parse_options_header


class MalformedMultipart(ValueError):
    """The body is not multipart/form-data that can be read (no boundary, a part without a name)."""


class TextFieldTooLong(MalformedMultipart):
    """A text field is longer than the reader keeps (`name` says which): refused, never cut."""

    def __init__(self, name: str) -> None:
        super().__init__(f"the field {name!r} is too long")
        self.name = name


class PartSink(Protocol):
    def write(self, data: bytes) -> None: ...

    def close(self) -> None: ...


# (field name, filename, content type) → where the part's bytes go, or None to keep it as a text field.
OpenFile = Callable[[str, str, str], PartSink | None]


def boundary_of(content_type_header: str) -> bytes:
    content_type, options = parse_options_header(content_type_header)
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise MalformedMultipart("multipart/form-data with a boundary expected")
    return bytes(boundary)


class MultipartStream:
    """python-multipart's push-parser callbacks: headers parsed here, file bytes handed on."""

    def __init__(self, open_file: OpenFile, *, max_text: int) -> None:
        self.fields: dict[str, str] = {}
        self._open_file = open_file
        self._max_text = max_text
        self._headers: dict[bytes, bytes] = {}
        self._header_name = b""
        self._header_value = b""
        self._name = ""
        self._text = bytearray()
        self._sink: PartSink | None = None

    async def consume(self, boundary: bytes, chunks: AsyncIterator[bytes]) -> None:
        callbacks = {name: getattr(self, name) for name in dir(self) if name.startswith("on_")}
        parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
        async for chunk in chunks:
            parser.write(chunk)
        parser.finalize()

    def on_part_begin(self) -> None:
        self._headers, self._name, self._text, self._sink = {}, "", bytearray(), None

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[self._header_name.lower()] = self._header_value
        self._header_name, self._header_value = b"", b""

    def on_headers_finished(self) -> None:
        disposition, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        if disposition != b"form-data" or b"name" not in options:
            raise MalformedMultipart("part without a form-data name")
        self._name = options[b"name"].decode("utf-8", "replace")
        if b"filename" in options:
            content_type = self._headers.get(b"content-type", b"application/octet-stream").decode("latin-1")
            filename = options[b"filename"].decode("utf-8", "replace")
            self._sink = self._open_file(self._name, filename, content_type)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._sink is not None:
            self._sink.write(data[start:end])
        elif len(self._text) + (end - start) <= self._max_text:
            self._text += data[start:end]
        else:
            raise TextFieldTooLong(self._name)

    def on_part_end(self) -> None:
        if self._sink is not None:
            self._sink.close()
        else:
            self.fields[self._name] = self._text.decode("utf-8", "replace")
