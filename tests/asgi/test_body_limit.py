"""Request bodies are capped: a 300 MiB password is refused with 413 before it is read.

The server is a real `autopost serve` subprocess, so its memory (VmRSS) is its own; the
body is streamed from a raw socket, so the test sees how much the server took before it
answered. Small over-long fields get a 422, clip uploads keep their own (larger) cap.
"""

from __future__ import annotations

import os
import select
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest

from autopost.security.vault import generate_key
from tests.support.api import Api
from tests.support.servers import free_port

MiB = 1024 * 1024
HUGE = 300 * MiB
PIECE = b"a" * (64 * 1024)
# Kernel socket buffers on both sides plus the server's own read-ahead: far below the body.
MAX_TAKEN = 16 * MiB
MAX_RSS_GROWTH = 5 * MiB


@dataclass
class Server:
    url: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def rss(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise AssertionError("no VmRSS")


@pytest.fixture
def server(tmp_path: Path, database_url: str) -> Iterator[Server]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOPOST_")}
    env.update(
        AUTOPOST_DATABASE_URL=database_url,
        AUTOPOST_REDIS_URL="redis://127.0.0.1:6379/0",
        AUTOPOST_REDIS_NAMESPACE=f"limit{uuid.uuid4().hex[:8]}",
        AUTOPOST_TOKEN_KEYS=generate_key(),
        AUTOPOST_SECRET_KEY="k" * 40,
        AUTOPOST_DATA_DIR=str(tmp_path / "data"),
        AUTOPOST_PUBLIC_URL=f"http://127.0.0.1:{port}",
    )
    log = tmp_path / "serve.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "autopost", "serve", "--port", str(port)],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx2.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx2.HTTPError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield Server(url, port, process, log)
    finally:
        process.terminate()
        process.wait(timeout=30)


@dataclass
class Answer:
    status: int
    taken: int  # body bytes the client got to send before the answer came
    seconds: float
    head: bytes


def _post_streaming(
    server: Server, path: str, content_type: str, total: int, *, declare_length: bool
) -> Answer:
    """POST `total` bytes, stopping as soon as the server answers (or stops the connection)."""
    started = time.monotonic()
    sock = socket.create_connection(("127.0.0.1", server.port))
    framing = f"Content-Length: {total}" if declare_length else "Transfer-Encoding: chunked"
    sock.sendall(
        (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nOrigin: {server.url}\r\n"
            f"Content-Type: {content_type}\r\n{framing}\r\nConnection: close\r\n\r\n"
        ).encode()
    )
    piece = PIECE if declare_length else b"%x\r\n%s\r\n" % (len(PIECE), PIECE)
    sent = 0
    sock.setblocking(False)
    while sent < total:
        readable, writable, _ = select.select([sock], [sock], [], 30)
        if readable:
            break
        if not writable:
            raise AssertionError("the server neither read nor answered for 30 s")
        try:
            sent += sock.send(piece[: min(len(piece), total - sent + (0 if declare_length else 10))])
        except (BrokenPipeError, ConnectionResetError):
            break
    sock.setblocking(True)
    sock.settimeout(30)
    head = b""
    while b"\r\n\r\n" not in head:
        data = sock.recv(65536)
        if not data:
            break
        head += data
    sock.close()
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/1.1 ") else 0
    return Answer(status, sent, time.monotonic() - started, head)


@pytest.mark.parametrize("declare_length", [True, False], ids=["content-length", "chunked"])
def test_a_300_mib_password_is_refused_before_it_is_read(server: Server, declare_length: bool) -> None:
    # Warm up (imports, argon2, the database pool) so that growth below is the big bodies' alone.
    for _ in range(2):
        httpx2.post(f"{server.url}/api/v1/auth/login", json={"email": "a@example.com", "password": "x" * 20})
        httpx2.post(
            f"{server.url}/login",
            data={"email": "a@example.com", "password": "x" * 20},
            headers={"Origin": server.url},
        )
    before = server.rss()
    answers = {
        "api": _post_streaming(
            server, "/api/v1/auth/login", "application/json", HUGE, declare_length=declare_length
        ),
        "page": _post_streaming(
            server, "/login", "application/x-www-form-urlencoded", HUGE, declare_length=declare_length
        ),
    }
    growth = server.rss() - before
    for name, answer in answers.items():
        print(
            f"{name} ({'Content-Length' if declare_length else 'chunked'}): {answer.status} after "
            f"{answer.taken / MiB:.1f} MiB sent of {HUGE / MiB:.0f} MiB, {answer.seconds:.2f} s"
        )
        assert answer.status == 413, answer.head
        assert answer.taken < MAX_TAKEN
        assert answer.seconds < 5
    print(f"server RSS {before / MiB:.1f} MiB before, growth {growth / MiB:.2f} MiB")
    assert growth < MAX_RSS_GROWTH


def test_over_long_fields_and_bodies_answer_clearly(server: Server) -> None:
    api = httpx2.post(
        f"{server.url}/api/v1/auth/login", json={"email": "a@example.com", "password": "p" * 600}
    )
    assert api.status_code == 422 and api.json()["error"]["code"] == "validation_error"
    body = httpx2.post(
        f"{server.url}/api/v1/auth/login",
        content=b'{"email": "a@example.com", "password": "' + b"p" * (2 * MiB) + b'"}',
        headers={"Content-Type": "application/json", "Accept-Language": "en"},
    )
    assert body.status_code == 413
    assert body.json()["error"] == {
        "code": "request_too_large",
        "message": "The request is larger than 1 MB",  # sizes read as the platforms state them
    }


def test_clip_uploads_keep_their_own_cap(api: Api) -> None:
    """A 2 MiB upload is over the body cap but not over AUTOPOST_MAX_CLIP_BYTES: it is read and probed."""
    _, token = api.new_user()
    with api.client(token) as client:
        response = client.post("/api/v1/clips", files={"file": ("clip.mp4", b"\0" * (2 * MiB), "video/mp4")})
    assert response.status_code == 422 and response.json()["error"]["code"] == "not_a_video"
