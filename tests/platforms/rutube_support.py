"""Helpers for the Rutube provider tests: a Range-capable clip server, requests, sandbox control.

Rutube downloads the clip itself, so every publish test serves a real H.264 clip
from a loopback HTTP server standing in for our service's signed media URL.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import httpx2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Route

from autopost.clips.sources import FileReader
from autopost.platforms.base import Credentials, PublishRequest, PublishResult, PublishState
from autopost.platforms.media import ClipSource
from autopost.platforms.rutube import RutubeProvider
from autopost.settings import RutubeSettings
from autopost_sandbox.rutube.store import SEEDED_ACCOUNTS
from tests.conftest import Sandbox
from tests.support.media import make_clip
from tests.support.servers import free_port, serve_in_thread

CLASSIC, MODERN, SSO = SEEDED_ACCOUNTS
TITLE = "Монтаж за 60 секунд"
DESCRIPTION = "Урок 1: склейка по движению"


@dataclass
class ClipServer:
    """Serves one clip at /clip.mp4 (Range honoured by FileResponse) and records each request."""

    url: str
    path: Path
    sha256: str
    requests: list[str] = field(default_factory=list)

    @property
    def clip_url(self) -> str:
        return f"{self.url}/clip.mp4?sig=test"

    @property
    def page_url(self) -> str:
        return f"{self.url}/page.html"


@contextmanager
def serve_clip(workdir: Path) -> Iterator[ClipServer]:
    path = make_clip(workdir / "clip.mp4", seconds=1.0)
    port = free_port()
    server = ClipServer(f"http://127.0.0.1:{port}", path, hashlib.sha256(path.read_bytes()).hexdigest())

    async def clip(request: Request) -> Response:
        server.requests.append(request.headers.get("range", "whole"))
        return FileResponse(path, media_type="video/mp4")

    async def page(request: Request) -> Response:
        server.requests.append("page")
        return HTMLResponse("<html>not a video</html>")

    app = Starlette(routes=[Route("/clip.mp4", clip), Route("/page.html", page)])
    with serve_in_thread(app, port):
        yield server


def provider(
    sandbox: Sandbox,
    *,
    token_limit: str = "1000/second",
    upload: Literal["direct", "url"] = "url",
    **options: Any,
) -> RutubeProvider:
    """A provider on the sandbox; pacing off (an allowance far above Rutube's) unless a test is
    about it; import by URL unless asked."""
    settings = RutubeSettings(
        api_url=f"{sandbox.url}/rutube",
        upload_url=f"{sandbox.url}/rutube-upload",
        upload=upload,
        token_limit=token_limit,
    )
    return RutubeProvider(settings, **options)


def credentials(token: str = CLASSIC.token) -> Credentials:
    return Credentials(access_token=token)


@dataclass
class Saved:
    """The engine's side of checkpoints: every dict the provider saved, in order."""

    checkpoints: list[dict[str, Any]] = field(default_factory=list)

    async def __call__(self, checkpoint: Mapping[str, Any]) -> None:
        self.checkpoints.append(dict(checkpoint))

    @property
    def last(self) -> dict[str, Any]:
        return self.checkpoints[-1] if self.checkpoints else {}


def publish_request(
    clips: ClipServer,
    saved: Saved,
    *,
    title: str = TITLE,
    description: str = DESCRIPTION,
    media_url: str | None = None,
    size: int | None = None,
    token: str = CLASSIC.token,
) -> PublishRequest:
    clip = ClipSource(reader=FileReader(clips.path), size=size or clips.path.stat().st_size)
    return PublishRequest(
        credentials=credentials(token),
        clip=clip,
        title=title,
        description=description,
        media_url=media_url or clips.clip_url,
        on_checkpoint=saved,
    )


def resumed(request: PublishRequest, saved: Saved) -> PublishRequest:
    """The engine's next attempt: same request, checkpoint as last saved."""
    return replace(request, checkpoint=saved.last)


async def until_done(
    rutube: RutubeProvider,
    result: PublishResult,
    token: str = CLASSIC.token,
    *,
    creds: Credentials | None = None,
) -> PublishResult:
    """Poll as the engine would (bounded number of polls, not a time limit)."""
    for _ in range(200):
        if result.state is PublishState.PUBLISHED:
            return result
        await asyncio.sleep(0.05)
        result = await rutube.check(credentials=creds or credentials(token), checkpoint=result.checkpoint)
    raise AssertionError("the video never became ready")


def control(sandbox: Sandbox, path: str, body: dict[str, Any]) -> None:
    with sandbox.control() as client:
        client.post(path, json=body).raise_for_status()


def fault(sandbox: Sandbox, kind: str, on: str, **options: Any) -> None:
    control(sandbox, "/faults", {"platform": "rutube", "fault": kind, "on": on, **options})


def no_throttle(sandbox: Sandbox) -> None:
    control(sandbox, "/config", {"enforce_rate_limits": False})


def posts(sandbox: Sandbox) -> list[dict[str, Any]]:
    with sandbox.control() as client:
        state = client.get("/state").json()
    return [p for p in state["posts"] if p["platform"] == "rutube"]


def api(sandbox: Sandbox, token: str = CLASSIC.token) -> httpx2.Client:
    """Rutube's API called directly, as the user's browser or another tool would."""
    return httpx2.Client(
        base_url=f"{sandbox.url}/rutube/api",
        headers={"Authorization": f"Token {token}", "Accept": "application/json"},
        timeout=10,
    )
