"""The (modelled) Дзен publisher API over real HTTP: session → streamed PUT → publish → status → stats."""

from __future__ import annotations

import hashlib
import random
import socket
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx2
import pytest

from autopost_sandbox.dzen.registry import SEEDED_USERS, debug_token
from tests.conftest import Sandbox

PUBLISHER, NO_CHANNEL = SEEDED_USERS
GIB = 1024**3


def box(kind: bytes, body: bytes) -> bytes:
    return (8 + len(body)).to_bytes(4, "big") + kind + body


def fake_mp4(seconds: int = 9, payload: int = 400_000) -> bytes:
    """Shaped like a faststart MP4 (ftyp, moov/mvhd, mdat); enough for a platform's first checks."""
    ftyp = box(b"ftyp", b"isom" + (512).to_bytes(4, "big") + b"isomiso2avc1mp41")
    mvhd = bytes(4) + bytes(8) + (1000).to_bytes(4, "big") + (seconds * 1000).to_bytes(4, "big") + bytes(80)
    return ftyp + box(b"moov", box(b"mvhd", mvhd)) + box(b"mdat", random.Random(9).randbytes(payload))


CLIP = fake_mp4()


@pytest.fixture
def dzen(sandbox: Sandbox) -> Iterator[httpx2.Client]:
    with sandbox.control() as control:
        control.post("/config", json={"enforce_rate_limits": False}).raise_for_status()
    headers = {"Authorization": f"OAuth {debug_token(PUBLISHER)}"}
    with httpx2.Client(base_url=f"{sandbox.url}/dzen/api/v1", headers=headers, timeout=10) as client:
        yield client


def add_fault(sandbox: Sandbox, **fault: Any) -> None:
    with sandbox.control() as control:
        control.post("/faults", json={"platform": "dzen", **fault}).raise_for_status()


def advance(sandbox: Sandbox, seconds: float) -> None:
    with sandbox.control() as control:
        control.post("/clock", json={"advance": seconds}).raise_for_status()


def posts(sandbox: Sandbox) -> list[dict[str, Any]]:
    with sandbox.control() as control:
        return [p for p in control.get("/state").json()["posts"] if p["platform"] == "dzen"]


