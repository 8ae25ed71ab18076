"""The resumable upload endpoint (TUS 1.0.0 at /api/v1/uploads), spoken to over real HTTP."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import socket
import tracemalloc
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx2
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.clips.models import ClipUpload
from autopost.clips.uploads import expire_uploads
from autopost.db import utcnow
from autopost.runtime import Runtime
from autopost_testing.media import make_clip
from autopost_testing.world import REDIS_URL
from tests.support.api import Api, start_api
from tests.web.support import csrf_of, in_database, login, new_user
from tests.workspaces.support import add_member, workspace_of

TUS = {"Tus-Resumable": "1.0.0"}
OFFSET_STREAM = "application/offset+octet-stream"
MiB = 1024 * 1024


def _metadata(filename: str, filetype: str = "video/mp4") -> str:
    pairs = {"filename": filename, "filetype": filetype}
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in pairs.items())


def create(client: httpx2.Client, length: int, filename: str = "Урок 1.mp4", **extra: str) -> httpx2.Response:
    headers = {**TUS, "Upload-Length": str(length), "Upload-Metadata": _metadata(filename), **extra}
    return client.post("/api/v1/uploads", headers=headers)


def patch(client: httpx2.Client, location: str, offset: int, body: bytes) -> httpx2.Response:
    headers = {**TUS, "Upload-Offset": str(offset), "Content-Type": OFFSET_STREAM}
    return client.patch(location, headers=headers, content=body)


def offset_at(client: httpx2.Client, location: str) -> int:
    answer = client.head(location, headers=TUS)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Cache-Control"] == "no-store"
    return int(answer.headers["Upload-Offset"])


def test_options_say_what_the_server_speaks(api: Api) -> None:
    with api.client() as client:
        answer = client.options("/api/v1/uploads")
    assert answer.status_code == 204
    assert answer.headers["Tus-Resumable"] == "1.0.0" and answer.headers["Tus-Version"] == "1.0.0"
    assert answer.headers["Tus-Extension"] == "creation,expiration,termination"
    assert int(answer.headers["Tus-Max-Size"]) == api.settings.max_clip_bytes


def test_an_upload_in_two_patches_becomes_a_probed_clip(api: Api) -> None:
    _, token = api.new_user()
    data = api.clip_file.read_bytes()
    with api.client(token) as client:
        made = create(client, len(data))
        assert made.status_code == 201, made.text
        assert made.headers["Tus-Resumable"] == "1.0.0"
        location = made.headers["Location"]
        assert offset_at(client, location) == 0
        half = len(data) // 2
        first = patch(client, location, 0, data[:half])
        assert first.status_code == 204 and first.headers["Upload-Offset"] == str(half)
        assert "Upload-Clip-Id" not in first.headers
        last = patch(client, location, half, data[half:])
        assert last.status_code == 204, last.text
        clip_id = last.headers["Upload-Clip-Id"]
        clip = client.get(f"/api/v1/clips/{clip_id}").json()
        # Asked again (a reloaded page resuming a finished upload): whole, and which clip it became.
        again = client.head(location, headers=TUS)
    assert clip["status"] == "ready" and clip["title"] == "Урок 1" and clip["has_thumbnail"] is True
    assert clip["sha256"] == hashlib.sha256(data).hexdigest() and clip["size_bytes"] == len(data)
    assert again.headers["Upload-Offset"] == str(len(data)) and again.headers["Upload-Clip-Id"] == clip_id


def _cut_off_patch(api: Api, token: str, location: str, body: bytes, sent: int) -> None:
    """A PATCH announcing all of `body` whose connection drops after `sent` bytes arrived."""
    url = urlsplit(api.url)
    head = (
        f"PATCH {location} HTTP/1.1\r\nHost: {url.netloc}\r\nAuthorization: Bearer {token}\r\n"
        f"Tus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\nContent-Type: {OFFSET_STREAM}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection((url.hostname, url.port)) as raw, api.client(token) as client:
        raw.sendall(head + body[:sent])
        # Until the server has stored what was sent (HEAD tells), then the connection drops.
        while offset_at(client, location) < sent:
            pass


def test_a_cut_off_patch_resumes_from_the_offset_head_reports(api: Api) -> None:
    _, token = api.new_user()
    data = api.clip_file.read_bytes()
    with api.client(token) as client:
        location = create(client, len(data)).headers["Location"]
        _cut_off_patch(api, token, location, data, sent=len(data) // 3)
        offset = offset_at(client, location)
        assert offset == len(data) // 3
        stale = patch(client, location, 0, data)
        while stale.json()["error"]["code"] == "upload_busy":  # the cut request not yet noticed as gone
            stale = patch(client, location, 0, data)
        assert stale.status_code == 409
        assert stale.json()["error"]["code"] == "upload_offset_mismatch"
        assert stale.json()["error"]["message"] == f"В загрузке уже {offset} байт: продолжите с этого места"
        done = patch(client, location, offset, data[offset:])
        assert done.status_code == 204, done.text
        clip = client.get(f"/api/v1/clips/{done.headers['Upload-Clip-Id']}").json()
    assert clip["sha256"] == hashlib.sha256(data).hexdigest()


def test_oversize_is_refused_before_any_byte(tmp_path: Path, database_url: str) -> None:
    for small in start_api(tmp_path, database_url, None, max_clip_bytes=50_000):
        _, token = small.new_user()
        with small.client(token) as client:
            answer = create(client, 50_001)
            assert answer.status_code == 413 and answer.headers["Tus-Resumable"] == "1.0.0"
            assert answer.json()["error"]["code"] == "clip_too_large"
            location = create(client, 1000).headers["Location"]
            past = patch(client, location, 0, b"\0" * 1001)
            assert past.status_code == 422 and past.json()["error"]["code"] == "upload_past_length"
        stored = [p for p in small.settings.resolved_storage_dir.rglob("*") if p.is_file()]
        assert [p.stat().st_size for p in stored] == [0]  # the second upload's, still empty


def test_a_file_that_is_no_video_is_refused_by_name_by_its_first_bytes_and_by_probing(api: Api) -> None:
    _, token = api.new_user()
    whole = api.clip_file.read_bytes()
    cut = make_clip(api.settings.resolved_storage_dir.parent / "faststart.mp4", faststart=True).read_bytes()
    with api.client(token) as client:
        by_name = create(client, 100, filename="notes.txt")
        by_type = create(client, 100, **{"Upload-Metadata": _metadata("clip.mp4", "text/plain")})
        assert by_name.status_code == by_type.status_code == 422
        assert by_name.json()["error"]["message"] == "Файл не является видео: загрузите MP4, MOV или WebM"
        text = create(client, 10_000).headers["Location"]
        sniffed = patch(client, text, 0, b"just some text, no video at all")
        assert sniffed.status_code == 422 and sniffed.json()["error"]["code"] == "not_a_video"
        assert client.head(text, headers=TUS).status_code == 404  # the refused upload is gone
        short = create(client, len(cut) * 2 // 3).headers["Location"]
        truncated = patch(client, short, 0, cut[: len(cut) * 2 // 3])
        assert truncated.status_code == 422 and truncated.json()["error"]["code"] == "clip_truncated"
        english = create(client, 100, filename="notes.txt", **{"Accept-Language": "en"})
        assert english.json()["error"]["message"].startswith("The file is not a video")
        assert client.get("/api/v1/clips").json() == []
        assert patch(client, create(client, len(whole)).headers["Location"], 0, whole).status_code == 204
    assert len(list(api.settings.resolved_storage_dir.rglob("*.mp4"))) == 1


def test_another_workspace_gets_404_and_a_viewer_403(api: Api) -> None:
    owner_email, owner = new_user(api)
    _, stranger = new_user(api)
    viewer_email, viewer = new_user(api)
    workspace = workspace_of(api, owner)
    add_member(api, owner, workspace, viewer_email, "viewer")
    with api.client(owner) as client:
        location = create(client, 1000).headers["Location"]
    with api.client(stranger) as client:
        assert client.head(location, headers=TUS).status_code == 404
        assert patch(client, location, 0, b"\0" * 10).status_code == 404
        assert client.delete(location, headers=TUS).status_code == 404
    with api.client(viewer, **{"X-Workspace-Id": workspace}) as client:
        refused = create(client, 1000)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "role_forbids"
        assert patch(client, location, 0, b"\0" * 10).status_code == 403
    with api.client(owner) as client:
        assert offset_at(client, location) == 0
        assert client.delete(location, headers=TUS).status_code == 204
        assert client.head(location, headers=TUS).status_code == 404
    assert owner_email


def test_protocol_errors_and_the_page_session_with_its_csrf_token(api: Api) -> None:
    email, token = new_user(api)
    with api.client(token) as client:
        assert client.post("/api/v1/uploads", headers={"Upload-Length": "10"}).status_code == 412
        assert client.post("/api/v1/uploads", headers=TUS).status_code == 400
        location = create(client, 1000).headers["Location"]
        wrong_type = client.patch(location, headers={**TUS, "Upload-Offset": "0"}, content=b"x")
        assert wrong_type.status_code == 415
    with login(api, email) as browser:
        csrf = csrf_of(browser.get("/").text)
        headers = {**TUS, "Upload-Length": "1000", "Upload-Metadata": _metadata("clip.webm", "video/webm")}
        assert browser.post("/api/v1/uploads", headers=headers).json()["error"]["code"] == "csrf_failed"
        made = browser.post("/api/v1/uploads", headers={**headers, "X-CSRF-Token": csrf})
        assert made.status_code == 201, made.text


def _stream(first: bytes, chunk: bytes, count: int) -> Iterator[bytes]:
    yield first
    for _ in range(count):
        yield chunk  # one buffer sent again and again: the test itself holds one chunk


def test_memory_stays_flat_while_a_large_upload_streams_in(api: Api) -> None:
    _, token = api.new_user()
    chunk, count = b"\0" * MiB, 64
    first = api.clip_file.read_bytes()[:4096]
    size = len(first) + count * MiB
    with api.client(token) as client:
        # One byte more than is sent: the upload stays open, so what is measured is the streaming alone.
        location = create(client, size + 1).headers["Location"]
        headers = {**TUS, "Upload-Offset": "0", "Content-Type": OFFSET_STREAM, "Content-Length": str(size)}
        tracemalloc.start()
        try:
            answer = client.patch(location, headers=headers, content=_stream(first, chunk, count))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert answer.status_code == 204, answer.text
        assert answer.headers["Upload-Offset"] == str(size)
    # Server and client in this process: a few receive buffers and the client's chunk, never the file.
    assert peak < size / 16, f"peak {peak / MiB:.1f} MiB for {size / MiB:.0f} MiB"


def test_an_unfinished_upload_nobody_writes_to_expires_with_its_file(api: Api) -> None:
    _, token = api.new_user()
    data = api.clip_file.read_bytes()
    with api.client(token) as client:
        made = create(client, len(data))
        assert "GMT" in made.headers["Upload-Expires"]
        old, fresh = made.headers["Location"], create(client, len(data)).headers["Location"]
        assert patch(client, old, 0, data[:1000]).status_code == 204
    old_id = uuid.UUID(old.rsplit("/", 1)[1])
    two_days_ago = utcnow() - timedelta(days=2)

    async def backdate(session: AsyncSession) -> Path:
        upload = await session.get(ClipUpload, old_id)
        assert upload is not None
        upload.created_at = two_days_ago
        return api.settings.resolved_storage_dir / upload.storage_key

    path = in_database(api.settings, backdate)
    os.utime(path, (two_days_ago.timestamp(), two_days_ago.timestamp()))

    async def sweep() -> int:
        runtime = Runtime.create(api.settings, REDIS_URL)
        try:
            return await expire_uploads(runtime)
        finally:
            await runtime.close()

    assert asyncio.run(sweep()) == 1
    assert not path.exists()
    with api.client(token) as client:
        assert client.head(old, headers=TUS).status_code == 404
        assert offset_at(client, fresh) == 0
