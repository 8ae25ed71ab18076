"""Views from the t.me preview: parsing the page, paging as little as possible, private channels."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx2
import pytest

from autopost.platforms.base import Counters
from autopost.platforms.telegram.preview import parse_page, parse_views
from tests.conftest import Sandbox
from tests.platforms.telegram_support import (
    PRIVATE_ID,
    RecordingTransport,
    advance_clock,
    configure,
    connected,
    provider,
    send_plain_videos,
)

PAGE = """
<section class="tgme_channel_history js-message_history">
<div class="tgme_widget_message_centered js-messages_more_wrap"><a href="/s/demo?before=21"
  class="tme_messages_more js-messages_more" data-before="21"></a></div>
<div class="tgme_widget_message_wrap js-widget_message_wrap"><div class="tgme_widget_message service_message
  js-widget_message" data-post="demo/21"><div class="tgme_widget_message_text js-message_text">Channel photo
  updated</div></div></div>
<div class="tgme_widget_message_wrap js-widget_message_wrap"><div class="tgme_widget_message js-widget_message"
  data-post="demo/22" data-view="x"><div class="tgme_widget_message_bubble">
  <a class="tgme_widget_message_video_player js-message_video_player" href="https://t.me/demo/22">
  <div class="tgme_widget_message_video_wrap"><video></video></div>
  <time class="message_video_duration js-message_video_duration">1:02:03</time></a>
  <div class="tgme_widget_message_text js-message_text" dir="auto">Первая &amp; <b>жирная</b><br/>строка
  <a href="?q=%23tag">#tag</a></div>
  <div class="tgme_widget_message_footer"><div class="tgme_widget_message_info">
  <span class="tgme_widget_message_views">12.3K</span><span class="copyonly"> views</span>
  <span class="tgme_widget_message_meta"><a class="tgme_widget_message_date" href="https://t.me/demo/22">
  <time datetime="2026-01-01T12:00:00+00:00" class="time">12:00</time></a></span></div></div>
</div></div></div>
</section>
"""


@pytest.mark.parametrize(
    ("shown", "count"),
    [("7", 7), ("999", 999), ("1K", 1000), ("1.2K", 1200), ("12.3K", 12300), ("1.5M", 1_500_000), ("", None)],
)
def test_views_as_shown(shown: str, count: int | None) -> None:
    assert parse_views(shown) == count


def test_page_parsing() -> None:
    page = parse_page(PAGE)
    assert page.before == 21
    service, video = page.posts
    assert (service.message_id, service.service, service.views) == (21, True, None)
    assert (video.message_id, video.views, video.duration, video.has_video) == (22, 12300, 3723, True)
    assert video.text == "Первая & жирная\nстрока\n  #tag"
    assert video.posted_at == datetime(2026, 1, 1, 12, tzinfo=UTC)


def shown_views(html: str) -> dict[int, int]:
    """An independent reading of the page: data-post id → the views span, converted by hand."""
    found = re.findall(r'data-post="[^"/]+/(\d+)".*?tgme_widget_message_views">([^<]+)<', html, re.S)
    units = {"K": 1_000, "M": 1_000_000}
    return {int(i): round(float(v[:-1]) * units[v[-1]]) if v[-1] in units else int(v) for i, v in found}


async def test_views_with_paging_in_few_page_loads(sandbox: Sandbox) -> None:
    configure(sandbox, enforce_rate_limits=False)
    ids = send_plain_videos(sandbox, *(f"пост {n}" for n in range(45)))  # messages 2..46
    advance_clock(sandbox, 30 * 86400)  # a month on: views in the thousands ("12.3K")
    transport = RecordingTransport()
    wanted = [str(ids[-1]), str(ids[28]), str(ids[1]), "999", "junk"]

    counters = await provider(sandbox, transport=transport).fetch_stats(
        credentials=connected(), remote_ids=wanted
    )

    assert set(counters) == {str(ids[-1]), str(ids[28]), str(ids[1])}
    assert all(c.likes is None and c.shares is None and c.comments is None for c in counters.values())
    pages = [url for url in transport.urls if "/tme/s/" in str(url)]
    assert len(pages) == 2  # 999 and the two newest wanted ids share a page; message 3 needs one more
    with httpx2.Client(base_url=f"{sandbox.url}/tme", timeout=10) as client:
        html = "".join(client.get(str(url).removeprefix(f"{sandbox.url}/tme")).text for url in pages)
    expected = shown_views(html)
    assert counters == {rid: Counters(views=expected[int(rid)]) for rid in counters}
    assert any(c.views and c.views >= 1000 for c in counters.values())


async def test_private_channel_has_no_stats(sandbox: Sandbox) -> None:
    transport = RecordingTransport()
    counters = await provider(sandbox, transport=transport).fetch_stats(
        credentials=connected(PRIVATE_ID, None), remote_ids=["2"]
    )
    assert counters == {} and transport.urls == []


async def test_channel_without_a_preview_has_no_stats(sandbox: Sandbox) -> None:
    # t.me redirects /s/<name> away for names with no public preview.
    counters = await provider(sandbox).fetch_stats(
        credentials=connected(-1009999999999, "nobody_here_channel"), remote_ids=["2"]
    )
    assert counters == {}


async def test_fresh_post_views(sandbox: Sandbox) -> None:
    [message_id] = send_plain_videos(sandbox, "новый пост")
    counters = await provider(sandbox).fetch_stats(credentials=connected(), remote_ids=[str(message_id)])
    assert counters == {str(message_id): Counters(views=1)}