def chunks(data: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for at in range(0, len(data), size):
        yield data[at : at + size]


def start_upload(dzen: httpx2.Client, data: bytes = CLIP) -> dict[str, Any]:
    answer = dzen.post("/uploads", json={"file_name": "lesson.mp4", "file_size": len(data)})
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def put_file(upload: dict[str, Any], data: bytes = CLIP) -> httpx2.Response:
    """Stream the file as a raw PUT body with an explicit Content-Length (no chunked encoding)."""
    headers = {"Content-Length": str(len(data)), "Content-Type": "video/mp4"}
    return httpx2.put(upload["upload_url"], content=chunks(data), headers=headers, timeout=10)


def publish(dzen: httpx2.Client, data: bytes = CLIP, title: str = "Монтаж за 60 секунд") -> dict[str, Any]:
    upload = start_upload(dzen, data)
    assert put_file(upload, data).status_code == 201
    answer = dzen.post(
        "/videos", json={"upload_id": upload["upload_id"], "title": title, "description": "Урок 1"}
    )
    assert answer.status_code == 202, answer.text
    return dict(answer.json())


def wait_status(sandbox: Sandbox, video_id: str, status: str) -> dict[str, Any]:
    """The post as recorded once the background task has flipped it (bounded poll)."""
    for _ in range(200):
        post = next(p for p in posts(sandbox) if p["remote_id"] == video_id)
        if post["status"] == status:
            return post
        time.sleep(0.02)
    raise AssertionError(f"post stayed {post['status']}")


def test_full_publish_path(sandbox: Sandbox, dzen: httpx2.Client) -> None:
    me = dzen.get("/publishers/me")
    upload = start_upload(dzen)
    stored = put_file(upload)
    published = dzen.post(
        "/videos",
        json={"upload_id": upload["upload_id"], "title": "Монтаж за 60 секунд", "description": "Урок 1"},
    )
    video_id = published.json()["video_id"]
    processing = dzen.get(f"/videos/{video_id}").json()
    recorded = posts(sandbox)
    advance(sandbox, 1)
    done = dzen.get(f"/videos/{video_id}").json()

    assert me.json()["name"] == "Дзен-канал Курсы монтажа"
    assert urlsplit(upload["upload_url"]).path == f"/dzen/upload/{upload['upload_id']}"
    assert (stored.status_code, stored.json()["size"]) == (201, len(CLIP))
    assert published.status_code == 202
    assert published.json()["status"] == "processing"
    assert processing["status"] == "processing"
    assert len(recorded) == 1
    assert recorded[0]["status"] == "processing"
    assert recorded[0]["owner"] == me.json()["id"]
    assert recorded[0]["bytes"] == len(CLIP)
    assert recorded[0]["sha256"] == hashlib.sha256(CLIP).hexdigest()
    assert done["status"] == "published"
    assert done["url"] == f"https://dzen.ru/video/watch/{video_id}"
    assert done["duration"] == 9
    assert done["error"] is None
    post = wait_status(sandbox, video_id, "published")
    assert (post["title"], post["caption"], post["url"]) == ("Монтаж за 60 секунд", "Урок 1", done["url"])
    assert dzen.get(f"/uploads/{upload['upload_id']}").json()["video_id"] == video_id


def test_user_without_a_channel_is_403(sandbox: Sandbox, dzen: httpx2.Client) -> None:
    headers = {"Authorization": f"OAuth {debug_token(NO_CHANNEL)}"}

    me = dzen.get("/publishers/me", headers=headers)
    upload = dzen.post("/uploads", json={"file_name": "a.mp4", "file_size": 10}, headers=headers)

    assert me.status_code == 403
    assert me.json()["error"] == "PublisherNotApprovedError"
    assert set(me.json()) == {"error", "message", "description"}
    assert upload.status_code == 403


def test_missing_or_unknown_token_is_401(dzen: httpx2.Client) -> None:
    assert dzen.get("/publishers/me", headers={"Authorization": ""}).status_code == 401
    assert dzen.get("/publishers/me", headers={"Authorization": "OAuth y0_unknown"}).json() == {
        "error": "UnauthorizedError",
        "message": "Не авторизован.",
        "description": "Unauthorized.",
    }


def test_upload_needs_content_length(dzen: httpx2.Client) -> None:
    upload = start_upload(dzen)

    chunked = httpx2.put(upload["upload_url"], content=chunks(CLIP))

    assert chunked.status_code == 411
    assert chunked.json()["error"] == "LengthRequiredError"


def test_size_limit_is_four_gib(dzen: httpx2.Client) -> None:
    too_big = dzen.post("/uploads", json={"file_name": "huge.mp4", "file_size": 4 * GIB + 1})
    at_limit = dzen.post("/uploads", json={"file_name": "big.mp4", "file_size": 4 * GIB})
    url = urlsplit(at_limit.json()["upload_url"])
    # Announce more than 4 GiB without sending it: the limit is enforced from the header.
    with socket.create_connection((url.hostname, url.port)) as raw:
        raw.sendall(
            f"PUT {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\nContent-Length: {4 * GIB + 1}\r\n\r\n".encode()
        )
        status_line = raw.recv(4096).split(b"\r\n")[0]

    assert (too_big.status_code, too_big.json()["error"]) == (413, "FileTooLargeError")
    assert at_limit.status_code == 201
    assert status_line.startswith(b"HTTP/1.1 413")


def test_upload_of_another_size_than_declared_is_refused(dzen: httpx2.Client) -> None:
    upload = start_upload(dzen, CLIP + b"x")

    answer = put_file(upload, CLIP)

    assert (answer.status_code, answer.json()["error"]) == (400, "SizeMismatchError")
    assert dzen.get(f"/uploads/{upload['upload_id']}").json()["status"] == "created"


def test_publish_checks_the_upload_and_the_fields(dzen: httpx2.Client) -> None:
    upload = start_upload(dzen)
    early = dzen.post("/videos", json={"upload_id": upload["upload_id"], "title": "рано"})
    put_file(upload)
    long_title = dzen.post("/videos", json={"upload_id": upload["upload_id"], "title": "я" * 101})
    first = dzen.post("/videos", json={"upload_id": upload["upload_id"], "title": "ok"})
    second = dzen.post("/videos", json={"upload_id": upload["upload_id"], "title": "ok"})

    assert (early.status_code, early.json()["error"]) == (409, "UploadNotCompletedError")
    assert (long_title.status_code, long_title.json()["error"]) == (400, "FieldValidationError")
    assert "title" in long_title.json()["description"]
    assert first.status_code == 202
    assert (second.status_code, second.json()["error"]) == (409, "UploadAlreadyPublishedError")


def test_bytes_that_are_not_a_video_fail_processing(sandbox: Sandbox, dzen: httpx2.Client) -> None:
    video_id = publish(dzen, b"definitely not a video container")["video_id"]
    advance(sandbox, 1)

    video = dzen.get(f"/videos/{video_id}").json()

    assert video["status"] == "failed"
    assert video["error"]["code"] == "UnsupportedFormat"
    assert wait_status(sandbox, video_id, "failed")["extra"]["error"] == "UnsupportedFormat"


def test_processing_failed_fault(sandbox: Sandbox, dzen: httpx2.Client) -> None:
    add_fault(sandbox, fault="processing_failed")
    video_id = publish(dzen)["video_id"]
    advance(sandbox, 1)

    video = dzen.get(f"/videos/{video_id}").json()

    assert (video["status"], video["error"]["code"]) == ("failed", "ProcessingFailed")


@pytest.mark.parametrize(
    ("kind", "status", "error"),
    [
        ("rate_limit", 429, "TooManyRequestsError"),
        ("server_error", 503, "ServiceUnavailableError"),
        ("token_expired", 401, "UnauthorizedError"),
    ],
)
def test_early_faults_in_the_error_envelope(
    sandbox: Sandbox, dzen: httpx2.Client, kind: str, status: int, error: str
) -> None:
    add_fault(sandbox, fault=kind, retry_after=5, on="publishers.me")

    answer = dzen.get("/publishers/me")

    assert (answer.status_code, answer.json()["error"]) == (status, error)
    if kind == "rate_limit":
        assert answer.headers["retry-after"] == "5"


def test_timeout_on_publish_creates_the_video_then_hangs(sandbox: Sandbox, dzen: httpx2.Client) -> None:
    upload = start_upload(dzen)
    put_file(upload)
    add_fault(sandbox, fault="timeout", on="publish", delay=2)

    with pytest.raises(httpx2.ReadTimeout):
        dzen.post("/videos", json={"upload_id": upload["upload_id"], "title": "ok"}, timeout=0.3)
    state = dzen.get(f"/uploads/{upload['upload_id']}").json()

    assert state["status"] == "published"
    assert [p["remote_id"] for p in posts(sandbox)] == [state["video_id"]]


def test_reset_mid_upload_keeps_the_session_open_for_a_retry(sandbox: Sandbox, dzen: httpx2.Client) -> None:
    upload = start_upload(dzen)
    add_fault(sandbox, fault="reset", on="upload")

    with pytest.raises(httpx2.TransportError):
        put_file(upload)
    interrupted = dzen.get(f"/uploads/{upload['upload_id']}").json()["status"]
    retried = put_file(upload)

    assert interrupted == "created"
    assert retried.status_code == 201


def test_captcha_fault_does_not_exist_on_dzen(sandbox: Sandbox, dzen: httpx2.Client) -> None:
    add_fault(sandbox, fault="captcha")

    assert dzen.get("/publishers/me").status_code == 200


def test_stats_batch_and_grow_on_the_clock(sandbox: Sandbox, dzen: httpx2.Client) -> None:
    first = publish(dzen)["video_id"]
    second = publish(dzen, title="Второй урок")["video_id"]
    ids = f"{first},{second},ffffffffffffffffffffffff"
    processing = dzen.get("/videos/stats", params={"video_ids": ids}).json()
    advance(sandbox, 1)
    at_publication = dzen.get("/videos/stats", params={"video_ids": ids}).json()
    advance(sandbox, 600)
    later = dzen.get("/videos/stats", params={"video_ids": ids}).json()
    too_many = dzen.get("/videos/stats", params={"video_ids": ",".join(f"{i:024x}" for i in range(51))})

    assert [i["video_id"] for i in later["items"]] == [first, second]
    assert later["not_found"] == ["ffffffffffffffffffffffff"]
    assert {i["views"] for i in processing["items"]} == {0}
    assert {i["views"] for i in at_publication["items"]} == {0}
    for item in later["items"]:
        assert 50 <= item["views"] <= 151
        assert item["likes"] == item["views"] // 12
        assert item["status"] == "published"
    assert (too_many.status_code, too_many.json()["error"]) == (400, "FieldValidationError")


def test_platform_rate_limit_is_one_call_per_second_per_token(sandbox: Sandbox, dzen: httpx2.Client) -> None:
    with sandbox.control() as control:
        control.post("/config", json={"enforce_rate_limits": True}).raise_for_status()

    first = dzen.get("/publishers/me")
    second = dzen.get("/publishers/me")
    advance(sandbox, 1)
    third = dzen.get("/publishers/me")

    assert first.status_code == 200
    assert (second.status_code, second.json()["error"]) == (429, "TooManyRequestsError")
    assert second.headers["retry-after"] == "1"
    assert third.status_code == 200


def test_unknown_videos_are_404_and_non_publishers_403(sandbox: Sandbox, dzen: httpx2.Client) -> None:
    video_id = publish(dzen)["video_id"]
    headers = {"Authorization": f"OAuth {debug_token(NO_CHANNEL)}"}

    assert dzen.get(f"/videos/{video_id}", headers=headers).status_code == 403
    assert dzen.get("/videos/000000000000000000000000").status_code == 404
