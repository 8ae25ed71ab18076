"""The TUS client against the sandbox's TUS server over real HTTP: whole, resumed, refused."""

from __future__ import annotations

import hashlib
import os
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx2
import pytest

from autopost.clips.sources import FileReader
from autopost.platforms.errors import Permanent, RateLimited, Transient
from autopost.platforms.media import ClipSource
from autopost.platforms.tus import Creation, TusClient, UploadGone
from tests.conftest import Sandbox

MiB = 1024 * 1024
CHUNK = 256 * 1024
SIZE = 4 * CHUNK + 1234  # four whole chunks and a short last one
BROWSER = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36",
    "Origin": "https://studio.rutube.ru",
    "Referer": "https://studio.rutube.ru/",
}


@dataclass(frozen=True)
class CountingReader:
    """A file read that records where each read started (a resume must start at the server's offset)."""

    file: FileReader
    starts: list[int] = field(default_factory=list)

    def read(self, chunk_size: int) -> AsyncIterator[bytes]:
        return self.read_from(0, chunk_size)

    def read_from(self, start: int, chunk_size: int) -> AsyncIterator[bytes]:
        self.starts.append(start)
        return self.file.read_from(start, chunk_size)


@dataclass
class Journal:
    """What the callbacks saw."""

    checkpoints: list[tuple[str, int]] = field(default_factory=list)
    progress: list[int] = field(default_factory=list)

    async def checkpoint(self, url: str, offset: int) -> None:
        self.checkpoints.append((url, offset))

    def step(self, sent: int, total: int) -> None:
        self.progress.append(sent)


def write_clip(path: Path, size: int) -> str:
    digest = hashlib.sha256()
    with path.open("wb") as handle:
        left = size
        while left:
            block = os.urandom(min(left, 4 * MiB))
            digest.update(block)
            handle.write(block)
            left -= len(block)
    return digest.hexdigest()


