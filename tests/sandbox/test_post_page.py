"""«Открыть» in sandbox mode leads to the sandbox's page of the post, which shows what the platform got."""

from __future__ import annotations

import hashlib
import re
from html import unescape

import httpx2

from autopost.platforms.catalog import Platform
from autopost.publications.models import PublicationStatus
from autopost.web.links import post_href
from tests.support.stack import Stack

TITLE = "Цветокоррекция за 60 секунд"
TEXT = "Полный урок — по ссылке в профиле"


async def test_each_platforms_post_opens_on_the_sandbox_page_with_its_title_text_and_video(
    stack: Stack,
) -> None:
    connections = [await stack.connect(platform) for platform in Platform]
    await stack.start_worker(periodic=False)
    ids = await stack.publish(*connections, title=TITLE, description=TEXT)

    async with httpx2.AsyncClient() as client:
        for publication_id in ids:
            publication = await stack.wait_for(publication_id)
            assert publication.status is PublicationStatus.PUBLISHED, publication.error_code
            href = post_href(publication.remote_url, stack.settings.post_page_url)
            assert href is not None and href.startswith(stack.settings.post_page_url + "?url=")

            page = await client.get(href)
            assert page.status_code == 200, (publication.platform, href)
            text = unescape(page.text)
            post = await stack.post_of(publication)
            assert post["owner"] in text and TEXT in text
            # Telegram posts have no title of their own: the caption carries it.
            assert (post["title"] or post["caption"]).split("\n")[0] in text
            assert f"{post['bytes']:,}".replace(",", "\u00a0") in text
            # The player plays the very bytes the platform received, and seeks by range.
            player = re.search(r'<video controls[^>]* src="(/_sandbox/media/[0-9a-f]{64})"', page.text)
            assert player is not None, (publication.platform, page.text)
            video = await client.get(stack.sandbox.url + player.group(1))
            assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
            assert hashlib.sha256(video.content).hexdigest() == post["sha256"]
            tail = await client.get(stack.sandbox.url + player.group(1), headers={"Range": "bytes=100-"})
            assert tail.status_code == 206 and tail.content == video.content[100:]


async def test_a_post_the_sandbox_does_not_hold_is_a_clear_404(stack: Stack) -> None:
    async with httpx2.AsyncClient() as client:
        page = await client.get(stack.settings.post_page_url, params={"url": "https://vk.com/clip-1_2"})
        unknown = await client.get(f"{stack.sandbox.url}/_sandbox/media/{'0' * 64}")
        traversal = await client.get(f"{stack.sandbox.url}/_sandbox/media/..%2F..%2Fetc%2Fpasswd")
    assert page.status_code == 404
    assert "Пост не найден" in page.text and "https://vk.com/clip-1_2" in unescape(page.text)
    assert unknown.status_code == traversal.status_code == 404


def test_without_a_post_page_open_leads_to_the_platform_and_never_to_a_script() -> None:
    assert post_href("https://rutube.ru/video/abc/", "") == "https://rutube.ru/video/abc/"
    assert post_href("javascript:alert(1)", "http://sandbox/_sandbox/post") is None
    assert post_href("https://t.me/c/1/2", "http://sandbox/_sandbox/post") == (
        "http://sandbox/_sandbox/post?url=https%3A%2F%2Ft.me%2Fc%2F1%2F2"
    )
