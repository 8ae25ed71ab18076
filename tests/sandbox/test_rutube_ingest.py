"""Rutube upload-by-URL over real HTTP: the emulator downloads the clip from a real local server.

The clip server streams fake MP4 bytes (an `ftyp` box first, `mvhd` for duration),
honours Range, can hold a download open, and records the callbacks Rutube makes.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx2
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from autopost_sandbox.rutube.store import SEEDED_ACCOUNTS
from tests.conftest import Sandbox
from tests.support.servers import free_port, serve_in_thread

CLASSIC, MODERN, *_ = SEEDED_ACCOUNTS


def box(kind: bytes, body: bytes) -> bytes:
    return (8 + len(body)).to_bytes(4, "big") + kind + body


def fake_mp4(seconds: int = 7, payload: int = 300_000) -> bytes:
    """Not playable, but shaped like a faststart MP4: ftyp, moov/mvhd (duration), mdat."""
    ftyp = box(b"ftyp", b"isom" + (512).to_bytes(4, "big") + b"isomiso2avc1mp41")
    mvhd = bytes(4) + bytes(8) + (1000).to_bytes(4, "big") + (seconds * 1000).to_bytes(4, "big") + bytes(80)
    return ftyp + box(b"moov", box(b"mvhd", mvhd)) + box(b"mdat", random.Random(7).randbytes(payload))


CLIP = fake_mp4()


@dataclass
class ClipServer:
    url: str
    release: threading.Event
    callbacks: list[dict[str, Any]] = field(default_factory=list)


def clip_app(server: ClipServer) -> Starlette:
    async def clip(request: Request) -> Response:
        start, end = 0, len(CLIP) - 1
        ranged = request.headers.get("range", "").removeprefix("bytes=")
        if ranged:
            first, _, last = ranged.partition("-")
            start, end = int(first), int(last) if last else end
        headers = {"Accept-Ranges": "bytes", "Content-Length": str(end - start + 1)}
        if ranged:
            headers["Content-Range"] = f"bytes {start}-{end}/{len(CLIP)}"

        async def body() -> AsyncIterator[bytes]:
            for at in range(start, end + 1, 64 * 1024):
                yield CLIP[at : min(at + 64 * 1024, end + 1)]
                while request.query_params.get("hold") and not server.release.is_set():
                    await asyncio.sleep(0.01)

        return StreamingResponse(body(), 206 if ranged else 200, headers, media_type="video/mp4")

    async def record(request: Request) -> Response:
        server.callbacks.append({"path": request.url.path, "body": await request.json()})
        return JSONResponse({"ok": True})

    return Starlette(
        routes=[
            Route("/clip.mp4", clip),
            Route("/moved", lambda r: RedirectResponse("/clip.mp4", 302)),
            Route("/missing.mp4", lambda r: Response("no such clip", 404)),
            Route("/page.html", lambda r: Response("<html>not a video</html>", media_type="text/html")),
            Route("/callback", record, methods=["POST"]),
            Route("/errback", record, methods=["POST"]),
        ]
    )


@pytest.fixture(scope="module")
def clips() -> Iterator[ClipServer]:
    port = free_port()
    server = ClipServer(url=f"http://127.0.0.1:{port}", release=threading.Event())
    with serve_in_thread(clip_app(server), port):
        yield server


@pytest.fixture
def rutube(sandbox: Sandbox, clips: ClipServer) -> Iterator[httpx2.Client]:
    clips.callbacks.clear()
    clips.release.clear()
    with sandbox.control() as control:
        control.post("/config", json={"enforce_rate_limits": False}).raise_for_status()
    with httpx2.Client(
        base_url=f"{sandbox.url}/rutube/api", headers={"Accept": "application/json"}
    ) as client:
        yield client


def auth(token: str = CLASSIC.token) -> dict[str, str]:
    return {"Authorization": f"Token {token}"}


def create(rutube: httpx2.Client, url: str, token: str = CLASSIC.token, **fields: Any) -> dict[str, Any]:
    body = {"url": url, "title": "Монтаж за 60 секунд", "description": "Урок 1", "category_id": 13, **fields}
    answer = rutube.post("/video/", json=body, headers=auth(token))
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def video(rutube: httpx2.Client, video_id: str, token: str = CLASSIC.token) -> dict[str, Any]:
    answer = rutube.get(f"/video/{video_id}/", headers=auth(token))
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def wait_for(rutube: httpx2.Client, video_id: str, *statuses: str) -> dict[str, Any]:
    """Poll until the download task moves the video on (bounded, so a hang fails instead of stalling)."""
    for _ in range(400):
        current = video(rutube, video_id)
        if current["status"] in statuses:
            return current
        time.sleep(0.02)
    raise AssertionError(f"video stayed {current['status']}")


def callbacks(clips: ClipServer, count: int) -> list[dict[str, Any]]:
    """The callbacks received once `count` have arrived (Rutube posts them from a background task)."""
    for _ in range(200):
        if len(clips.callbacks) >= count:
            break
        time.sleep(0.02)
    return clips.callbacks


def advance(sandbox: Sandbox, seconds: float) -> None:
    with sandbox.control() as control:
        control.post("/clock", json={"advance": seconds}).raise_for_status()


def post_of(sandbox: Sandbox, video_id: str) -> dict[str, Any]:
    with sandbox.control() as control:
        posts = [p for p in control.get("/state").json()["posts"] if p["remote_id"] == video_id]
    assert len(posts) == 1
    return dict(posts[0])


def add_fault(sandbox: Sandbox, **fault: Any) -> None:
    with sandbox.control() as control:
        control.post("/faults", json={"platform": "rutube", **fault}).raise_for_status()


def test_upload_by_url_downloads_then_moderates_then_is_ready(
    sandbox: Sandbox, rutube: httpx2.Client, clips: ClipServer
) -> None:
    created = create(rutube, f"{clips.url}/clip.mp4?hold=1")

    downloading = video(rutube, created["video_id"])
    assert downloading["status"] == "downloading"
    assert downloading["action_reason"]["name"] == "downloading_video"
    assert post_of(sandbox, created["video_id"])["status"] == "downloading"
    clips.release.set()
    moderation = wait_for(rutube, created["video_id"], "moderation")
    assert moderation["action_reason"]["name"] == "moderation"
    advance(sandbox, 1)
    ready = video(rutube, created["video_id"])

    assert ready["status"] == "ready"
    assert ready["action_reason"] is None
    assert ready["track_id"] == created["track_id"]
    assert ready["duration"] == 7
    assert ready["video_url"] == f"https://rutube.ru/video/{created['video_id']}/"
    assert (ready["title"], ready["description"], ready["is_hidden"]) == (
        "Монтаж за 60 секунд",
        "Урок 1",
        True,
    )
    post = post_of(sandbox, created["video_id"])
    assert post["status"] == "ready"
    assert post["owner"] == str(CLASSIC.id)
    assert post["bytes"] == len(CLIP)
    assert post["sha256"] == hashlib.sha256(CLIP).hexdigest()
    assert post["url"] == ready["video_url"]


def test_redirects_are_followed(sandbox: Sandbox, rutube: httpx2.Client, clips: ClipServer) -> None:
    created = create(rutube, f"{clips.url}/moved")

    wait_for(rutube, created["video_id"], "moderation", "ready")
    assert post_of(sandbox, created["video_id"])["sha256"] == hashlib.sha256(CLIP).hexdigest()


@pytest.mark.parametrize(
    ("path", "reason"),
    [("/missing.mp4", "download_failed"), ("/page.html", "not_a_video")],
)
def test_bad_downloads_end_in_error(
    sandbox: Sandbox, rutube: httpx2.Client, clips: ClipServer, path: str, reason: str
) -> None:
    created = create(rutube, f"{clips.url}{path}", errback_url=f"{clips.url}/errback")

    failed = wait_for(rutube, created["video_id"], "error", "ready")

    assert failed["status"] == "error"
    assert failed["action_reason"]["name"] == reason
    assert post_of(sandbox, created["video_id"])["status"] == "error"
    assert [c["body"]["action_reason"]["name"] for c in callbacks(clips, 1)] == [reason]


def test_unreachable_host_ends_in_error(rutube: httpx2.Client) -> None:
    created = create(rutube, f"http://127.0.0.1:{free_port()}/clip.mp4")

    failed = wait_for(rutube, created["video_id"], "error", "ready")

    assert failed["action_reason"]["name"] == "download_failed"


def test_processing_failed_fault_errs_after_moderation(
    sandbox: Sandbox, rutube: httpx2.Client, clips: ClipServer
) -> None:
    add_fault(sandbox, fault="processing_failed")
    created = create(rutube, f"{clips.url}/clip.mp4", errback_url=f"{clips.url}/errback", extra='{"job": 42}')

    wait_for(rutube, created["video_id"], "moderation")
    advance(sandbox, 1)
    failed = wait_for(rutube, created["video_id"], "error")

    assert failed["action_reason"]["name"] == "processing_failed"
    assert callbacks(clips, 1) == [
        {
            "path": "/errback",
            "body": {
                "video_id": created["video_id"],
                "status": "error",
                "action_reason": {"id": 6, "name": "processing_failed"},
                "extra": {"job": 42},
            },
        }
    ]


def test_download_fault_ends_in_download_error(
    sandbox: Sandbox, rutube: httpx2.Client, clips: ClipServer
) -> None:
    add_fault(sandbox, fault="processing_failed", on="download")
    created = create(rutube, f"{clips.url}/clip.mp4")

    assert (
        wait_for(rutube, created["video_id"], "error", "ready")["action_reason"]["name"] == "download_failed"
    )


def test_callback_gets_the_ready_video(sandbox: Sandbox, rutube: httpx2.Client, clips: ClipServer) -> None:
    created = create(
        rutube,
        f"{clips.url}/clip.mp4",
        callback_url=f"{clips.url}/callback",
        query_fields=json.dumps(["id", "status", "duration"]),
        extra=json.dumps({"publication": "p-1"}),
    )
    wait_for(rutube, created["video_id"], "moderation")
    advance(sandbox, 1)

    assert callbacks(clips, 1) == [
        {
            "path": "/callback",
            "body": {
                "id": created["video_id"],
                "status": "ready",
                "duration": 7,
                "video_id": created["video_id"],
                "extra": {"publication": "p-1"},
            },
        }
    ]
    assert post_of(sandbox, created["video_id"])["extra"]["callback"]["status_code"] == 200


def test_hits_grow_on_the_clock_once_ready(
    sandbox: Sandbox, rutube: httpx2.Client, clips: ClipServer
) -> None:
    created = create(rutube, f"{clips.url}/clip.mp4")
    wait_for(rutube, created["video_id"], "moderation")
    assert video(rutube, created["video_id"])["hits"] == 0
    advance(sandbox, 1)
    at_ready = video(rutube, created["video_id"])["hits"]
    advance(sandbox, 600)
    after_ten_minutes = video(rutube, created["video_id"])
    advance(sandbox, 600)
    after_twenty = video(rutube, created["video_id"])["hits"]

    assert at_ready == 0
    assert 20 <= after_ten_minutes["hits"] <= 91
    assert after_twenty > after_ten_minutes["hits"]
    assert after_ten_minutes["comments_count"] == after_ten_minutes["hits"] // 40


def test_timeout_on_create_still_creates_the_video(
    sandbox: Sandbox, rutube: httpx2.Client, clips: ClipServer
) -> None:
    add_fault(sandbox, fault="timeout", on="video.create", delay=2)

    with pytest.raises(httpx2.ReadTimeout):
        rutube.post("/video/", json={"url": f"{clips.url}/clip.mp4"}, headers=auth(), timeout=0.3)
    mine = rutube.get("/video/person/", headers=auth()).json()["results"]

    assert len(mine) == 1
    assert post_of(sandbox, mine[0]["id"])["platform"] == "rutube"


def test_reset_on_create_still_creates_the_video(
    sandbox: Sandbox, rutube: httpx2.Client, clips: ClipServer
) -> None:
    add_fault(sandbox, fault="reset", on="video.create")

    with pytest.raises(httpx2.RemoteProtocolError):
        rutube.post("/video/", json={"url": f"{clips.url}/clip.mp4"}, headers=auth())

    assert len(rutube.get("/video/person/", headers=auth()).json()["results"]) == 1


def test_another_accounts_video_is_hidden_then_read_only(
    sandbox: Sandbox, rutube: httpx2.Client, clips: ClipServer
) -> None:
    created = create(rutube, f"{clips.url}/clip.mp4", token=MODERN.token)
    path = f"/video/{created['video_id']}/"

    hidden = rutube.get(path, headers=auth(CLASSIC.token))
    hidden_patch = rutube.patch(path, json={"title": "чужое"}, headers=auth(CLASSIC.token))
    made_public = rutube.patch(path, json={"is_hidden": 0}, headers=auth(MODERN.token))
    advance(sandbox, 1)
    for _ in range(100):
        public = rutube.get(path, headers=auth(CLASSIC.token))
        if public.status_code == 200:
            break
        time.sleep(0.02)
    public_patch = rutube.patch(path, json={"title": "чужое"}, headers=auth(CLASSIC.token))

    assert (hidden.status_code, hidden.json()) == (404, {"detail": "Not found."})
    assert hidden_patch.status_code == 404
    assert made_public.status_code == 200
    assert public.status_code == 200
    assert public.json()["author"]["id"] == MODERN.id
    assert (public_patch.status_code, public_patch.json()["detail"]) == (
        403,
        "You do not have permission to perform this action.",
    )


def test_patch_thumbnail_publication_delete(
    sandbox: Sandbox, rutube: httpx2.Client, clips: ClipServer
) -> None:
    created = create(rutube, f"{clips.url}/clip.mp4")
    video_id = created["video_id"]

    patched = rutube.patch(
        f"/video/{video_id}", json={"title": "Новое название", "category": 11}, headers=auth()
    )
    png = b"\x89PNG\r\n\x1a\n" + bytes(64)
    thumb = rutube.post(
        f"/video/{video_id}/thumbnail/", files={"file": ("t.png", png, "image/png")}, headers=auth()
    )
    not_image = rutube.post(
        f"/video/{video_id}/thumbnail/", files={"file": ("t.png", b"text")}, headers=auth()
    )
    published = rutube.post(
        "/video/publication/", json={"video": video_id, "timestamp": "2031-01-16 20:36:31"}, headers=auth()
    )
    bad_time = rutube.post(
        "/video/publication/", json={"video": video_id, "timestamp": "завтра"}, headers=auth()
    )
    current = video(rutube, video_id)
    deleted = rutube.delete(f"/video/{video_id}", headers=auth())
    again = rutube.delete(f"/video/{video_id}", headers=auth())

    assert patched.status_code == 200
    assert (patched.json()["title"], patched.json()["category"]["id"]) == ("Новое название", 11)
    assert thumb.status_code == 200
    assert current["thumbnail_url"] == thumb.json()["thumbnail_url"]
    assert not_image.status_code == 400
    assert list(not_image.json()) == ["file"]
    assert published.status_code == 201
    assert published.json() == {"video": video_id, "timestamp": "2031-01-16T20:36:31"}
    assert current["future_publication"] == "2031-01-16T20:36:31"
    assert bad_time.status_code == 400
    assert list(bad_time.json()) == ["timestamp"]
    assert deleted.status_code == 204
    assert video(rutube, video_id)["is_deleted"] is True
    assert again.status_code == 404
    post = post_of(sandbox, video_id)
    assert (post["title"], post["status"]) == ("Новое название", "deleted")
