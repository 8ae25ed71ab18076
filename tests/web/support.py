"""Helpers for the page tests: a logged-in browser-like client, the page's CSRF token, rows."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import TypeVar

import httpx2
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.db import make_engine, make_session_factory, transaction
from autopost.settings import Settings
from tests.support.api import Api

T = TypeVar("T")
PASSWORD = "correct-horse-1"


def in_database(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in one committed transaction on the app's database (sync tests)."""

    async def run() -> T:
        engine = make_engine(settings.resolved_database_url)
        try:
            async with transaction(make_session_factory(engine)) as session:
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(run())


@contextmanager
def login(api: Api, email: str, password: str = PASSWORD, **headers: str) -> Iterator[httpx2.Client]:
    """A client holding a session cookie, as a browser would after the login form."""
    with httpx2.Client(base_url=api.url, timeout=30, headers=headers) as client:
        response = client.post("/login", data={"email": email, "password": password, "next": "/"})
        assert response.status_code == 303, response.text
        yield client


def csrf_of(page: str) -> str:
    match = re.search(r"hx-headers='([^']+)'", page)
    assert match, "the page carries no CSRF header for HTMX"
    return str(json.loads(match.group(1).replace("&#34;", '"'))["X-CSRF-Token"])


def htmx(client: httpx2.Client, csrf: str) -> dict[str, str]:
    return {"HX-Request": "true", "X-CSRF-Token": csrf}


def local_time(minutes_ahead: int, zone: str = "Europe/Moscow") -> str:
    """A datetime-local value in the user's zone, as the browser's picker sends it."""
    from zoneinfo import ZoneInfo

    return (datetime.now(UTC) + timedelta(minutes=minutes_ahead)).astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


class _VisibleText(HTMLParser):
    """The text a person reads: no scripts, styles, attributes other than labels people hear."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("aria-label", "title", "placeholder", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(page: str) -> str:
    parser = _VisibleText()
    parser.feed(page)
    return " ".join(" ".join(parser.parts).split())


# Latin words allowed on the Russian pages: platform names and what the user must type literally.
LATIN_ALLOWED = {"VK", "Rutube", "Telegram", "UTC", "BotFather", "newbot"}


def english_words(text: str, allowed: set[str] | None = None) -> set[str]:
    allowed = LATIN_ALLOWED | (allowed or set())
    return {w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in allowed}


def form_ids(page: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" value="([0-9a-f-]{{36}})"', page)
