"""Helpers for the Дзен tests: the sandbox's sessions as credentials, clips, counting requests."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2

from autopost.platforms.base import Credentials, PublishRequest, PublishResult, PublishState
from autopost.platforms.catalog import WEB_SESSION_DOMAINS, ConnectionKind, Platform
from autopost.platforms.cookies import dump_jar, parse_cookie_export
from autopost.platforms.dzen import DzenProvider
from autopost.platforms.media import ClipSource
from autopost.platforms.throttle import UnitLimiter
from autopost.settings import DzenSettings
from autopost_sandbox.dzen.accounts import CHANNEL, EDITOR, Person, cookie_export
from tests.conftest import Sandbox
from tests.support.media import make_clip

CHUNK = 2 * 1024  # small TUS chunks, so a test clip (12 KB) takes several PATCHes


def dzen_settings(sandbox: Sandbox) -> DzenSettings:
    return DzenSettings(api_url=f"{sandbox.url}/dzen")


def session_of(person: Person = EDITOR, *, connected: bool = True) -> Credentials:
    """The person's cookie export, as a connection stores it (with the channel once connected)."""
    jar = parse_cookie_export(cookie_export(person), domains=WEB_SESSION_DOMAINS[Platform.DZEN])
    meta = {"publisher_id": CHANNEL.publisher_id} if connected else {}
    return Credentials(access_token=dump_jar(jar), kind=ConnectionKind.WEB_SESSION, meta=meta)


class CountingTransport(httpx2.AsyncBaseTransport):
    """Real HTTP, counting requests per "METHOD /path"; optionally a short read timeout."""

    def __init__(self, read_timeout: float | None = None) -> None:
        self._inner = httpx2.AsyncHTTPTransport(verify=False)  # loopback HTTP: skip building a TLS context
        self._read_timeout = read_timeout
        self.calls: Counter[str] = Counter()
        self.requests: list[httpx2.Request] = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        self.calls[f"{request.method} {request.url.path}"] += 1
        self.requests.append(request)
        if self._read_timeout is not None:
            request.extensions["timeout"] = {
                **request.extensions.get("timeout", {}),
                "read": self._read_timeout,
            }
        return await self._inner.handle_async_request(request)

    def count(self, method: str, path_part: str) -> int:
        return sum(n for call, n in self.calls.items() if call.startswith(method + " ") and path_part in call)

    async def aclose(self) -> None:
        await self._inner.aclose()


def provider(
    sandbox: Sandbox, transport: httpx2.AsyncBaseTransport | None = None, limiter: UnitLimiter | None = None
) -> DzenProvider:
    """The provider alone: it keeps to the sandbox's 3 editor calls a second per publisher itself.

    Two providers standing for two workers share a `limiter`, as workers share Redis.
    """
    return DzenProvider(dzen_settings(sandbox), transport=transport, chunk_bytes=CHUNK, limiter=limiter)


def control(sandbox: Sandbox, path: str, body: Mapping[str, Any]) -> None:
    with sandbox.control() as client:
        client.post(path, json=dict(body)).raise_for_status()


def add_fault(sandbox: Sandbox, fault: str, on: str, **extra: Any) -> None:
    control(sandbox, "/faults", {"platform": "dzen", "fault": fault, "on": on, **extra})


def advance(sandbox: Sandbox, seconds: float) -> None:
    control(sandbox, "/clock", {"advance": seconds})


def state(sandbox: Sandbox) -> dict[str, Any]:
    with sandbox.control() as client:
        answer: dict[str, Any] = client.get("/state").json()
    return answer


def posts(sandbox: Sandbox) -> list[dict[str, Any]]:
    return [p for p in state(sandbox)["posts"] if p["platform"] == "dzen"]


@dataclass(frozen=True)
class SmallChunks:
    """Reads a file in small pieces, so even a tiny clip streams in many chunks."""

    path: Path
    size: int = 1024

    async def read(self, chunk_size: int) -> AsyncIterator[bytes]:
        with self.path.open("rb") as handle:
            while chunk := handle.read(self.size):
                yield chunk


def clip_source(path: Path) -> ClipSource:
    if not path.exists():
        make_clip(path)
    data = path.read_bytes()
    return ClipSource(
        reader=SmallChunks(path), size=len(data), filename=path.name, sha256=hashlib.sha256(data).hexdigest()
    )


@dataclass
class Recorder:
    """What the engine would persist: every checkpoint, every progress report."""

    checkpoints: list[dict[str, Any]] = field(default_factory=list)
    progress: list[tuple[int, int]] = field(default_factory=list)

    async def save(self, checkpoint: Mapping[str, Any]) -> None:
        self.checkpoints.append(dict(checkpoint))

    def report(self, sent: int, total: int) -> None:
        self.progress.append((sent, total))

    @property
    def last(self) -> dict[str, Any]:
        return self.checkpoints[-1] if self.checkpoints else {}

    def request(
        self, credentials: Credentials, clip: ClipSource, title: str = "Монтаж за 60 секунд", **extra: Any
    ) -> PublishRequest:
        """A request resuming from the last saved checkpoint, as the engine builds it."""
        return PublishRequest(
            credentials=credentials,
            clip=clip,
            title=title,
            description=extra.pop("description", "Урок 1: склейка"),
            checkpoint=self.last,
            on_progress=self.report,
            on_checkpoint=self.save,
            **extra,
        )


async def publish_until_done(
    sandbox: Sandbox, dzen: DzenProvider, recorder: Recorder, credentials: Credentials, clip: ClipSource
) -> list[PublishResult]:
    """Call publish as the engine does: again with the saved checkpoint while Дзен converts.

    Between calls the sandbox clock moves on a second, as the engine's poll delay would.
    """
    results = [await dzen.publish(request=recorder.request(credentials, clip))]
    while results[-1].state is PublishState.PROCESSING:
        assert len(results) < 20, "the video never finished converting"
        advance(sandbox, 1)
        results.append(await dzen.publish(request=recorder.request(credentials, clip)))
    return results
