"""What a VK publication became («Клип» or «Видео»), VK's check link, and what VK ID says it posts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.platforms.catalog import Platform, PostFormat
from autopost.publications.models import Phase, PublicationStatus
from autopost.users.models import User
from tests.support.api import Api, start_api
from tests.web.support import add_publication, in_database, login, new_user, visible_text

CHECK = "https://id.vk.com/not_robot_captcha?domain=vk.com&session_token=abc"


def published(api: Api, email: str, clip: str, connection: str, post_format: PostFormat | None) -> str:
    return add_publication(
        api,
        email,
        clip,
        connection,
        status=PublicationStatus.PUBLISHED,
        phase=Phase.DONE,
        progress=100,
        remote_url="https://vk.com/clip1001_1",
        published_at=datetime.now(UTC),
        format=post_format,
    )


def read_in_english(api: Api, email: str) -> None:
    async def work(session: AsyncSession) -> None:
        await session.execute(update(User).where(User.email == email).values(locale="en"))

    in_database(api.settings, work)


def format_badges(page: str) -> list[str]:
    return [
        part.split(">", 1)[1].split("<", 1)[0]
        for part in page.split('class="badge badge-neutral post-format"')[1:]
    ]


@pytest.mark.parametrize(
    ("post_format", "russian", "english"),
    [(PostFormat.CLIP, "Клип", "Clip"), (PostFormat.VIDEO, "Видео", "Video")],
)
def test_a_vk_publication_says_what_it_became_on_the_card_and_in_the_list(
    api: Api, post_format: PostFormat, russian: str, english: str
) -> None:
    email, token = new_user(api)
    vk = api.add_connection(email, Platform.VK)
    telegram = api.add_connection(email, Platform.TELEGRAM)
    clip = str(api.upload_clip(token)["id"])
    published(api, email, clip, vk, post_format)
    published(api, email, clip, telegram, None)  # one kind of post only: nothing to say
    paths = ("/", "/publications?tab=history")
    with login(api, email) as client:
        assert [format_badges(client.get(path).text) for path in paths] == [[russian], [russian]]
        listed = {p["platform"]: p["format"] for p in client.get("/api/v1/publications").json()}
        read_in_english(api, email)
        assert [format_badges(client.get(path).text) for path in paths] == [[english], [english]]
    assert listed == {"vk": post_format.value, "telegram": None}


def test_a_captcha_failure_shows_the_check_to_open(api: Api) -> None:
    email, token = new_user(api)
    vk = api.add_connection(email, Platform.VK)
    clip = str(api.upload_clip(token)["id"])
    add_publication(
        api,
        email,
        clip,
        vk,
        status=PublicationStatus.FAILED,
        error_code="vk.captcha_check",
        error_params={"platform": "vk", "captcha_url": CHECK},
    )
    link = f'<a class="check-link" href="{CHECK.replace("&", "&amp;")}" target="_blank" rel="noopener noreferrer">'
    paths = ("/", "/publications?tab=history")
    with login(api, email) as client:
        for path in paths:
            page = client.get(path).text
            assert link in page and "Пройти проверку VK" in page, path
            assert "Откройте проверку VK по ссылке" in visible_text(page)
        read_in_english(api, email)
        for path in paths:
            english = visible_text(client.get(path).text)
            assert "Take VK's check" in english and "Open VK's check with the link" in english, path


def test_a_link_that_is_not_a_web_address_is_never_rendered(api: Api) -> None:
    email, token = new_user(api)
    vk = api.add_connection(email, Platform.VK)
    clip = str(api.upload_clip(token)["id"])
    add_publication(
        api,
        email,
        clip,
        vk,
        status=PublicationStatus.FAILED,
        error_code="vk.captcha_check",
        error_params={"platform": "vk", "captcha_url": "javascript:alert(1)"},
    )
    with login(api, email) as client:
        page = client.get("/").text
    assert "check-link" not in page and "javascript:" not in page


@pytest.fixture
def approved_api(tmp_path: Path, database_url: str) -> Iterator[Api]:
    """The API of an operator whose VK ID app VK opened clips to."""
    yield from start_api(tmp_path, database_url, None, vk={"clips_approved": True})


def test_the_vk_id_block_says_it_posts_vk_video(api: Api) -> None:
    email, _ = new_user(api)
    with login(api, email) as client:
        page = visible_text(client.get("/settings/platforms").text)
        read_in_english(api, email)
        english = visible_text(client.get("/settings/platforms").text)
    assert "Через VK ID публикуются ролики VK Видео" in page and "раздел «Клипы»" in page
    assert "VK ID publishes VK Video" in english


def test_the_vk_id_block_says_it_posts_clips_once_vk_opened_them(approved_api: Api) -> None:
    email, _ = new_user(approved_api)
    with login(approved_api, email) as client:
        page = visible_text(client.get("/settings/platforms").text)
    assert "Через VK ID публикуются VK Клипы" in page and "VK Видео" not in page
