"""VK Клипы through a vk.com web session: who is signed in, the web token kept fresh, resume, stats."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx2
import pytest

from autopost.platforms.base import Credentials, PublishState
from autopost.platforms.catalog import PostFormat
from autopost.platforms.errors import AuthExpired, Permanent, RateLimited, Transient
from autopost.platforms.vk import VkProvider
from tests.conftest import Sandbox
from tests.platforms.rendered import text_of
from tests.platforms.test_vk_support import (
    Recorder,
    Recording,
    drive,
    publish_request,
    session_of,
    vk_settings,
)
from tests.sandbox.test_vk_support import Vk

pytest_plugins = ["tests.platforms.test_vk_support"]

SIGNED_OUT = (
    "Сессия vk.com закончилась: вы вышли из VK в браузере или VK завершил вход. Войдите на vk.com "
    "снова, выгрузите cookies заново и переподключите VK Клипы"
)


@dataclass
class ClockJump(httpx2.AsyncBaseTransport):
    """Forwards everything; after the first request whose path contains `after`, moves the sandbox clock."""

    control_url: str
    after: str
    seconds: float
    inner: Recording = field(default_factory=Recording)
    jumped: bool = False

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        response = await self.inner.handle_async_request(request)
        if not self.jumped and self.after in request.url.path:
            self.jumped = True
            await response.aread()
            move = httpx2.Request(
                "POST", f"{self.control_url}/_sandbox/clock", json={"advance": self.seconds}
            )
            await (await self.inner.inner.handle_async_request(move)).aread()
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


def pages(recording: Recording) -> list[httpx2.Request]:
    return [r for r in recording.requests if r.url.path.startswith("/vkweb/")]


async def test_verify_says_who_is_signed_in_and_where_clips_may_go(
    vk_provider: VkProvider, vk: Vk, vk_session: Credentials
) -> None:
    account = await vk_provider.verify(credentials=vk_session)
    assert (account.account_id, account.name) == ("1001", "Анна Смирнова")
    assert account.avatar_url == f"{vk.url}/vk/images/u1001_200.svg"
    assert account.meta == {
        "screen_name": "anna.smirnova",
        "communities": [{"id": 2001, "name": "Курсы монтажа", "avatar": f"{vk.url}/vk/images/g2001_200.svg"}],
    }
    community = await vk_provider.verify(credentials=session_of(vk, group_id=2001))
    assert (community.account_id, community.name) == ("-2001", "Курсы монтажа")
    assert community.meta == {"user_id": 1001, "user_name": "Анна Смирнова"}
    with pytest.raises(Permanent) as refused:
        await vk_provider.verify(credentials=session_of(vk, group_id=2002))
    assert refused.value.code == "vk.no_rights"


async def test_a_signed_out_session_is_auth_expired_and_says_what_to_do(
    vk_provider: VkProvider, vk: Vk, vk_clip: Path, vk_session: Credentials
) -> None:
    assert await vk_provider.refresh(credentials=vk_session) == vk_session
    vk.end_sessions()
    recorder = Recorder()
    for attempt in (
        vk_provider.verify(credentials=vk_session),
        vk_provider.refresh(credentials=vk_session),
        vk_provider.publish(request=publish_request(vk_clip, recorder, credentials=vk_session)),
    ):
        with pytest.raises(AuthExpired) as expired:
            await attempt
        assert (expired.value.code, text_of(expired.value)) == ("vk.web_signed_out", SIGNED_OUT)
    assert recorder.checkpoints == [] and vk.posts() == []


async def test_a_failing_vk_com_page_is_transient(
    vk_provider: VkProvider, vk: Vk, vk_session: Credentials
) -> None:
    vk.fault("server_error", on="page")
    with pytest.raises(Transient) as failed:
        await vk_provider.verify(credentials=vk_session)
    assert (failed.value.code, text_of(failed.value)) == (
        "vk.web_unavailable",
        "vk.com не открылся, повторим позже",
    )


async def test_a_web_token_that_expires_mid_flow_is_read_again(
    sandbox: Sandbox, vk: Vk, vk_clip: Path, vk_session: Credentials
) -> None:
    vk.configure(vk_web_token_seconds=30)
    # The upload takes longer than the token lives: the sandbox clock jumps 31 s once it is in.
    transport = ClockJump(sandbox.url, after="/vk/upload/", seconds=31)
    provider = VkProvider(vk_settings(sandbox), transport=transport)
    try:
        recorder = Recorder()
        result = await drive(
            provider, publish_request(vk_clip, recorder, credentials=vk_session), vk, recorder
        )
    finally:
        await provider.aclose()
    recording = transport.inner
    assert transport.jumped and result.format is PostFormat.CLIP and len(vk.posts()) == 1
    # One page for create, and one more after encodeProgress met error 5 with the first token.
    encode = [c["method"] for c in recording.calls() if c["method"] == "shortVideo.encodeProgress"]
    assert len(pages(recording)) == 2 and len(encode) >= 2
    tokens = [r.headers["authorization"] for r in recording.requests if "/method/" in r.url.path]
    assert len(set(tokens)) == 2 and tokens[0] != tokens[-1]


async def test_the_session_stays_in_its_cookie_header_and_the_token_in_authorization(
    sandbox: Sandbox, vk: Vk, vk_clip: Path, vk_session: Credentials
) -> None:
    recording = Recording()
    provider = VkProvider(vk_settings(sandbox), transport=recording)
    try:
        recorder = Recorder()
        await drive(provider, publish_request(vk_clip, recorder, credentials=vk_session), vk, recorder)
    finally:
        await provider.aclose()
    for request in recording.requests:
        sends_cookies = "cookie" in request.headers
        assert sends_cookies == request.url.path.startswith("/vkweb/"), request.url
        assert "remixsid" not in str(request.url) and "access_token" not in str(request.url)
        if "/method/" in request.url.path:
            assert "access_token" not in request.content.decode()
    # One page per publish call: the token is read afresh each time the engine comes back.
    assert pages(recording)
    for page in pages(recording):
        assert sorted(page.headers["cookie"].split("; ")) == [
            "remixlang=0",
            "remixsid=1_sandbox-anna-smirnova-7c41f09be2d84a6f",
        ]
        assert page.headers["user-agent"].startswith("Mozilla/5.0")


async def test_a_worker_that_stopped_after_the_upload_resumes_without_a_second_create(
    sandbox: Sandbox, vk: Vk, vk_clip: Path, vk_session: Credentials
) -> None:
    vk.configure(processing_seconds=100)
    recorder = Recorder()
    request = publish_request(vk_clip, recorder, credentials=vk_session)
    first_worker = Recording()
    provider = VkProvider(vk_settings(sandbox), transport=first_worker)
    try:
        first = await provider.publish(request=request)
    finally:
        await provider.aclose()
    assert first.state is PublishState.PROCESSING
    saved = recorder.last
    assert saved["uploaded"] and saved["video_hash"] and (saved["owner_id"], saved["video_id"])
    vk.advance(101)

    second_worker = Recording()
    provider = VkProvider(vk_settings(sandbox), transport=second_worker)
    try:
        result = await provider.publish(request=replace(request, checkpoint=saved))
    finally:
        await provider.aclose()
    assert result.state is PublishState.PUBLISHED and result.remote_id == first.remote_id
    methods = [c["method"] for c in second_worker.calls()]
    assert methods == [
        "shortVideo.encodeProgress",
        "shortVideo.edit",
        "shortVideo.publish",
        "shortVideo.getOwnerVideos",
    ]
    assert not [r for r in second_worker.requests if "/vk/upload/" in r.url.path]
    assert len(first_worker.calls("shortVideo.create")) == 1 and len(vk.posts()) == 1


@pytest.mark.parametrize(
    ("fault", "code", "retry_after"),
    [("flood_control", "vk.flood_control", 600.0), ("daily_limit", "vk.daily_limit", None)],
)
async def test_flood_control_and_the_daily_quota_are_rate_limits(
    vk_provider: VkProvider,
    vk: Vk,
    vk_clip: Path,
    vk_session: Credentials,
    fault: str,
    code: str,
    retry_after: float | None,
) -> None:
    vk.fault(fault, on="shortVideo.create")
    recorder = Recorder()
    with pytest.raises(RateLimited) as limited:
        await vk_provider.publish(request=publish_request(vk_clip, recorder, credentials=vk_session))
    assert limited.value.code == code and recorder.checkpoints == []
    if retry_after is not None:
        assert limited.value.retry_after == retry_after
    else:  # until shortly after midnight in Moscow, when VK's daily quotas reset
        assert 0 < limited.value.retry_after <= 24 * 3600
    await drive(vk_provider, publish_request(vk_clip, recorder, credentials=vk_session), vk, recorder)
    assert len(vk.posts()) == 1


async def test_clip_stats_come_from_the_clips_section(
    vk_provider: VkProvider, vk: Vk, vk_clip: Path, vk_session: Credentials
) -> None:
    recorder = Recorder()
    result = await drive(
        vk_provider, publish_request(vk_clip, recorder, credentials=vk_session), vk, recorder
    )
    assert result.remote_id is not None
    # Older clips of hers, published after it: ours ends up on the second page of 100.
    vk.use_web_token()
    for _ in range(100):
        clip = vk.upload_clip(b"n" * 10)
        vk.advance(1)
        vk.ok("shortVideo.publish", owner_id=clip["owner_id"], video_id=clip["video_id"], license_agree=1)
    vk.advance(3600)
    stats = await vk_provider.fetch_stats(credentials=vk_session, remote_ids=[result.remote_id, "1001_1"])
    vk.use_web_token()
    listing = vk.ok("shortVideo.getOwnerVideos", owner_id=1001, count=100, offset=100)
    [item] = [i for i in listing["items"] if f"1001_{i['id']}" == result.remote_id]
    counters = stats[result.remote_id]
    assert counters.views == item["views"] > 0 and counters.likes == item["likes"]["count"] > 0
    assert counters.shares == item["reposts"]["count"] and counters.comments == item["comments"]
    assert set(stats) == {result.remote_id}
