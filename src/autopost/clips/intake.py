"""Receiving a clip: the multipart upload streamed to storage, hashed and size-capped on the way."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from starlette.requests import Request

from autopost.clips.texts import DESCRIPTION_MAX, TITLE_MAX
from autopost.multipart_stream import MalformedMultipart, MultipartStream, TextFieldTooLong, boundary_of
from autopost.refusals import Kind, Refused

# What the parser keeps of a text field: the caps (in characters) fit well within it even in 4-byte UTF-8.
MAX_TEXT_FIELD = 64 * 1024
# A field over MAX_TEXT_FIELD is refused by its own cap when it has one.
_CAPPED_FIELDS = {
    "title": ("title_over_limit", TITLE_MAX),
    "description": ("description_over_limit", DESCRIPTION_MAX),
}
CLIP_FIELD = "file"


@dataclass
class ReceivedUpload:
    fields: dict[str, str] = field(default_factory=dict)
    filename: str = ""
    size: int = 0
    sha256: str = ""


class _ClipFile:
    """The `file` part, written to its storage path as it arrives."""

    def __init__(self, destination: Path, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.hasher = hashlib.sha256()
        self.out: BinaryIO = destination.open("wb")

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.max_bytes:
            raise Refused("clip_too_large", Kind.TOO_LARGE, limit_bytes=self.max_bytes)
        self.hasher.update(data)
        self.out.write(data)

    def close(self) -> None:
        self.out.close()


async def receive_clip_upload(request: Request, destination: Path, max_bytes: int) -> ReceivedUpload:
    """Stream a multipart body's `file` part into `destination`; removes it again on any failure."""
    try:
        boundary = boundary_of(request.headers.get("content-type", ""))
    except MalformedMultipart as exc:
        raise Refused("validation_error", detail="multipart/form-data with a `file` part expected") from exc
    declared = int(request.headers.get("content-length") or 0)
    if declared > max_bytes + MAX_TEXT_FIELD:
        raise Refused("clip_too_large", Kind.TOO_LARGE, limit_bytes=max_bytes)
    destination.parent.mkdir(parents=True, exist_ok=True)
    result = ReceivedUpload()
    clip: _ClipFile | None = None

    def open_file(name: str, filename: str, content_type: str) -> _ClipFile | None:
        nonlocal clip
        if name != CLIP_FIELD:
            return None  # another file part is kept as a (capped) text field
        if clip is not None:
            raise Refused("validation_error", detail="only one file per upload")
        result.filename, clip = filename, _ClipFile(destination, max_bytes)
        return clip

    stream = MultipartStream(open_file, max_text=MAX_TEXT_FIELD)
    try:
        await stream.consume(boundary, request.stream())
        if clip is None:
            raise Refused("validation_error", detail="the `file` part is missing")
    except BaseException as exc:
        if clip is not None:
            clip.close()
        destination.unlink(missing_ok=True)  # noqa: ASYNC240 - a quick local unlink on the error path
        if isinstance(exc, TextFieldTooLong):
            raise _too_long(exc.name) from exc
        if isinstance(exc, MalformedMultipart):
            raise Refused("validation_error", detail=str(exc)) from exc
        raise
    result.fields, result.size, result.sha256 = stream.fields, clip.size, clip.hasher.hexdigest()
    return result


def _too_long(name: str) -> Refused:
    if name in _CAPPED_FIELDS:
        code, limit = _CAPPED_FIELDS[name]
        return Refused(code, limit=limit)
    return Refused("request_too_large", Kind.TOO_LARGE, limit_bytes=MAX_TEXT_FIELD)