@pytest.fixture
def clip_file(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    path = tmp_path / "clip.mp4"
    yield path, write_clip(path, SIZE)


@pytest.fixture
async def http() -> AsyncIterator[httpx2.AsyncClient]:
    async with httpx2.AsyncClient(timeout=30) as client:
        yield client


def _client(http: httpx2.AsyncClient, **options: object) -> TusClient:
    return TusClient(http, platform="dzen", chunk_bytes=CHUNK, retry_delay=0.01, **options)  # type: ignore[arg-type]


def _uploads(sandbox: Sandbox) -> list[dict[str, object]]:
    with sandbox.control() as control:
        uploads: list[dict[str, object]] = control.get("/state").json()["uploads"]
    return uploads


def _fault(sandbox: Sandbox, **fault: object) -> None:
    with sandbox.control() as control:
        control.post("/faults", json={"platform": "tus", **fault}).raise_for_status()


async def test_full_upload_lands_byte_for_byte(
    sandbox: Sandbox, http: httpx2.AsyncClient, clip_file: tuple[Path, str]
) -> None:
    path, sha256 = clip_file
    journal = Journal()
    clip = ClipSource(reader=FileReader(path), size=SIZE)
    creation = Creation(f"{sandbox.url}/_tus/files", metadata={"filename": "clip.mp4"})
    url = await _client(http).upload(
        clip, creation, on_checkpoint=journal.checkpoint, on_progress=journal.step
    )
    assert url.startswith(f"{sandbox.url}/_tus/files/")  # the relative Location, resolved
    [upload] = _uploads(sandbox)
    assert (upload["complete"], upload["sha256"], upload["metadata"]) == (
        True,
        sha256,
        {"filename": "clip.mp4"},
    )
    assert upload["patches"] == 5
    expected = [0, CHUNK, 2 * CHUNK, 3 * CHUNK, 4 * CHUNK, SIZE]
    assert journal.checkpoints == [(url, offset) for offset in expected]
    assert journal.progress == expected


async def test_dropped_connection_resumes_from_the_servers_offset(
    sandbox: Sandbox, http: httpx2.AsyncClient, clip_file: tuple[Path, str]
) -> None:
    path, sha256 = clip_file
    _fault(sandbox, fault="reset", on="tus.patch", after_bytes=1000, count=1)
    reader = CountingReader(FileReader(path))
    journal = Journal()
    clip = ClipSource(reader=reader, size=SIZE)
    await _client(http).upload(clip, Creation(f"{sandbox.url}/_tus/files"), on_checkpoint=journal.checkpoint)
    [upload] = _uploads(sandbox)
    assert (upload["complete"], upload["sha256"]) == (True, sha256)
    # The first PATCH was cut after 1000 bytes the server kept: the next read starts exactly there.
    assert reader.starts == [0, 1000]
    assert [offset for _, offset in journal.checkpoints] == [
        0,
        1000 + CHUNK,
        1000 + 2 * CHUNK,
        1000 + 3 * CHUNK,
        1000 + 4 * CHUNK,
        SIZE,
    ]


async def test_offset_conflict_is_resolved_by_asking_the_server(
    sandbox: Sandbox, http: httpx2.AsyncClient, clip_file: tuple[Path, str]
) -> None:
    path, sha256 = clip_file
    data = path.read_bytes()
    reader = CountingReader(FileReader(path))

    async def duplicate_lands(url: str, offset: int) -> None:
        # Another request (a retried duplicate) delivers the next chunk first: our PATCH gets 409.
        if offset == CHUNK:
            headers = {
                "Tus-Resumable": "1.0.0",
                "Content-Type": "application/offset+octet-stream",
                "Upload-Offset": str(CHUNK),
            }
            answer = await http.patch(url, headers=headers, content=data[CHUNK : 2 * CHUNK])
            assert answer.status_code == 204

    clip = ClipSource(reader=reader, size=SIZE)
    await _client(http).upload(clip, Creation(f"{sandbox.url}/_tus/files"), on_checkpoint=duplicate_lands)
    [upload] = _uploads(sandbox)
    assert (upload["complete"], upload["sha256"]) == (True, sha256)
    assert reader.starts == [0, 2 * CHUNK]


async def test_expired_upload_is_gone(
    sandbox: Sandbox, http: httpx2.AsyncClient, clip_file: tuple[Path, str]
) -> None:
    path, _ = clip_file
    clip = ClipSource(reader=FileReader(path), size=SIZE)
    url, _offset = await _client(http).create(Creation(f"{sandbox.url}/_tus/files"), clip)
    with sandbox.control() as control:
        control.post("/clock", json={"advance": 25 * 3600}).raise_for_status()
    with pytest.raises(UploadGone) as gone:
        await _client(http).upload(clip, url)
    assert gone.value.code == "dzen.upload_gone"


async def test_creation_with_upload_sends_the_first_chunk_in_the_post(
    sandbox: Sandbox, http: httpx2.AsyncClient, clip_file: tuple[Path, str]
) -> None:
    path, sha256 = clip_file
    journal = Journal()
    clip = ClipSource(reader=FileReader(path), size=SIZE)
    creation = Creation(f"{sandbox.url}/_tus/files", with_upload=True)
    url = await _client(http).upload(clip, creation, on_checkpoint=journal.checkpoint)
    [upload] = _uploads(sandbox)
    assert (upload["complete"], upload["sha256"], upload["patches"]) == (True, sha256, 5)
    assert journal.checkpoints[0] == (url, CHUNK)  # acknowledged by the 201 itself


async def test_a_fresh_client_resumes_from_a_stored_checkpoint(
    sandbox: Sandbox, http: httpx2.AsyncClient, clip_file: tuple[Path, str]
) -> None:
    path, sha256 = clip_file
    stored: list[tuple[str, int]] = []

    class WorkerKilled(Exception):
        pass

    async def store_then_die(url: str, offset: int) -> None:
        stored.append((url, offset))
        if offset >= 2 * CHUNK:
            raise WorkerKilled

    with pytest.raises(WorkerKilled):
        clip = ClipSource(reader=FileReader(path), size=SIZE)
        await _client(http).upload(clip, Creation(f"{sandbox.url}/_tus/files"), on_checkpoint=store_then_die)
    url, offset = stored[-1]
    reader = CountingReader(FileReader(path))
    async with httpx2.AsyncClient(timeout=30) as other:
        await _client(other).upload(ClipSource(reader=reader, size=SIZE), url)
    assert reader.starts == [offset] == [2 * CHUNK]
    [upload] = _uploads(sandbox)
    assert (upload["complete"], upload["sha256"], upload["patches"]) == (True, sha256, 5)


async def test_server_errors_are_retried_then_given_up(
    sandbox: Sandbox, http: httpx2.AsyncClient, clip_file: tuple[Path, str]
) -> None:
    path, sha256 = clip_file
    clip = ClipSource(reader=FileReader(path), size=SIZE)
    _fault(sandbox, fault="server_error", on="tus.patch", count=2)
    await _client(http).upload(clip, Creation(f"{sandbox.url}/_tus/files"))
    assert _uploads(sandbox)[0]["sha256"] == sha256
    _fault(sandbox, fault="server_error", on="tus.patch", count=10)
    with pytest.raises(Transient) as failed:
        await _client(http, max_retries=2).upload(clip, Creation(f"{sandbox.url}/_tus/files"))
    assert failed.value.code == "dzen.upload_unavailable"
    assert _uploads(sandbox)[1]["offset"] == 0


async def test_throttled_and_refused_answers(
    sandbox: Sandbox, http: httpx2.AsyncClient, clip_file: tuple[Path, str]
) -> None:
    path, _ = clip_file
    clip = ClipSource(reader=FileReader(path), size=SIZE)
    _fault(sandbox, fault="rate_limit", on="tus.create", retry_after=7)
    with pytest.raises(RateLimited) as limited:
        await _client(http).upload(clip, Creation(f"{sandbox.url}/_tus/files"))
    assert (limited.value.code, limited.value.retry_after) == ("dzen.upload_throttled", 7)
    with pytest.raises(Permanent) as refused:  # the anti-bot check, without browser-like headers
        await _client(http).upload(clip, Creation(f"{sandbox.url}/_tus/browser/files"))
    assert (refused.value.code, refused.value.params) == ("dzen.upload_refused", {"status": 403})


async def test_caller_headers_and_metadata_pass_the_browser_check(
    sandbox: Sandbox, http: httpx2.AsyncClient, clip_file: tuple[Path, str]
) -> None:
    path, sha256 = clip_file
    clip = ClipSource(reader=FileReader(path), size=SIZE)
    metadata = {"sessionId": "sid-1", "videoId": "v-2", "userId": "42"}
    creation = Creation(f"{sandbox.url}/_tus/browser/files", metadata=metadata, with_upload=True)
    await _client(http, headers=BROWSER).upload(clip, creation)
    [upload] = _uploads(sandbox)
    assert (upload["sha256"], upload["metadata"]) == (sha256, metadata)


async def test_a_source_shorter_than_promised_stops_the_upload(
    sandbox: Sandbox, http: httpx2.AsyncClient, clip_file: tuple[Path, str]
) -> None:
    path, _ = clip_file
    clip = ClipSource(reader=FileReader(path), size=SIZE + 10)
    with pytest.raises(Permanent) as changed:
        await _client(http).upload(clip, Creation(f"{sandbox.url}/_tus/files"))
    assert changed.value.code == "clip_changed"
    assert _uploads(sandbox)[0]["complete"] is False


@pytest.mark.parametrize(
    "size_mib",
    [
        256,
        pytest.param(
            2048,
            marks=[
                pytest.mark.slow,
                pytest.mark.skipif(os.environ.get("AUTOPOST_SLOW_TESTS") != "1", reason="slow"),
            ],
        ),
    ],
)
async def test_memory_stays_flat_for_a_large_upload(
    sandbox: Sandbox, http: httpx2.AsyncClient, tmp_path: Path, size_mib: int
) -> None:
    path = tmp_path / "large.mp4"
    sha256 = write_clip(path, size_mib * MiB)
    chunk = 4 * MiB
    clip = ClipSource(reader=FileReader(path), size=size_mib * MiB)
    client = TusClient(http, platform="dzen", chunk_bytes=chunk)
    tracemalloc.start()
    try:
        await client.upload(clip, Creation(f"{sandbox.url}/_tus/files"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert _uploads(sandbox)[0]["sha256"] == sha256
    # One chunk read, one being sent, the server's receive buffers (same process): never the file.
    assert peak < 4 * chunk, f"peak {peak / MiB:.1f} MiB"


async def test_a_terminated_upload_is_gone_too(
    sandbox: Sandbox, http: httpx2.AsyncClient, clip_file: tuple[Path, str]
) -> None:
    path, _ = clip_file
    clip = ClipSource(reader=FileReader(path), size=SIZE)
    url, _offset = await _client(http).create(Creation(f"{sandbox.url}/_tus/files"), clip)
    (await http.delete(url, headers={"Tus-Resumable": "1.0.0"})).raise_for_status()
    with pytest.raises(UploadGone):
        await _client(http).upload(clip, url)


async def test_an_upload_holding_more_than_the_clip_is_refused(
    sandbox: Sandbox, http: httpx2.AsyncClient, clip_file: tuple[Path, str]
) -> None:
    path, _ = clip_file
    bigger = ClipSource(reader=FileReader(path), size=SIZE)
    url, _offset = await _client(http).create(Creation(f"{sandbox.url}/_tus/files"), bigger)
    await _client(http).upload(bigger, url)
    smaller = ClipSource(reader=FileReader(path), size=SIZE - 10)
    with pytest.raises(Permanent) as refused:
        await _client(http).upload(smaller, url)
    assert refused.value.code == "dzen.upload_refused"


async def test_a_timed_out_patch_is_resumed(sandbox: Sandbox, clip_file: tuple[Path, str]) -> None:
    path, sha256 = clip_file
    _fault(sandbox, fault="timeout", on="tus.patch", delay=3, count=1)
    clip = ClipSource(reader=FileReader(path), size=SIZE)
    async with httpx2.AsyncClient(timeout=0.5) as impatient:
        await _client(impatient).upload(clip, Creation(f"{sandbox.url}/_tus/files"))
    [upload] = _uploads(sandbox)
    assert (upload["complete"], upload["sha256"]) == (True, sha256)
