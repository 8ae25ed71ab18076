"""Helpers for the Telegram provider tests: demo bots, clips, requests, sandbox control."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2

from autopost.clips.probe import make_thumbnail
from autopost.clips.sources import FileReader
from autopost.platforms.base import Credentials, PublishRequest
from autopost.platforms.media import ClipSource
from autopost.platforms.telegram import TelegramProvider
from autopost.settings import TelegramSettings
from tests.conftest import Sandbox
from tests.support.media import make_clip

ADMIN = "7000000001:AAHb3vQm2Xk9LpR4tZs8YwNc1DfGj6UeKoA"
MEMBER = "7000000002:AAEr5TnW7yHq0ZcV3bMx6KsLd2PfJ8GiUoN"
NEVER_ISSUED = "7000000003:AAFx0Qw1Er2Ty3Ui4Op5As6Df7Gh8Jk9LzX"
PUBLIC = "@clipmaker_demo"
PUBLIC_ID = -1001000000001
PRIVATE_ID = -1001000000002
OTHER = "@clipmaker_other"
TITLE = "Монтаж за 60 секунд"
DESCRIPTION = "Урок 1: склейка по движению"
CAPTION = f"{TITLE}\n\n{DESCRIPTION}"
MiB = 1024 * 1024
# Telegram's megabytes are decimal: 50 MB = 50 * MB bytes.
MB = 1000 * 1000


def provider(sandbox: Sandbox, *, local_server: bool = False, **options: Any) -> TelegramProvider:
    settings = TelegramSettings(
        api_url=f"{sandbox.url}/telegram", preview_url=f"{sandbox.url}/tme", local_server=local_server
    )
    return TelegramProvider(settings, **options)


def credentials(token: str = ADMIN, channel: str = PUBLIC, **meta: Any) -> Credentials:
    return Credentials(access_token=token, meta={"channel": channel, **meta})


def connected(chat_id: int = PUBLIC_ID, username: str | None = "clipmaker_demo") -> Credentials:
    """Credentials as a connection holds them after verify() (meta merged from AccountInfo)."""
    channel = f"@{username}" if username else str(chat_id)
    return credentials(channel=channel, chat_id=chat_id, channel_username=username)


@dataclass
class Clip:
    path: Path
    sha256: str
    thumbnail: bytes | None = None

    def source(self) -> ClipSource:
        return ClipSource(
            reader=FileReader(self.path),
            size=self.path.stat().st_size,
            sha256=self.sha256,
            duration=1.0,
            width=180,
            height=320,
            thumbnail=self.thumbnail,
        )


def real_clip(workdir: Path) -> Clip:
    """A real H.264 clip with the JPEG thumbnail intake would make for it."""
    path = make_clip(workdir / "clip.mp4", seconds=1.0)
    return Clip(path, hashlib.sha256(path.read_bytes()).hexdigest(), make_thumbnail(path))


def sized_clip(workdir: Path, size: int) -> Clip:
    """A clip of `size` bytes: a header, then a sparse run of zeros (the emulator never decodes video)."""
    path = workdir / f"clip-{size}.mp4"
    header = b"\x00\x00\x00\x18ftypmp42"
    with path.open("wb") as handle:
        handle.write(header)
        handle.truncate(size)
    digest = hashlib.sha256(header)
    zeros = bytes(MiB)
    left = size - len(header)
    while left:
        digest.update(zeros[: min(left, MiB)])
        left -= min(left, MiB)
    return Clip(path, digest.hexdigest())


@dataclass
class Recorder:
    """What the engine would persist: every checkpoint, and the last progress report."""

    checkpoints: list[dict[str, Any]] = field(default_factory=list)
    progress: tuple[int, int] = (0, 0)

    @property
    def last(self) -> dict[str, Any]:
        return self.checkpoints[-1] if self.checkpoints else {}

    async def save(self, checkpoint: Any) -> None:
        self.checkpoints.append(dict(checkpoint))

    def on_progress(self, sent: int, total: int) -> None:
        self.progress = (sent, total)


def publish_request(
    clip: Clip,
    recorder: Recorder,
    *,
    creds: Credentials | None = None,
    checkpoint: dict[str, Any] | None = None,
    title: str = TITLE,
    description: str = DESCRIPTION,
) -> PublishRequest:
    return PublishRequest(
        credentials=creds or connected(),
        clip=clip.source(),
        title=title,
        description=description,
        checkpoint=checkpoint or {},
        on_progress=recorder.on_progress,
        on_checkpoint=recorder.save,
    )


def posts(sandbox: Sandbox) -> list[dict[str, Any]]:
    with sandbox.control() as control:
        state = control.get("/state").json()
    return [p for p in state["posts"] if p["platform"] == "telegram"]


def inject(sandbox: Sandbox, fault: str, **options: Any) -> None:
    with sandbox.control() as control:
        control.post("/faults", json={"platform": "telegram", "fault": fault, **options}).raise_for_status()


def configure(sandbox: Sandbox, **switches: Any) -> None:
    with sandbox.control() as control:
        control.post("/config", json=switches).raise_for_status()


def advance_clock(sandbox: Sandbox, seconds: float) -> None:
    with sandbox.control() as control:
        control.post("/clock", json={"advance": seconds}).raise_for_status()


def send_plain_videos(sandbox: Sandbox, *captions: str, chat_id: str = PUBLIC) -> list[int]:
    """Post tiny videos straight through the Bot API (other posts in the channel); their ids."""
    ids = []
    with httpx2.Client(base_url=f"{sandbox.url}/telegram/bot{ADMIN}", timeout=10) as client:
        for caption in captions:
            response = client.post(
                "/sendVideo",
                data={"chat_id": chat_id, "caption": caption, "duration": "1"},
                files={"video": ("v.mp4", b"\x00\x00\x00\x18ftypmp42" + bytes(64), "video/mp4")},
            )
            response.raise_for_status()
            ids.append(int(response.json()["result"]["message_id"]))
    return ids


class RecordingTransport(httpx2.AsyncBaseTransport):
    """A real transport that remembers the URL of every request."""

    def __init__(self) -> None:
        self.inner = httpx2.AsyncHTTPTransport()
        self.urls: list[httpx2.URL] = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        self.urls.append(request.url)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()
