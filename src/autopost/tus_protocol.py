"""TUS 1.0.0 header grammar, shared by our upload endpoint (autopost.clips.tus_routes) and the sandbox's
emulated upload hosts (autopost_sandbox.tus): one reading of Upload-Metadata and of the numbers.

Protocol: https://tus.io/protocols/resumable-upload (docs/platforms/tus.md).
"""

from __future__ import annotations

import base64
import binascii

VERSION = "1.0.0"
OFFSET_STREAM = "application/offset+octet-stream"


def parse_metadata(header: str) -> dict[str, str] | None:
    """Upload-Metadata: comma-separated `key base64value` pairs (value optional); None if malformed."""
    metadata: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in header.split(","))):
        key, _, encoded = pair.partition(" ")
        if not key or key in metadata or " " in encoded.strip():
            return None
        try:
            metadata[key] = base64.b64decode(encoded.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
    return metadata


def whole_number(value: str | None) -> int | None:
    """A header's non-negative integer (Upload-Length, Upload-Offset), None when absent or not one."""
    return int(value) if value is not None and value.isascii() and value.isdigit() else None
