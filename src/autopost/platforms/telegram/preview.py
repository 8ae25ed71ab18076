"""Reading the public web preview of a channel (t.me/s/<channel>): view counts and lost posts.

The Bot API has no view counts and no way to list a channel's posts; the
preview page shows both for public channels, 20 messages a page, oldest
first, with a `tme_messages_more` link (data-before) to older ones.
`?before=<id>` shows the newest 20 messages older than <id>, so any message
can be reached in one load. The parser relies only on the class names and
attributes scrapers of the real page use (docs/platforms/telegram.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from html.parser import HTMLParser

import httpx2

from autopost.platforms.http import send
from autopost.platforms.telegram.answers import preview_html

PLATFORM = "telegram"

_VIEWS = re.compile(r"^(\d+(?:\.\d+)?)([KMB]?)$")
_MULTIPLIERS = {"": 1, "K": 1_000, "M": 1_000_000, "B": 1_000_000_000}


@dataclass
class PreviewPost:
    message_id: int
    text: str = ""
    views: int | None = None
    posted_at: datetime | None = None
    has_video: bool = False
    duration: int | None = None  # seconds, as the video player shows them
    service: bool = False


@dataclass
class PreviewPage:
    posts: list[PreviewPost] = field(default_factory=list)
    before: int | None = None  # data-before of the link to older messages, when there are any


def parse_views(shown: str) -> int | None:
    """t.me's abbreviated counts: "999" → 999, "1.2K" → 1200, "1.5M" → 1500000."""
    match = _VIEWS.match(shown.strip().upper())
    if match is None:
        return None
    try:
        return int(Decimal(match.group(1)) * _MULTIPLIERS[match.group(2)])
    except InvalidOperation:
        return None


def parse_duration(shown: str) -> int | None:
    """ "0:15" / "1:02:03" → seconds."""
    parts = shown.strip().split(":")
    if not parts or not all(p.isdigit() for p in parts):
        return None
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + int(part)
    return seconds


def same_text(shown: str, caption: str) -> bool:
    """Captions compared as words: the page turns new lines into <br/> and may reflow spaces."""
    return shown.split() == caption.split()


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = PreviewPage()
        self._depth = 0  # open <div>s
        self._post: PreviewPost | None = None
        self._post_depth = 0
        self._text_depth: int | None = None
        self._text: list[str] = []
        self._capture: str | None = None  # "views" or "duration"
        self._captured: list[str] = []
        self._in_date = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        classes = set(attributes.get("class", "").split())
        if tag == "a" and "tme_messages_more" in classes and attributes.get("data-before", "").isdigit():
            self.page.before = int(attributes["data-before"])
        if tag == "div":
            self._depth += 1
            self._open_div(classes, attributes)
        elif self._post is not None:
            self._open_inline(self._post, tag, classes, attributes)

    def _open_div(self, classes: set[str], attributes: dict[str, str]) -> None:
        post_ref = attributes.get("data-post", "")
        if "tgme_widget_message" in classes and post_ref.rpartition("/")[2].isdigit():
            self._post = PreviewPost(int(post_ref.rpartition("/")[2]), service="service_message" in classes)
            self._post_depth = self._depth
        elif self._post is not None and "tgme_widget_message_text" in classes:
            # The message's own text comes after any reply quote: the last text block wins.
            self._text_depth, self._text = self._depth, []

    def _open_inline(
        self, post: PreviewPost, tag: str, classes: set[str], attributes: dict[str, str]
    ) -> None:
        if tag == "br" and self._text_depth is not None:
            self._text.append("\n")
        elif tag == "span" and "tgme_widget_message_views" in classes:
            self._capture, self._captured = "views", []
        elif tag == "a" and "tgme_widget_message_video_player" in classes:
            post.has_video = True
        elif tag == "time" and "message_video_duration" in classes:
            self._capture, self._captured = "duration", []
        elif tag == "a" and "tgme_widget_message_date" in classes:
            self._in_date = True
        elif tag == "time" and self._in_date and attributes.get("datetime"):
            try:
                post.posted_at = datetime.fromisoformat(attributes["datetime"])
            except ValueError:
                post.posted_at = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "div":
            self._close_div()
        elif tag in ("span", "time") and self._capture is not None and self._post is not None:
            shown = "".join(self._captured)
            if self._capture == "views":
                self._post.views = parse_views(shown)
            else:
                self._post.duration = parse_duration(shown)
            self._capture = None
        elif tag == "a":
            self._in_date = False

    def _close_div(self) -> None:
        if self._post is not None and self._text_depth == self._depth:
            self._post.text = "".join(self._text).strip()
            self._text_depth = None
        if self._post is not None and self._post_depth == self._depth:
            self.page.posts.append(self._post)
            self._post = None
        self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._capture is not None:
            self._captured.append(data)
        elif self._text_depth is not None:
            self._text.append(data)


def parse_page(html: str) -> PreviewPage:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser.page


async def load_page(client: httpx2.AsyncClient, username: str, before: int | None) -> PreviewPage | None:
    """One preview page; None when the channel has no public preview (t.me redirects away)."""
    params = {"before": str(before)} if before is not None else None
    request = client.build_request("GET", f"/s/{username}", params=params)
    response = await send(client, request, platform=PLATFORM, creates=False)
    html = preview_html(response)
    return None if html is None else parse_page(html)


async def collect_views(client: httpx2.AsyncClient, username: str, wanted: Iterable[int]) -> dict[int, int]:
    """Views of the wanted messages, one page load per run of up to 20 neighbouring messages.

    Each load jumps straight to the newest id still missing (?before=id+1); a
    page covers every message between its oldest and that id, so ids in that
    range it does not show (deleted posts) are not looked for again.
    """
    missing, found = set(wanted), dict[int, int]()
    while missing:
        top = max(missing)
        page = await load_page(client, username, before=top + 1)
        if page is None or not page.posts:
            break
        for post in page.posts:
            if post.message_id in missing and post.views is not None:
                found[post.message_id] = post.views
        # min() with top: a page that ignored ?before= must not make us ask for it again.
        covered_from = min(top, *(p.message_id for p in page.posts))
        missing = {m for m in missing if m < covered_from}
        if page.before is None:
            break
    return found


async def find_posts(
    client: httpx2.AsyncClient,
    username: str,
    *,
    caption: str,
    duration: int | None,
    not_before: datetime,
    max_pages: int,
) -> list[int] | None:
    """Ids of video posts dated `not_before` or later showing `caption` (and `duration`, when given).

    Pages back from the newest only while every dated post on a page is newer
    than `not_before`. None when it cannot tell: the channel has no public
    preview, or more than `max_pages` pages were posted since.
    """
    before: int | None = None
    matches: list[int] = []
    for _ in range(max_pages):
        page = await load_page(client, username, before)
        if page is None:
            return None
        dated = [p for p in page.posts if p.posted_at is not None]
        recent = [p for p in dated if p.posted_at is not None and p.posted_at >= not_before]
        matches += [p.message_id for p in recent if _is_our_post(p, caption, duration)]
        if page.before is None or len(recent) < len(dated):
            return matches
        before = page.before
    return None


def _is_our_post(post: PreviewPost, caption: str, duration: int | None) -> bool:
    if post.service or not post.has_video or not same_text(post.text, caption):
        return False
    return duration is None or post.duration is None or post.duration == duration
