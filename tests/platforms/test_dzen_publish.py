"""Publishing to Дзен through the sandbox over real HTTP: happy path, limits, resume."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from autopost.platforms.base import PublishState
from autopost.platforms.catalog import LIMITS, Platform
from autopost.platforms.dzen import DzenProvider
from autopost.platforms.errors import OutcomeUnknown, Permanent, Transient
from autopost.platforms.media import ClipSource
from tests.conftest import Sandbox
from tests.platforms.dzen_support import (
    PUBLISHER,
    CountingTransport,
    Recorder,
    add_fault,
    advance,
    clip_source,
    dzen_settings,
    posts,
    publish_until_done,
    seeded_credentials,
    unpaced,
)
from tests.platforms.rendered import text_of


@pytest.fixture
def transport() -> CountingTransport:
    return CountingTransport()


@pytest.fixture
def provider(sandbox: Sandbox, transport: CountingTransport) -> DzenProvider:
    return unpaced(sandbox, transport)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> ClipSource:
    """One real H.264 clip for the module: a ClipSource reads its file afresh on every upload."""
    return clip_source(tmp_path_factory.mktemp("dzen") / "lesson.mp4")


async def test_publishes_once_with_every_byte_under_the_rate_limit(
    sandbox: Sandbox, transport: CountingTransport, clip: ClipSource
) -> None:
    """The sandbox enforces 1 request/s per token here: the provider paces itself, no 429 comes back."""
    provider = DzenProvider(dzen_settings(sandbox), transport=transport)
    recorder = Recorder()

    results = await publish_until_done(sandbox, provider, recorder, seeded_credentials(), clip)

    first, last = results[0], results[-1]
    video_id = first.remote_id
    assert first.state is PublishState.PROCESSING and video_id
    assert last.state is PublishState.PUBLISHED
    assert (last.remote_id, last.remote_url) == (video_id, f"https://dzen.ru/video/watch/{video_id}")
    upload_id = recorder.checkpoints[0]["upload_id"]
    assert recorder.checkpoints == [
        {"upload_id": upload_id},
        {"upload_id": upload_id, "publish_sent": True},
        {"upload_id": upload_id, "publish_sent": True, "remote_id": video_id},
    ]
    assert len(recorder.progress) > 3
    assert recorder.progress[-1] == (clip.size, clip.size)
    assert [sent for sent, _ in recorder.progress] == sorted(sent for sent, _ in recorder.progress)
    [post] = posts(sandbox)
    assert PUBLISHER.publisher is not None
    assert post["owner"] == PUBLISHER.publisher.id
    assert (post["remote_id"], post["status"]) == (video_id, "published")
    assert (post["bytes"], post["sha256"]) == (clip.size, clip.sha256)
    assert (post["title"], post["caption"]) == ("Монтаж за 60 секунд", "Урок 1: склейка")
    assert post["extra"]["file_name"] == "lesson.mp4"
    assert transport.count("PUT", "/dzen/upload/") == 1
    assert transport.count("POST", "/api/v1/videos") == 1


def test_capabilities_match_the_catalog() -> None:
    limits = LIMITS[Platform.DZEN]
    capabilities = DzenProvider.capabilities

    assert (capabilities.max_bytes, capabilities.title_max, capabilities.description_max) == (
        limits.max_bytes,
        limits.title_max,
        limits.description_max,
    )
    assert capabilities.oauth and capabilities.needs_processing and not capabilities.upload_by_url
    assert capabilities.stats == "full"


@dataclass(frozen=True)
class NeverRead:
    async def read(self, chunk_size: int) -> AsyncIterator[bytes]:
        raise AssertionError("the clip must not be read")
        yield b""


@pytest.mark.parametrize(
    ("size", "title", "description", "code", "message"),
    [
        (4 * 1024**3 + 1, "Урок", "", "dzen.file_too_large", "Файл 4 ГБ больше лимита Дзена 4 ГБ"),
        (1000, "Я" * 101, "", "dzen.title_too_long", "Название для Дзена: 101 символов, можно не больше 100"),
        (1000, "   ", "", "dzen.title_missing", "Для Дзена нужно название видео"),
        (1000, "Урок", "д" * 5001, "dzen.description_too_long", "Описание для Дзена: 5001 символов"),
    ],
)
async def test_limits_are_refused_before_anything_is_sent(
    provider: DzenProvider,
    sandbox: Sandbox,
    transport: CountingTransport,
    size: int,
    title: str,
    description: str,
    code: str,
    message: str,
) -> None:
    recorder = Recorder()
    clip = ClipSource(reader=NeverRead(), size=size)

    with pytest.raises(Permanent) as refused:
        await provider.publish(
            request=recorder.request(seeded_credentials(), clip, title=title, description=description)
        )

    assert refused.value.code == code
    assert text_of(refused.value).startswith(message)
    assert not transport.calls
    assert recorder.checkpoints == []
    assert posts(sandbox) == []


async def test_title_of_exactly_100_characters_is_accepted(
    provider: DzenProvider, sandbox: Sandbox, clip: ClipSource
) -> None:
    recorder = Recorder()

    result = await provider.publish(request=recorder.request(seeded_credentials(), clip, title="Я" * 100))

    assert result.state is PublishState.PROCESSING
    assert [p["title"] for p in posts(sandbox)] == ["Я" * 100]


async def test_an_expired_upload_session_is_replaced_on_resume(
    provider: DzenProvider, sandbox: Sandbox, clip: ClipSource
) -> None:
    recorder = Recorder()
    add_fault(sandbox, "reset", "upload")
    with pytest.raises(Transient):
        await provider.publish(request=recorder.request(seeded_credentials(), clip))
    stale = recorder.last["upload_id"]
    advance(sandbox, 25 * 3600)  # upload sessions live 24 hours; the token lives a year

    results = await publish_until_done(sandbox, provider, recorder, seeded_credentials(), clip)

    assert results[-1].state is PublishState.PUBLISHED
    assert recorder.last["upload_id"] != stale
    [post] = posts(sandbox)
    assert post["sha256"] == clip.sha256
    assert post["extra"]["upload_id"] == recorder.last["upload_id"]


async def test_bytes_that_are_not_a_video_fail_processing_with_a_clear_message(
    provider: DzenProvider, sandbox: Sandbox, tmp_path: Path
) -> None:
    path = tmp_path / "notes.mp4"
    path.write_bytes(b"not a video at all " * 1000)
    clip = clip_source(path)
    recorder = Recorder()

    with pytest.raises(Permanent) as failed:
        await publish_until_done(sandbox, provider, recorder, seeded_credentials(), clip)

    assert failed.value.code == "dzen.unsupported_format"
    assert "MP4, MOV или WebM" in text_of(failed.value)
    [post] = posts(sandbox)
    assert post["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


async def test_a_vanished_session_is_reopened_unless_publish_may_have_gone_out(
    provider: DzenProvider, sandbox: Sandbox, clip: ClipSource
) -> None:
    unsent = Recorder(checkpoints=[{"upload_id": "0" * 32}])
    sent = Recorder(checkpoints=[{"upload_id": "0" * 32, "publish_sent": True}])

    reopened = await provider.publish(request=unsent.request(seeded_credentials(), clip))
    with pytest.raises(OutcomeUnknown) as unknown:
        await provider.publish(request=sent.request(seeded_credentials(), clip))

    assert reopened.state is PublishState.PROCESSING
    assert unsent.last["upload_id"] != "0" * 32
    assert unknown.value.code == "dzen.publish_unconfirmed"
    assert text_of(unknown.value).startswith("Не удалось понять, опубликовано ли видео")
    assert sent.checkpoints == [{"upload_id": "0" * 32, "publish_sent": True}]
    assert [p["remote_id"] for p in posts(sandbox)] == [reopened.remote_id]
