"""Rutube provider publishing by URL through the sandbox: happy path, limits, failed videos."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from autopost.platforms.base import PublishState
from autopost.platforms.errors import Permanent
from tests.conftest import Sandbox
from tests.platforms.rutube_support import (
    CLASSIC,
    DESCRIPTION,
    TITLE,
    ClipServer,
    Saved,
    api,
    credentials,
    fault,
    no_throttle,
    posts,
    provider,
    publish_request,
    resumed,
    serve_clip,
    until_done,
)


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClipServer]:
    with serve_clip(tmp_path_factory.mktemp("rutube")) as server:
        yield server


@pytest.fixture
def world(sandbox: Sandbox, clips: ClipServer) -> Sandbox:
    clips.requests.clear()
    no_throttle(sandbox)
    return sandbox


async def test_publish_by_url_checkpoints_then_polls_until_published(
    world: Sandbox, clips: ClipServer
) -> None:
    rutube, saved = provider(world), Saved()

    first = await rutube.publish(request=publish_request(clips, saved))

    assert first.state is PublishState.PROCESSING
    video_id = first.remote_id
    assert video_id and first.checkpoint["remote_id"] == video_id
    # Intent saved before the create went out, the id the moment it came back.
    assert saved.checkpoints[0]["request_sent"] is True and saved.checkpoints[0]["title"] == TITLE
    assert saved.last["remote_id"] == video_id
    done = await until_done(rutube, first)
    assert done.remote_url == f"https://rutube.ru/video/{video_id}/"
    [post] = posts(world)
    assert post["remote_id"] == video_id and post["owner"] == str(CLASSIC.id)
    assert post["status"] == "ready" and post["title"] == TITLE and post["caption"] == DESCRIPTION
    assert post["sha256"] == clips.sha256 and post["bytes"] == clips.path.stat().st_size
    assert post["extra"]["is_hidden"] is False and post["extra"]["category_id"] == 13
    assert clips.requests, "Rutube downloaded the clip from our URL"
    assert "sig=test" not in str(saved.checkpoints), "the signed URL stays out of checkpoints"


async def test_resume_with_remote_id_polls_and_never_creates_again(world: Sandbox, clips: ClipServer) -> None:
    rutube, saved = provider(world), Saved()
    request = publish_request(clips, saved)
    first = await rutube.publish(request=request)

    again = await rutube.publish(request=resumed(request, saved))
    await until_done(rutube, again)

    assert again.remote_id == first.remote_id
    assert len(posts(world)) == 1


@pytest.mark.parametrize(
    ("title", "description", "size", "code"),
    [
        ("т" * 101, DESCRIPTION, None, "rutube.title_too_long"),
        (TITLE, "о" * 5001, None, "rutube.description_too_long"),
        (TITLE, DESCRIPTION, 10 * 1024**3 + 1, "rutube.file_too_large"),
    ],
)
async def test_limits_are_refused_before_anything_is_sent(
    world: Sandbox, clips: ClipServer, title: str, description: str, size: int | None, code: str
) -> None:
    saved = Saved()
    request = publish_request(clips, saved, title=title, description=description, size=size)

    with pytest.raises(Permanent) as caught:
        await provider(world).publish(request=request)

    assert caught.value.code == code and "Rutube" in caught.value.message
    assert posts(world) == [] and clips.requests == [] and saved.checkpoints == []


async def test_limits_at_the_edge_pass(world: Sandbox, clips: ClipServer) -> None:
    request = publish_request(clips, Saved(), title="т" * 100, description="о" * 5000)
    result = await provider(world).publish(request=request)
    assert result.state is PublishState.PROCESSING and len(posts(world)) == 1


async def test_bad_url_is_a_field_error(world: Sandbox, clips: ClipServer) -> None:
    request = publish_request(clips, Saved(), media_url="ftp://files.example/clip.mp4")

    with pytest.raises(Permanent) as caught:
        await provider(world).publish(request=request)

    assert caught.value.code == "rutube.bad_request"
    assert caught.value.message == "Rutube отклонил запрос: ссылка на файл — Неправильный url"
    assert posts(world) == []


@pytest.mark.parametrize(
    ("on", "media", "code", "message"),
    [
        ("video.create", "clip", "rutube.processing_failed", "Rutube не смог обработать видео"),
        ("download", "clip", "rutube.download_failed", "Rutube не смог скачать файл клипа по нашей ссылке"),
        (None, "page", "rutube.not_a_video", "Rutube не распознал файл как видео"),
    ],
)
async def test_a_video_that_fails_on_rutube_is_permanent(
    world: Sandbox, clips: ClipServer, on: str | None, media: str, code: str, message: str
) -> None:
    if on is not None:
        fault(world, "processing_failed", on)
    rutube = provider(world)
    url = clips.clip_url if media == "clip" else clips.page_url
    result = await rutube.publish(request=publish_request(clips, Saved(), media_url=url))

    with pytest.raises(Permanent) as caught:
        await until_done(rutube, result)

    assert (caught.value.code, caught.value.message) == (code, message)
    assert len(posts(world)) == 1


async def test_video_deleted_on_rutube_is_permanent(world: Sandbox, clips: ClipServer) -> None:
    rutube = provider(world)
    result = await rutube.publish(request=publish_request(clips, Saved()))
    with api(world) as direct:
        assert direct.delete(f"/video/{result.remote_id}").status_code == 204

    with pytest.raises(Permanent) as caught:
        await rutube.check(credentials=credentials(), checkpoint=result.checkpoint)

    assert caught.value.code == "rutube.video_deleted" and caught.value.message == "Видео удалено на Rutube"


async def test_unknown_video_id_is_deleted_too(world: Sandbox) -> None:
    with pytest.raises(Permanent) as caught:
        await provider(world).check(credentials=credentials(), checkpoint={"remote_id": "0" * 32})
    assert caught.value.code == "rutube.video_deleted"
