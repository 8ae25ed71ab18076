"""A clip's source_url cannot make the service fetch internal addresses (SSRF), on PostgreSQL and SQLite.

"Internal" servers here are real loopback servers (IPv4 and IPv6) that record every request; the
"public" origin is a loopback server too, allowed explicitly through AUTOPOST_ALLOWED_INTERNAL_HOSTS
the way an operator allows a private S3. Every refusal must answer the same code, reach nothing
internal and create no clip (so nothing can be published).
"""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from autopost.clips.sources import UrlReader
from autopost.platforms.errors import Permanent
from autopost.security.outbound import OutboundGuard
from autopost.users.plans import Plan
from tests.support.api import Api, start_api
from tests.support.media import make_clip
from tests.support.servers import free_port, serve_in_thread


@dataclass
class Internal:
    """A server that must never be reached: counts its requests."""

    port: int
    hits: list[str] = field(default_factory=list)


def _internal(family: socket.AddressFamily, host: str) -> Iterator[Internal]:
    internal = Internal(port=0)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            internal.hits.append(self.path)
            body = b"internal secret"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    class Server(http.server.ThreadingHTTPServer):
        address_family = family

    server = Server((host, 0), Handler)
    internal.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield internal
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def internal_v4() -> Iterator[Internal]:
    yield from _internal(socket.AF_INET, "127.0.0.1")


@pytest.fixture
def internal_v6() -> Iterator[Internal]:
    yield from _internal(socket.AF_INET6, "::1")


@dataclass
class Origin:
    url: str
    port: int
    redirect_to: str = ""  # when set, the clip path redirects there (a source that changed)


@pytest.fixture
def origin(tmp_path: Path, internal_v4: Internal) -> Iterator[Origin]:
    """The allowed 'public' origin: a clip, redirects on demand, and an HLS playlist aimed inside."""
    clip = make_clip(tmp_path / "origin-clip.mp4", seconds=1)
    port = free_port()
    origin = Origin(url=f"http://127.0.0.1:{port}", port=port)
    playlist = (
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\n"
        f"http://127.0.0.1:{internal_v4.port}/segment0.ts\n#EXT-X-ENDLIST\n"
    )

    async def serve_clip(request: Request) -> Response:
        if origin.redirect_to:
            return RedirectResponse(origin.redirect_to, status_code=302)
        return FileResponse(clip, media_type="video/mp4")

    async def redirect(request: Request) -> Response:
        return RedirectResponse(request.query_params["to"], status_code=302)

    async def serve_playlist(request: Request) -> Response:
        return Response(playlist, media_type="application/vnd.apple.mpegurl")

    app = Starlette(
        routes=[
            Route("/clip.mp4", serve_clip),
            Route("/go", redirect),
            Route("/list.m3u8", serve_playlist),
            Route("/clip-hls.mp4", serve_playlist),  # an HLS playlist dressed as an MP4
        ]
    )
    with serve_in_thread(app, port):
        yield origin


@pytest.fixture
def guarded_api(tmp_path: Path, database_url: str, origin: Origin) -> Iterator[Api]:
    """The API with only the test origin allowed (by host:port, so other loopback ports stay refused)."""
    yield from start_api(tmp_path, database_url, None, allowed_internal_hosts=f"127.0.0.1:{origin.port}")


def _refusals(api: Api, urls: list[str]) -> list[tuple[int, dict[str, str]]]:
    _, token = api.new_user(Plan.START)
    with api.client(token) as client:
        answers = [client.post("/api/v1/clips", json={"source_url": url}) for url in urls]
        assert client.get("/api/v1/clips").json() == []  # no clip, so nothing can be published
    for answer in answers:
        assert "internal secret" not in answer.text
    return [(answer.status_code, answer.json()["error"]) for answer in answers]


REFUSED = {"code": "source_refused", "message": "Ссылка ведёт на адрес, с которого клипы не скачиваются"}


def test_internal_addresses_are_refused_directly(
    guarded_api: Api, internal_v4: Internal, internal_v6: Internal
) -> None:
    v4, v6 = internal_v4.port, internal_v6.port
    urls = [
        f"http://127.0.0.1:{v4}/clip.mp4",
        f"http://localhost:{v4}/clip.mp4",  # a name that resolves to loopback
        f"http://[::1]:{v6}/clip.mp4",
        f"http://[::ffff:127.0.0.1]:{v4}/clip.mp4",
        f"http://2130706433:{v4}/clip.mp4",
        f"http://0x7f.1:{v4}/clip.mp4",
        f"http://0x7f000001:{v4}/clip.mp4",
        f"http://017700000001:{v4}/clip.mp4",
        f"http://127.1:{v4}/clip.mp4",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
    ]
    assert _refusals(guarded_api, urls) == [(422, REFUSED)] * len(urls)
    assert internal_v4.hits == [] and internal_v6.hits == []


def test_redirects_into_the_network_are_refused(
    guarded_api: Api, origin: Origin, internal_v4: Internal, internal_v6: Internal
) -> None:
    urls = [
        f"{origin.url}/go?to=http://127.0.0.1:{internal_v4.port}/clip.mp4",
        f"{origin.url}/go?to=http://[::1]:{internal_v6.port}/clip.mp4",
        f"{origin.url}/go?to=http://2130706433:{internal_v4.port}/clip.mp4",
        f"{origin.url}/go?to=http://localhost:{internal_v4.port}/clip.mp4",
    ]
    assert _refusals(guarded_api, urls) == [(422, REFUSED)] * len(urls)
    assert internal_v4.hits == [] and internal_v6.hits == []


def test_hls_playlists_cannot_send_ffmpeg_inside(
    guarded_api: Api, origin: Origin, internal_v4: Internal
) -> None:
    """FFmpeg opens no URL itself, and no playlist demuxer: the segments are never fetched."""
    answers = _refusals(guarded_api, [f"{origin.url}/list.m3u8", f"{origin.url}/clip-hls.mp4"])
    assert [(status, error["code"]) for status, error in answers] == [(422, "not_a_video")] * 2
    assert internal_v4.hits == []


def test_the_allowed_origin_works_and_is_refused_without_the_setting(
    guarded_api: Api, tmp_path: Path, database_url: str, origin: Origin
) -> None:
    _, token = guarded_api.new_user(Plan.START)
    with guarded_api.client(token) as client:
        created = client.post("/api/v1/clips", json={"source_url": f"{origin.url}/clip.mp4"})
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "ready" and created.json()["width"] == 180
    (tmp_path / "default").mkdir()
    for default in start_api(tmp_path / "default", database_url, None):
        assert _refusals(default, [f"{origin.url}/clip.mp4"]) == [(422, REFUSED)]


async def test_the_worker_refuses_a_source_that_now_redirects_inside(
    origin: Origin, internal_v4: Internal
) -> None:
    """A source vetted at intake may change later: the worker's reader vets every hop again."""
    guard = OutboundGuard.from_setting(f"127.0.0.1:{origin.port}")
    origin.redirect_to = f"http://127.0.0.1:{internal_v4.port}/clip.mp4"
    with pytest.raises(Permanent) as refused:
        async for _ in UrlReader(f"{origin.url}/clip.mp4", guard).read(1024):
            pass
    assert refused.value.code == "source_refused" and "internal secret" not in str(refused.value)
    assert internal_v4.hits == []
