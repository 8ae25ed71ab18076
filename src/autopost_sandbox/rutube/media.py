"""What a platform's ingest checks first: is this a video container, and how long does it play.

Shared by the Rutube and Дзен emulators: both reject bytes that are not a video
after accepting the upload, as real transcoders do.
"""

from __future__ import annotations

import struct

# MP4 / MOV (ISO base media): the first box is `ftyp`; WebM / Matroska: the EBML magic.
_EBML_MAGIC = b"\x1a\x45\xdf\xa3"


def looks_like_video(head: bytes) -> bool:
    """True when the first bytes start an MP4/MOV (`ftyp` box) or WebM/Matroska (EBML) container."""
    return (len(head) >= 8 and head[4:8] == b"ftyp") or head.startswith(_EBML_MAGIC)


def mp4_duration(head: bytes) -> int:
    """Whole seconds from the `mvhd` box when the moov atom is up front ("faststart"), else 0."""
    at = head.find(b"mvhd")
    if at < 4 or len(head) < at + 36:
        return 0
    version = head[at + 4]
    if version == 1:
        timescale, duration = struct.unpack(">IQ", head[at + 24 : at + 36])
    else:
        timescale, duration = struct.unpack(">II", head[at + 16 : at + 24])
    return int(duration // timescale) if timescale else 0
