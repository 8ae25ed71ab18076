"""The sandbox's media shelf: what it keeps of the videos it received, on disk, by sha256."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from autopost_sandbox import media_shelf
from autopost_sandbox.media_shelf import MediaShelf


def _spooled(shelf: MediaShelf, *chunks: bytes) -> str:
    spool, hasher = shelf.spool(), hashlib.sha256()
    for chunk in chunks:
        spool.write(chunk)
        hasher.update(chunk)
    digest = hasher.hexdigest()
    spool.finish(digest)
    return digest


def test_a_streamed_file_is_kept_whole_under_its_checksum() -> None:
    shelf = MediaShelf()
    digest = _spooled(shelf, b"a" * 1000, b"b" * 10)
    kept = shelf.path_of(digest)
    assert kept is not None and kept.read_bytes() == b"a" * 1000 + b"b" * 10
    assert [p.name for p in shelf.directory().iterdir()] == [digest]  # no staging file left behind


def test_a_file_over_the_keep_limit_leaves_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(media_shelf, "KEEP_MAX_BYTES", 1500)
    shelf = MediaShelf()
    digest = _spooled(shelf, b"a" * 1000, b"b" * 1000, b"c")
    assert shelf.path_of(digest) is None
    assert list(shelf.directory().iterdir()) == []


def test_the_oldest_go_once_the_shelf_is_full(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(media_shelf, "SHELF_MAX_BYTES", 2500)
    shelf = MediaShelf()
    first = _spooled(shelf, b"1" * 1000)
    second = _spooled(shelf, b"2" * 1000)
    first_path = shelf.path_of(first)
    assert first_path is not None
    older = first_path.stat().st_mtime - 10
    os.utime(first_path, (older, older))
    third = _spooled(shelf, b"3" * 1000)
    assert shelf.path_of(first) is None
    assert shelf.path_of(second) is not None and shelf.path_of(third) is not None


def test_a_resumable_uploads_finished_file_is_shelved_and_stays_in_place(tmp_path: Path) -> None:
    shelf = MediaShelf()
    source = tmp_path / "upload"
    source.write_bytes(b"x" * 4096)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    shelf.keep_copy(source, digest)
    kept = shelf.path_of(digest)
    assert kept is not None and kept.read_bytes() == source.read_bytes()
    source.unlink()  # the upload's own file may go (a reset): the shelf's copy stays
    assert kept.read_bytes() == b"x" * 4096


def test_only_a_well_formed_checksum_finds_anything() -> None:
    shelf = MediaShelf()
    _spooled(shelf, b"video")
    assert shelf.path_of("../" + "0" * 61) is None
    assert shelf.path_of("") is None
