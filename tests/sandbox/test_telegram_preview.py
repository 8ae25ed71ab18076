"""t.me's public channel preview over real HTTP: message blocks, growing views, paging, private channels."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

import httpx2
import pytest

from autopost_sandbox.telegram.preview import short_count
from tests.conftest import Sandbox

ADMIN = "7000000001:AAHb3vQm2Xk9LpR4tZs8YwNc1DfGj6UeKoA"
VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 16
WRAP = '<div class="tgme_widget_message_wrap js-widget_message_wrap">'


def post_video(sandbox: Sandbox, chat_id: str = "@clipmaker_demo", caption: str = "") -> dict[str, Any]:
    response = httpx2.post(
        f"{sandbox.url}/telegram/bot{ADMIN}/sendVideo",
        data={"chat_id": chat_id, "caption": caption, "duration": "75"},
        files={"video": ("clip.mp4", VIDEO, "video/mp4")},
    )
    result: dict[str, Any] = response.json()["result"]
    return result


def page(sandbox: Sandbox, path: str) -> httpx2.Response:
    return httpx2.get(f"{sandbox.url}/tme{path}")


def blocks(html: str) -> list[dict[str, str | None]]:
    """Each message block's data-post, views text and <time datetime>, the way a scraper reads them."""
    found = []
    for chunk in html.split(WRAP)[1:]:
        post = re.search(r'data-post="([^"]+)"', chunk)
        views = re.search(r'<span class="tgme_widget_message_views">([^<]+)</span>', chunk)
        moment = re.search(r'class="tgme_widget_message_date"[^>]*><time datetime="([^"]+)"', chunk)
        found.append(
            {
                "post": post.group(1) if post else None,
                "views": views.group(1) if views else None,
                "datetime": moment.group(1) if moment else None,
            }
        )
    return found


def parse_count(text: str) -> float:
    multiplier = {"K": 1_000, "M": 1_000_000}.get(text[-1], 1)
    return float(text.rstrip("KM")) * multiplier


def advance(sandbox: Sandbox, seconds: float) -> None:
    with sandbox.control() as control:
        control.post("/clock", json={"advance": seconds}).raise_for_status()


def test_a_posted_video_appears_on_the_preview_page(sandbox: Sandbox) -> None:
    message = post_video(sandbox, caption="Клип <дня>\nвторая строка")
    response = page(sandbox, "/s/clipmaker_demo")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    assert [b["post"] for b in blocks(html)] == ["clipmaker_demo/1", "clipmaker_demo/2"]
    assert 'class="tgme_widget_message service_message js-widget_message"' in html
    assert "Клип &lt;дня&gt;<br/>вторая строка" in html
    assert '<time class="message_video_duration js-message_video_duration">1:15</time>' in html
    [service_block, video_block] = blocks(html)
    moment = datetime.fromtimestamp(message["date"], UTC)
    assert video_block["datetime"] == moment.isoformat() and video_block["views"] is not None
    # The service message has no views but, like every message, a footer with its date link.
    assert service_block["views"] is None and service_block["datetime"] is not None
    assert datetime.fromisoformat(service_block["datetime"]) < moment
    assert html.count('<div class="tgme_widget_message_footer') == 2
    assert f'href="https://t.me/clipmaker_demo/{message["message_id"]}"' in html
    assert 'class="tme_messages_more' not in html


def test_views_grow_with_the_sandbox_clock_and_are_deterministic(sandbox: Sandbox) -> None:
    post_video(sandbox)
    seen = []
    for step in (0, 600, 3 * 3600, 24 * 3600, 30 * 24 * 3600):
        advance(sandbox, step)
        first = blocks(page(sandbox, "/s/clipmaker_demo").text)[-1]["views"]
        again = blocks(page(sandbox, "/s/clipmaker_demo").text)[-1]["views"]
        assert first == again and first is not None
        seen.append(parse_count(first))
    assert seen[0] == 1
    assert all(earlier < later for earlier, later in pairwise(seen))


def test_the_page_holds_the_newest_20_messages_and_pages_back_with_before(sandbox: Sandbox) -> None:
    with sandbox.control() as control:
        control.post("/config", json={"enforce_rate_limits": False}).raise_for_status()
    for _ in range(25):
        post_video(sandbox)
    newest = page(sandbox, "/s/clipmaker_demo").text
    assert [b["post"] for b in blocks(newest)] == [f"clipmaker_demo/{n}" for n in range(7, 27)]
    assert '<a href="/tme/s/clipmaker_demo?before=7" class="tme_messages_more js-messages_more" ' in newest
    assert 'data-before="7"' in newest
    older = page(sandbox, "/s/clipmaker_demo?before=7").text
    assert [b["post"] for b in blocks(older)] == [f"clipmaker_demo/{n}" for n in range(1, 7)]
    assert "tme_messages_more" not in older


def test_private_channel_posts_never_reach_a_preview(sandbox: Sandbox) -> None:
    message = post_video(sandbox, chat_id="-1001000000002", caption="секрет")
    assert message["message_id"] == 2
    for name in ("clipmaker_demo", "clipmaker_other"):
        assert "секрет" not in page(sandbox, f"/s/{name}").text
    hidden = page(sandbox, "/c/1000000002/2")
    assert hidden.status_code == 200
    assert "Please open Telegram to view this post" in hidden.text and "секрет" not in hidden.text
    assert "tgme_widget_message" not in hidden.text


@pytest.mark.parametrize("name", ["nobody_here", "clipmaker_demo_bot"])
def test_a_name_without_a_public_channel_redirects_to_a_page_without_messages(
    sandbox: Sandbox, name: str
) -> None:
    redirect = page(sandbox, f"/s/{name}")
    assert redirect.status_code == 302 and redirect.headers["location"] == f"/tme/{name}"
    landing = httpx2.get(f"{sandbox.url}/tme/s/{name}", follow_redirects=True)
    assert landing.status_code == 200 and "tgme_widget_message" not in landing.text
    assert f'you can contact <a class="tgme_username_link" href="tg://resolve?domain={name}">@{name}</a>' in (
        landing.text
    )


def test_the_channel_page_links_to_its_preview(sandbox: Sandbox) -> None:
    html = page(sandbox, "/clipmaker_demo").text
    assert "КлипМейкер — демо" in html and '<div class="tgme_page_extra">1 530 subscribers</div>' in html
    assert 'href="/tme/s/clipmaker_demo">Preview channel</a>' in html
    photo = re.search(r'<img class="tgme_page_photo_image" src="([^"]+)">', html)
    assert photo is not None and photo.group(1) == "/tme/i/userpic/320/clipmaker_demo.svg"
    picture = httpx2.get(f"{sandbox.url}{photo.group(1)}")
    assert picture.status_code == 200 and picture.text.startswith("<svg")
    assert httpx2.get(f"{sandbox.url}/tme/i/userpic/320/nobody_here.svg").status_code == 404


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (0, "0"),
        (999, "999"),
        (1000, "1K"),
        (1234, "1.2K"),
        (12_345, "12.3K"),
        (999_999, "999.9K"),
        (1_500_000, "1.5M"),
    ],
)
def test_counts_are_abbreviated_like_telegram(count: int, shown: str) -> None:
    assert short_count(count) == shown
