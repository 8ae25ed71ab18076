"""Rutube provider publishing by URL through the sandbox: happy path, limits, failed videos."""

from __future__ import annotations

import pytest

from autopost.platforms.base import PublishState
from autopost.platforms.errors import Permanent
from tests.conftest import Sandbox
from tests.platforms.rendered import text_of
from tests.platforms.rutube_support import (
    CLASSIC,
    DESCRIPTION,
    TITLE,
    ClipServer,
    Saved,
    api,
    credentials,
    fault,
    posts,
    provider,
    publish_request,
    resumed,
    until_done,
)


async def test_publish_by_url_checkpoints_then_polls_until_published(
    rutube_world: Sandbox, rutube_clips: ClipServer
) -> None:
    rutube, saved = provider(rutube_world), Saved()

    first = await rutube.publish(request=publish_request(rutube_clips, saved))

    assert first.state is PublishState.PROCESSING
    video_id = first.remote_id
    assert video_id and first.checkpoint["remote_id"] == video_id
    # Intent saved before the create went out, the id the moment it came back.
    assert saved.checkpoints[0]["request_sent"] is True and saved.checkpoints[0]["title"] == TITLE
    assert saved.last["remote_id"] == video_id
    done = await until_done(rutube, first)
    assert done.remote_url == f"https://rutube.ru/video/{video_id}/"
    [post] = posts(rutube_world)
    assert post["remote_id"] == video_id and post["owner"] == str(CLASSIC.id)
    assert post["status"] == "ready" and post["title"] == TITLE and post["caption"] == DESCRIPTION
    assert post["sha256"] == rutube_clips.sha256 and post["bytes"] == rutube_clips.path.stat().st_size
    assert post["extra"]["is_hidden"] is False and post["extra"]["category_id"] == 13
    assert rutube_clips.requests, "Rutube downloaded the clip from our URL"
    assert "sig=test" not in str(saved.checkpoints), "the signed URL stays out of checkpoints"


async def test_resume_with_remote_id_polls_and_never_creates_again(
    rutube_world: Sandbox, rutube_clips: ClipServer
) -> None:
    rutube, saved = provider(rutube_world), Saved()
    request = publish_request(rutube_clips, saved)
    first = await rutube.publish(request=request)

    again = await rutube.publish(request=resumed(request, saved))
    await until_done(rutube, again)

    assert again.remote_id == first.remote_id
    assert len(posts(rutube_world)) == 1


@pytest.mark.parametrize(
    ("title", "description", "size", "code"),
    [
        ("т" * 101, DESCRIPTION, None, "rutube.title_too_long"),
        (TITLE, "о" * 5001, None, "rutube.description_too_long"),
        (TITLE, DESCRIPTION, 10 * 1024**3 + 1, "rutube.file_too_large"),
    ],
)
async def test_limits_are_refused_before_anything_is_sent(
    rutube_world: Sandbox, rutube_clips: ClipServer, title: str, description: str, size: int | None, code: str
) -> None:
    saved = Saved()
    request = publish_request(rutube_clips, saved, title=title, description=description, size=size)

    with pytest.raises(Permanent) as caught:
        await provider(rutube_world).publish(request=request)

    assert caught.value.code == code and "Rutube" in text_of(caught.value)
    assert posts(rutube_world) == [] and rutube_clips.requests == [] and saved.checkpoints == []


async def test_limits_at_the_edge_pass(rutube_world: Sandbox, rutube_clips: ClipServer) -> None:
    request = publish_request(rutube_clips, Saved(), title="т" * 100, description="о" * 5000)
    result = await provider(rutube_world).publish(request=request)
    assert result.state is PublishState.PROCESSING and len(posts(rutube_world)) == 1


async def test_bad_url_is_a_field_error(rutube_world: Sandbox, rutube_clips: ClipServer) -> None:
    request = publish_request(rutube_clips, Saved(), media_url="ftp://files.example/clip.mp4")

    with pytest.raises(Permanent) as caught:
        await provider(rutube_world).publish(request=request)

    assert caught.value.code == "rutube.bad_field.url"
    assert caught.value.params == {"reason": "Неправильный url"}
    assert text_of(caught.value) == "Rutube отклонил запрос: ссылка на файл — Неправильный url"
    assert posts(rutube_world) == []


@pytest.mark.parametrize(
    ("on", "media", "code", "message"),
    [
        ("video.create", "clip", "rutube.processing_failed", "Rutube не смог обработать видео"),
        ("download", "clip", "rutube.download_failed", "Rutube не смог скачать файл клипа по нашей ссылке"),
        (None, "page", "rutube.not_a_video", "Rutube не распознал файл как видео"),
    ],
)
async def test_a_video_that_fails_on_rutube_is_permanent(
    rutube_world: Sandbox, rutube_clips: ClipServer, on: str | None, media: str, code: str, message: str
) -> None:
    if on is not None:
        fault(rutube_world, "processing_failed", on)
    rutube = provider(rutube_world)
    url = rutube_clips.clip_url if media == "clip" else rutube_clips.page_url
    result = await rutube.publish(request=publish_request(rutube_clips, Saved(), media_url=url))

    with pytest.raises(Permanent) as caught:
        await until_done(rutube, result)

    assert (caught.value.code, text_of(caught.value)) == (code, message)
    assert len(posts(rutube_world)) == 1


async def test_video_deleted_on_rutube_is_permanent(rutube_world: Sandbox, rutube_clips: ClipServer) -> None:
    rutube = provider(rutube_world)
    result = await rutube.publish(request=publish_request(rutube_clips, Saved()))
    with api(rutube_world) as direct:
        assert direct.delete(f"/video/{result.remote_id}").status_code == 204

    with pytest.raises(Permanent) as caught:
        await rutube.check(credentials=credentials(), checkpoint=result.checkpoint)

    assert caught.value.code == "rutube.video_deleted" and text_of(caught.value) == "Видео удалено на Rutube"


async def test_unknown_video_id_is_deleted_too(rutube_world: Sandbox) -> None:
    with pytest.raises(Permanent) as caught:
        await provider(rutube_world).check(credentials=credentials(), checkpoint={"remote_id": "0" * 32})
    assert caught.value.code == "rutube.video_deleted"
