"""Helpers for the VK provider tests (no tests here): settings, credentials, clips, a driver, a recording
transport."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx2
import pytest

from autopost.clips.sources import FileReader
from autopost.platforms.base import Credentials, PublishRequest, PublishResult, PublishState
from autopost.platforms.catalog import ConnectionKind
from autopost.platforms.cookies import dump_jar, parse_cookie_export
from autopost.platforms.media import ClipSource
from autopost.platforms.vk import VkOAuth, VkProvider
from autopost.settings import VkSettings
from tests.conftest import Sandbox
from tests.sandbox.test_vk_support import (
    CLIENT_ID,
    DEMO_TOKEN,
    REDIRECT_URI,
    Vk,
    consent_form,
    redirect_query,
)
from tests.support.media import make_clip

ANNA = Credentials(access_token=DEMO_TOKEN)
ADMIN_COMMUNITY = Credentials(access_token=DEMO_TOKEN, meta={"group_id": 2001})
READER_COMMUNITY = Credentials(access_token=DEMO_TOKEN, meta={"group_id": 2002})
# A hung answer outlasts the provider's timeout; kept short because server shutdown waits for it.
HANG = {"delay": 1.5}
SHORT_TIMEOUT = 0.4
BIG_CLIP_BYTES = 48 * 1024 * 1024


def vk_settings(sandbox: Sandbox, client_id: str = CLIENT_ID, **changes: Any) -> VkSettings:
    return VkSettings(
        api_url=f"{sandbox.url}/vk",
        id_url=f"{sandbox.url}/vkid",
        web_url=f"{sandbox.url}/vkweb",
        client_id=client_id,
        **changes,
    )


def session_of(vk: Vk, **meta: Any) -> Credentials:
    """Анна's vk.com session from the sandbox's cookie export, as a web-session connection holds it."""
    accounts = vk.http.get("/_sandbox/accounts").json()
    [export] = [
        a["credentials"]["cookies_txt"]
        for a in accounts
        if a["platform"] == "vk" and "cookies_txt" in a["credentials"]
    ]
    jar = parse_cookie_export(export, domains=["vk.com"])
    return Credentials(access_token=dump_jar(jar), kind=ConnectionKind.WEB_SESSION, meta=meta)


@pytest.fixture
def vk_session(vk: Vk) -> Credentials:
    return session_of(vk)


def route(clips: bool, session: Credentials) -> Credentials:
    """The connection a path is published through: a web session makes clips, VK ID makes videos."""
    return session if clips else ANNA


@pytest.fixture
def vk(sandbox: Sandbox) -> Iterator[Vk]:
    """The sandbox's VK control helper; the per-second limit is off unless a test turns it on."""
    with Vk(sandbox) as control:
        control.configure(enforce_rate_limits=False)
        yield control


@pytest.fixture
async def vk_provider(sandbox: Sandbox, vk: Vk) -> AsyncIterator[VkProvider]:
    # The sandbox's per-second limit is off (fixture `vk`), so pacing would only slow the tests.
    vk_provider = VkProvider(vk_settings(sandbox))
    yield vk_provider
    await vk_provider.aclose()


@pytest.fixture
async def vk_impatient(sandbox: Sandbox, vk: Vk) -> AsyncIterator[VkProvider]:
    """A provider whose answers time out quickly (for `timeout` faults)."""
    vk_provider = VkProvider(vk_settings(sandbox), timeout=SHORT_TIMEOUT)
    yield vk_provider
    await vk_provider.aclose()


@pytest.fixture(scope="session")
def vk_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_clip(tmp_path_factory.mktemp("vk") / "clip.mp4")


@pytest.fixture(scope="session")
def vk_big_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Bytes enough to outlast loopback socket buffers, so a cut connection hits mid-body."""
    path = tmp_path_factory.mktemp("vk") / "big.mp4"
    path.write_bytes(secrets.token_bytes(BIG_CLIP_BYTES))
    return path


def clip_source(path: Path) -> ClipSource:
    data = path.read_bytes()
    return ClipSource(reader=FileReader(path), size=len(data), sha256=hashlib.sha256(data).hexdigest())


@dataclass
class Recorder:
    """What the engine would persist: every checkpoint, and the upload progress."""

    checkpoints: list[dict[str, Any]] = field(default_factory=list)
    progress: list[tuple[int, int]] = field(default_factory=list)

    async def save(self, checkpoint: Mapping[str, Any]) -> None:
        self.checkpoints.append(dict(checkpoint))

    def on_progress(self, sent: int, total: int) -> None:
        self.progress.append((sent, total))

    @property
    def last(self) -> dict[str, Any]:
        return self.checkpoints[-1] if self.checkpoints else {}


def publish_request(
    path: Path,
    recorder: Recorder,
    *,
    credentials: Credentials = ANNA,
    title: str = "Цветокоррекция за 60 секунд",
    description: str = "Полный урок — по ссылке в профиле #монтаж",
    clip: ClipSource | None = None,
) -> PublishRequest:
    return PublishRequest(
        credentials=credentials,
        clip=clip or clip_source(path),
        title=title,
        description=description,
        on_progress=recorder.on_progress,
        on_checkpoint=recorder.save,
    )


async def drive(
    provider: VkProvider, request: PublishRequest, vk: Vk, recorder: Recorder, *, polls: int = 10
) -> PublishResult:
    """Call publish as the engine does: resume from the saved checkpoint, moving the clock between polls."""
    for _ in range(polls):
        result = await provider.publish(request=replace(request, checkpoint=recorder.last))
        if result.state is PublishState.PUBLISHED:
            return result
        await recorder.save(result.checkpoint)
        vk.advance(1)
    raise AssertionError("still processing")


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Recording(httpx2.AsyncBaseTransport):
    """Forwards to the real network and remembers each request (method calls with their form)."""

    inner: httpx2.AsyncBaseTransport = field(default_factory=httpx2.AsyncHTTPTransport)
    requests: list[httpx2.Request] = field(default_factory=list)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()

    def calls(self, method: str | None = None) -> list[dict[str, str]]:
        """The forms of VK API calls (optionally of one method), in order."""
        found = []
        for request in self.requests:
            name = request.url.path.rsplit("/method/", 1)[-1] if "/method/" in request.url.path else None
            if name is not None and (method is None or name == method):
                found.append({"method": name, **dict(parse_qsl(request.content.decode()))})
        return found


async def connect(oauth: VkOAuth, vk: Vk) -> dict[str, Any]:
    """The whole VK ID flow as a browser and our callback do it; returns the redirect and the results."""
    verifier, state = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
    url = oauth.authorize_url(state=state, code_verifier=verifier, redirect_uri=REDIRECT_URI)
    page = vk.http.get(url)
    assert page.status_code == 200, page.text
    redirect = redirect_query(
        vk.http.post("/vkid/authorize", data={**consent_form(page.text), "decision": "allow"})
    )
    assert redirect["state"] == state
    tokens, account = await oauth.exchange(
        code=redirect["code"],
        code_verifier=verifier,
        redirect_uri=REDIRECT_URI,
        device_id=redirect["device_id"],
    )
    return {
        "url": url,
        "verifier": verifier,
        "page": page.text,
        "redirect": redirect,
        "tokens": tokens,
        "account": account,
    }
