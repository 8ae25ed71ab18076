"""The videos the sandbox received, kept on disk by sha256 so its post page can play them.

A real platform shows the video it got; the sandbox's post page (/_sandbox/post) should too, or a
person trying autopost cannot see that the right clip arrived. Bytes go to a file as they stream
(never into memory), and only files up to KEEP_MAX_BYTES are kept: short clips, which is what
autopost posts. Bigger ones, and the oldest once the shelf holds SHELF_MAX_BYTES, keep only their
size and checksum. The shelf is content-addressed, so one process's sandboxes share it safely.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
import threading
from pathlib import Path
from typing import BinaryIO

KEEP_MAX_BYTES = 256 * 1024 * 1024
SHELF_MAX_BYTES = 2 * 1024 * 1024 * 1024
_SHA256 = re.compile(r"[0-9a-f]{64}")


class Spool:
    """One incoming file: written as it arrives, shelved under its sha256 when it ends."""

    def __init__(self, shelf: MediaShelf) -> None:
        self._shelf = shelf
        self._handle: BinaryIO | None = None
        self._path: Path | None = None
        self._size = 0
        self._too_big = False

    def write(self, data: bytes) -> None:
        if self._too_big:
            return
        self._size += len(data)
        if self._size > KEEP_MAX_BYTES:
            self._too_big = True  # the rest is only hashed by the caller
            self.discard()
            return
        if self._handle is None:
            self._path = self._shelf.directory() / f"incoming-{os.getpid()}-{id(self)}"
            self._handle = self._path.open("wb")
        self._handle.write(data)

    def finish(self, sha256: str) -> None:
        if self._handle is None or self._path is None:
            return
        self._handle.close()
        self._handle, staged, self._path = None, self._path, None
        self._shelf.adopt(staged, sha256)

    def discard(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        if self._path is not None:
            self._path.unlink(missing_ok=True)
            self._path = None


class MediaShelf:
    def __init__(self) -> None:
        self._dir: Path | None = None
        self._lock = threading.Lock()

    def directory(self) -> Path:
        with self._lock:
            if self._dir is None:
                self._dir = Path(tempfile.mkdtemp(prefix="autopost-sandbox-media-"))
                atexit.register(shutil.rmtree, self._dir, True)
            return self._dir

    def spool(self) -> Spool:
        return Spool(self)

    def keep_copy(self, source: Path, sha256: str) -> None:
        """Shelve a finished file that stays where it is (a resumable upload's): a hard link, or a copy."""
        if source.stat().st_size > KEEP_MAX_BYTES or self.path_of(sha256) is not None:
            return
        staged = self.directory() / f"incoming-{os.getpid()}-{id(source)}"
        try:
            os.link(source, staged)
        except OSError:
            shutil.copyfile(source, staged)
        self.adopt(staged, sha256)

    def adopt(self, staged: Path, sha256: str) -> None:
        staged.replace(self.directory() / sha256)
        self._trim()

    def path_of(self, sha256: str) -> Path | None:
        """The kept file of these bytes, if the shelf has it (a malformed checksum finds nothing)."""
        if self._dir is None or not _SHA256.fullmatch(sha256):
            return None
        path = self._dir / sha256
        return path if path.is_file() else None

    def _trim(self) -> None:
        kept = sorted(
            (p for p in self.directory().iterdir() if _SHA256.fullmatch(p.name)),
            key=lambda p: p.stat().st_mtime,
        )
        total = sum(p.stat().st_size for p in kept)
        for oldest in kept:
            if total <= SHELF_MAX_BYTES:
                break
            total -= oldest.stat().st_size
            oldest.unlink(missing_ok=True)


SHELF = MediaShelf()
