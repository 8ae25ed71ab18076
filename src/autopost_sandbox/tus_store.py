"""Resumable uploads the sandbox holds: bytes in temporary files, hashed as they arrive.

Shared by every TUS endpoint an emulator mounts (autopost_sandbox.tus), kept in
SandboxState like the post registry so /_sandbox/state shows them and a reset
forgets them (and deletes their files). Only the running sha256 state sits in
memory, never the bytes, so a multi-GB upload costs the sandbox a file on disk.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from autopost_sandbox.media_shelf import SHELF


@dataclass
class ResumableUpload:
    """One upload resource: how long it will be, how much has arrived, and the sha256 so far."""

    id: str
    length: int
    path: Path
    metadata: dict[str, str] = field(default_factory=dict)
    created_at: float = 0.0
    expires_at: float | None = None
    offset: int = 0
    patches: int = 0  # requests that carried bytes (PATCH, or POST with the first chunk)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)
    _hasher: hashlib._Hash = field(default_factory=hashlib.sha256, repr=False)

    @property
    def complete(self) -> bool:
        return self.offset == self.length

    def expired(self, now: float) -> bool:
        # A finished upload waits for the platform to take it; only unfinished ones expire.
        return not self.complete and self.expires_at is not None and now > self.expires_at

    def open(self) -> BinaryIO:
        return self.path.open("ab")

    def append(self, handle: BinaryIO, data: bytes) -> None:
        """Store bytes at the current offset (the caller checked they fit)."""
        handle.write(data)
        self._hasher.update(data)
        self.offset += len(data)
        if self.complete:
            handle.flush()
            SHELF.keep_copy(self.path, self.sha256)

    @property
    def sha256(self) -> str:
        """sha256 of the bytes stored so far (of the whole file once complete)."""
        return self._hasher.copy().hexdigest()

    def view(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "length": self.length,
            "offset": self.offset,
            "sha256": self.sha256,
            "complete": self.complete,
            "metadata": dict(self.metadata),
            "patches": self.patches,
            "expires_at": self.expires_at,
        }


class ResumableStore:
    """Every upload resource by id; files live in one temporary directory made on first use."""

    def __init__(self) -> None:
        self._uploads: dict[str, ResumableUpload] = {}
        self._lock = threading.Lock()
        self._dir: Path | None = None

    def create(
        self, length: int, metadata: dict[str, str], *, now: float, expires_at: float | None
    ) -> ResumableUpload:
        upload_id = secrets.token_hex(16)
        with self._lock:
            if self._dir is None:
                self._dir = Path(tempfile.mkdtemp(prefix="autopost-sandbox-tus-"))
            path = self._dir / upload_id
            path.touch()
            upload = ResumableUpload(upload_id, length, path, metadata, created_at=now, expires_at=expires_at)
            self._uploads[upload_id] = upload
        return upload

    def get(self, upload_id: str) -> ResumableUpload | None:
        with self._lock:
            return self._uploads.get(upload_id)

    def remove(self, upload_id: str) -> None:
        with self._lock:
            upload = self._uploads.pop(upload_id, None)
        if upload is not None:
            upload.path.unlink(missing_ok=True)

    def views(self) -> list[dict[str, Any]]:
        with self._lock:
            return [u.view() for u in self._uploads.values()]

    def clear(self) -> None:
        with self._lock:
            self._uploads.clear()
            directory, self._dir = self._dir, None
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)
