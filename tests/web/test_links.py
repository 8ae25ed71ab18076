"""Links and images from platform data are rendered only when they are http(s) URLs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.connections.models import Connection
from autopost.platforms.catalog import Platform
from autopost.publications.models import PublicationStatus
from autopost.web.links import web_url
from tests.support.api import Api
from tests.web.support import add_publication, in_database, login, new_user

CRAFTED = [
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/x",
    "https:alert(1)",
]


@pytest.mark.parametrize("value", CRAFTED)
def test_only_http_urls_with_a_host_are_links(value: str) -> None:
    assert web_url(value) is None


def test_http_urls_are_kept_as_they_are() -> None:
    assert web_url("https://t.me/clipmaker_demo/2") == "https://t.me/clipmaker_demo/2"
    assert web_url("http://vk.com/clip-1_2?x=1") == "http://vk.com/clip-1_2?x=1"
    assert web_url(None) is None and web_url("") is None


@pytest.mark.parametrize("value", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>"])
def test_a_crafted_remote_url_or_avatar_becomes_no_href_or_src(api: Api, value: str) -> None:
    email, token = new_user(api)
    telegram = api.add_connection(email, Platform.TELEGRAM)
    clip_id = str(api.upload_clip(token)["id"])
    add_publication(
        api,
        email,
        clip_id,
        telegram,
        status=PublicationStatus.PUBLISHED,
        published_at=datetime.now(UTC) - timedelta(hours=1),
        remote_url=value,
    )

    async def crafted_avatar(session: AsyncSession) -> None:
        await session.execute(
            update(Connection).where(Connection.id == uuid.UUID(telegram)).values(avatar_url=value)
        )

    in_database(api.settings, crafted_avatar)
    with login(api, email) as client:
        pages = [
            client.get("/").text,
            client.get("/publications", params={"tab": "history"}).text,
            client.get("/settings/platforms").text,
        ]
    scheme = value.split(":")[0]
    for page in pages:
        assert f'href="{scheme}' not in page and f'src="{scheme}' not in page
    assert "Опубликовано" in pages[1], "the publication is listed, only without its link"
    assert 'class="avatar avatar-letter"' in pages[2], "the account shows its letter instead"
