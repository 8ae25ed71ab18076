"""Helpers for the Дзен provider tests: settings for the sandbox, the consent page, clips, counting."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
from pydantic import SecretStr

from autopost.platforms.base import Credentials, PublishRequest, PublishResult, PublishState
from autopost.platforms.dzen import DzenProvider
from autopost.platforms.media import ClipSource
from autopost.settings import DzenSettings
from autopost_sandbox.dzen.registry import SEEDED_APP, SEEDED_USERS, debug_token
from tests.conftest import Sandbox
from tests.support.media import make_clip

PUBLISHER, NO_CHANNEL = SEEDED_USERS
REDIRECT_URI = "http://127.0.0.1:8765/oauth/dzen/callback"
DAY = 24 * 3600


def dzen_settings(sandbox: Sandbox, client_secret: str = SEEDED_APP.client_secret) -> DzenSettings:
    return DzenSettings(
        api_url=f"{sandbox.url}/dzen",
        oauth_url=f"{sandbox.url}/yandex-oauth",
        login_url=f"{sandbox.url}/yandex-oauth",
        client_id=SEEDED_APP.client_id,
        client_secret=SecretStr(client_secret),
    )


class CountingTransport(httpx2.AsyncBaseTransport):
    """Real HTTP, counting requests per "METHOD /path"; optionally a short read timeout."""

    def __init__(self, read_timeout: float | None = None) -> None:
        self._inner = httpx2.AsyncHTTPTransport(verify=False)  # loopback HTTP: skip building a TLS context
        self._read_timeout = read_timeout
        self.calls: Counter[str] = Counter()
        self.urls: list[httpx2.URL] = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        self.calls[f"{request.method} {request.url.path}"] += 1
        self.urls.append(request.url)
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


def unpaced(sandbox: Sandbox, transport: httpx2.AsyncBaseTransport | None = None) -> DzenProvider:
    """A provider that does not wait between calls, on a sandbox that does not count them.

    Pacing itself is proven in the tests that keep the sandbox's 1 request/s limit on.
    """
    control(sandbox, "/config", {"enforce_rate_limits": False})
    provider = DzenProvider(dzen_settings(sandbox), transport=transport)
    provider.pacer.window = 0.0
    return provider


def control_client(sandbox: Sandbox) -> httpx2.Client:
    # verify=False: plain loopback HTTP, and a TLS context costs a tenth of a second per client.
    return httpx2.Client(base_url=f"{sandbox.url}/_sandbox", timeout=10, verify=False)


def control(sandbox: Sandbox, path: str, body: Mapping[str, Any]) -> None:
    with control_client(sandbox) as client:
        client.post(path, json=dict(body)).raise_for_status()


def add_fault(sandbox: Sandbox, fault: str, on: str, **extra: Any) -> None:
    control(sandbox, "/faults", {"platform": "dzen", "fault": fault, "on": on, **extra})


def advance(sandbox: Sandbox, seconds: float) -> None:
    control(sandbox, "/clock", {"advance": seconds})


def posts(sandbox: Sandbox) -> list[dict[str, Any]]:
    with control_client(sandbox) as client:
        return [p for p in client.get("/state").json()["posts"] if p["platform"] == "dzen"]


# ---------------------------------------------------------------- the consent page


@dataclass
class ConsentForm:
    action: str = ""
    fields: dict[str, str] = field(default_factory=dict)


class _FormReader(HTMLParser):
    """Reads the form the way a browser submits it: hidden inputs and the checked account."""

    def __init__(self) -> None:
        super().__init__()
        self.form = ConsentForm()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.form.action = attributes["action"]
        if tag == "input" and (attributes.get("type") == "hidden" or "checked" in attributes):
            self.form.fields[attributes["name"]] = attributes["value"]


async def consent(sandbox: Sandbox, authorize_url: str, uid: str = PUBLISHER.uid) -> dict[str, str]:
    """Open the consent page, pick the account, press «Разрешить»; the callback's query parameters."""
    async with httpx2.AsyncClient(base_url=sandbox.url, verify=False) as browser:
        page = await browser.get(authorize_url)
        assert page.status_code == 200, page.text
        reader = _FormReader()
        reader.feed(page.text)
        form = reader.form
        answer = await browser.post(form.action, data={**form.fields, "uid": uid, "decision": "allow"})
    assert answer.status_code == 302
    location = answer.headers["location"]
    assert location.startswith(REDIRECT_URI + "?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


async def connect(
    sandbox: Sandbox, provider: DzenProvider, uid: str = PUBLISHER.uid
) -> tuple[Credentials, dict[str, str]]:
    """The whole connect flow for one sandbox account; the credentials a connection would store."""
    verifier = "v" * 20 + hashlib.sha256(uid.encode()).hexdigest()
    url = provider.oauth.authorize_url(state="st-42", code_verifier=verifier, redirect_uri=REDIRECT_URI)
    callback = await consent(sandbox, url, uid)
    tokens, _ = await provider.oauth.exchange(
        code=callback["code"], code_verifier=verifier, redirect_uri=REDIRECT_URI
    )
    return Credentials(tokens.access_token, tokens.refresh_token, tokens.expires_at), callback


def seeded_credentials(user: Any = PUBLISHER) -> Credentials:
    return Credentials(access_token=debug_token(user))


# ---------------------------------------------------------------- clips and requests


@dataclass(frozen=True)
class SmallChunks:
    """Reads a file in small pieces, so even a tiny clip streams in many chunks."""

    path: Path
    size: int = 2 * 1024

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
    sandbox: Sandbox, provider: DzenProvider, recorder: Recorder, credentials: Credentials, clip: ClipSource
) -> list[PublishResult]:
    """Call publish as the engine does: again with the saved checkpoint while the video processes.

    Between polls the sandbox clock moves on a second, as the engine's poll delay would.
    """
    results = [await provider.publish(request=recorder.request(credentials, clip))]
    while results[-1].state is PublishState.PROCESSING:
        assert len(results) < 20, "the video never finished processing"
        assert results[-1].checkpoint == recorder.last
        advance(sandbox, 1)
        results.append(await provider.publish(request=recorder.request(credentials, clip)))
    return results
