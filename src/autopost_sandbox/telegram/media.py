"""What Telegram makes of an uploaded video and its thumbnail.

The sendVideo docs: the thumbnail "should be in JPEG format and less than 200 kB
in size. A thumbnail's width and height should not exceed 320." A thumbnail
that breaks these rules is dropped silently, never an error (tdlib/td#1899: the
message simply has no thumbnail), so the emulator does the same.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass

from autopost_sandbox.uploads import ReceivedFile

MAX_THUMBNAIL_SIDE = 320
MAX_THUMBNAIL_BYTES = 200 * 1024
# Start-of-frame markers carry the image size; DHT (C4), JPG (C8) and DAC (CC) share the range but do not.
_SOF_MARKERS = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
# Markers that stand alone, without a length field.
_STANDALONE = {0x01, *range(0xD0, 0xD8)}


@dataclass(frozen=True)
class Thumbnail:
    width: int
    height: int
    size: int


def jpeg_size(head: bytes) -> tuple[int, int] | None:
    """(width, height) from a JPEG's start-of-frame segment, or None if this is not a JPEG we can read."""
    if not head.startswith(b"\xff\xd8"):
        return None
    pos = 2
    while pos + 4 <= len(head):
        if head[pos] != 0xFF:
            return None
        marker = head[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        if marker in _STANDALONE:
            pos += 2
            continue
        if marker == 0xDA:
            return None
        length = int.from_bytes(head[pos + 2 : pos + 4], "big")
        if marker in _SOF_MARKERS and pos + 9 <= len(head):
            height = int.from_bytes(head[pos + 5 : pos + 7], "big")
            width = int.from_bytes(head[pos + 7 : pos + 9], "big")
            return width, height
        pos += 2 + length
    return None


def accepted_thumbnail(part: ReceivedFile | None) -> Thumbnail | None:
    """The thumbnail Telegram would keep, or None when it would silently ignore it."""
    if part is None or part.too_large or part.size >= MAX_THUMBNAIL_BYTES:
        return None
    size = jpeg_size(part.head)
    if size is None or size[0] <= 0 or size[1] <= 0:
        return None
    if max(size) > MAX_THUMBNAIL_SIDE:
        return None
    return Thumbnail(width=size[0], height=size[1], size=part.size)


def video_mime_type(part: ReceivedFile) -> str:
    """Telegram derives the MIME type from the file name; a nameless upload counts as MP4."""
    guessed, _ = mimetypes.guess_type(part.filename)
    if guessed:
        return guessed
    if part.content_type.startswith("video/"):
        return part.content_type
    return "video/mp4"
