"""A third-party t.me parser reads the sandbox's preview: snscrape's Telegram scraper, unmodified.

snscrape (JustAnotherArchivist/snscrape:snscrape/modules/telegram.py, pinned in the test extras)
fetches https://t.me/s/<channel> and https://t.me/<channel> itself. The only thing changed is
where its requests go: an adapter on its own requests session sends https://t.me/... to the
sandbox's /tme mount, the way a hosts entry would. Every message block must have the footer
with a date link and <time datetime> (service messages too, or the scraper crashes), and the
channel page its "N subscribers" and its photo.
"""

from __future__ import annotations

import warnings
from datetime import UTC, datetime
from typing import Any

import httpx2
import pytest
import requests
from requests.adapters import HTTPAdapter

from tests.conftest import Sandbox

with warnings.catch_warnings():
    # snscrape finds its modules with importlib's pre-3.4 loader API, deprecated on Python 3.11.
    warnings.simplefilter("ignore", DeprecationWarning)
    from snscrape.modules.telegram import TelegramChannelScraper

ADMIN = "7000000001:AAHb3vQm2Xk9LpR4tZs8YwNc1DfGj6UeKoA"


class ToSandbox(HTTPAdapter):
    """Sends https://t.me/<path> to <sandbox>/tme/<path>; nothing else about the request changes."""

    def __init__(self, sandbox_url: str) -> None:
        super().__init__()
        self.target = f"{sandbox_url}/tme/"

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        assert request.url is not None
        request.url = request.url.replace("https://t.me/", self.target, 1)
        return super().send(request, **kwargs)


def scraper(sandbox: Sandbox, channel: str = "clipmaker_demo") -> TelegramChannelScraper:
    scraper = TelegramChannelScraper(channel, retries=0)
    adapter = ToSandbox(sandbox.url)
    scraper._session.mount("https://t.me/", adapter)
    scraper._session.mount(sandbox.url, adapter)
    return scraper


def post_videos(sandbox: Sandbox, count: int) -> list[dict[str, Any]]:
    with sandbox.control() as control:
        control.post("/config", json={"enforce_rate_limits": False}).raise_for_status()
    video = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 16
    sent = []
    for n in range(count):
        response = httpx2.post(
            f"{sandbox.url}/telegram/bot{ADMIN}/sendVideo",
            data={"chat_id": "@clipmaker_demo", "caption": f"Клип {n}\nвторая строка", "duration": "15"},
            files={"video": ("clip.mp4", video, "video/mp4")},
        )
        sent.append(response.json()["result"])
    return sent


def test_snscrape_reads_every_message_with_its_date_service_message_included(sandbox: Sandbox) -> None:
    # 25 posts and the service message: two preview pages, followed through tme_messages_more.
    sent = post_videos(sandbox, 25)
    items = list(scraper(sandbox).get_items())
    assert [item.url for item in items] == [f"https://t.me/s/clipmaker_demo/{n}" for n in range(26, 0, -1)]
    by_id = {int(item.url.rpartition("/")[2]): item for item in items}
    for message in sent:
        item = by_id[message["message_id"]]
        assert item.date == datetime.fromtimestamp(message["date"], UTC)
        # snscrape takes the text of the block, where the page shows new lines as <br/>.
        assert item.content == message["caption"].replace("\n", "")
    service = by_id[1]
    assert service.content == "Channel created" and service.date.tzinfo is not None
    assert service.date < by_id[2].date


def test_snscrape_reads_the_channel_subscribers_title_and_photo(sandbox: Sandbox) -> None:
    channel = scraper(sandbox).entity
    assert channel is not None
    assert (channel.username, channel.title, channel.members) == ("clipmaker_demo", "КлипМейкер — демо", 1530)
    assert channel.photo.endswith("/tme/i/userpic/320/clipmaker_demo.svg")
    photo = httpx2.get(f"{sandbox.url}{channel.photo}")
    assert photo.status_code == 200 and photo.headers["content-type"].startswith("image/svg+xml")


@pytest.mark.parametrize("name", ["nobody_here", "clipmaker_demo_bot"])
def test_names_without_a_public_preview_give_snscrape_no_posts(sandbox: Sandbox, name: str) -> None:
    assert list(scraper(sandbox, name).get_items()) == []
