"""Helpers for the page tests: a logged-in browser-like client, the page's CSRF token, rows."""

from __future__ import annotations

import asyncio
import functools
import json
import re
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import TypeVar

import httpx2
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.db import make_engine, make_session_factory, transaction
from autopost.security.passwords import hash_password
from autopost.security.sessions import SESSION_COOKIE
from autopost.settings import Settings
from autopost.users.models import User
from autopost.users.plans import Plan
from autopost.users.service import create_api_token, get_user_by_email
from autopost.users.sessions import start_session
from autopost.workspaces.usecases import create_workspace
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
def login(api: Api, email: str, *, through_form: bool = False) -> Iterator[httpx2.Client]:
    """A client holding a session cookie, as a browser has after the login form.

    The session is stored directly unless `through_form`: verifying a password
    costs an Argon2 hash, and the form itself has its own tests.
    """
    with httpx2.Client(base_url=api.url, timeout=30) as client:
        if through_form:
            response = client.post("/login", data={"email": email, "password": PASSWORD, "next": "/"})
            assert response.status_code == 303, response.text
        else:
            client.cookies.set(SESSION_COOKIE, session_cookie(api, email), domain="127.0.0.1")
        yield client


def session_cookie(api: Api, email: str) -> str:
    """A new session of the user, stored as the login form stores it; returns the cookie value."""

    async def work(session: AsyncSession) -> str:
        user = await get_user_by_email(session, email)
        assert user is not None
        return await start_session(session, user, user_agent="tests")

    return in_database(api.settings, work)


@functools.cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


def new_user(api: Api, plan: Plan = Plan.PRO) -> tuple[str, str]:
    """Like Api.new_user (returns email and API token), hashing the shared password only once."""
    email = f"{uuid.uuid4().hex[:10]}@example.com"

    async def work(session: AsyncSession) -> str:
        user = User(email=email, password_hash=_password_hash())
        session.add(user)
        await session.flush()
        await create_workspace(session, user, email, plan=plan, workspace_id=user.id)
        return await create_api_token(session, user, "test")

    return email, in_database(api.settings, work)


def csrf_of(page: str) -> str:
    match = re.search(r"hx-headers='([^']+)'", page)
    assert match, "the page carries no CSRF header for HTMX"
    return str(json.loads(match.group(1).replace("&#34;", '"'))["X-CSRF-Token"])


def htmx(client: httpx2.Client, csrf: str) -> dict[str, str]:
    return {"HX-Request": "true", "X-CSRF-Token": csrf}


def local_time(minutes_ahead: int, zone: str = "Europe/Moscow") -> str:
    """A datetime-local value in the user's zone, as the browser's picker sends it."""
    from zoneinfo import ZoneInfo

    return (
        (datetime.now(UTC) + timedelta(minutes=minutes_ahead))
        .astimezone(ZoneInfo(zone))
        .strftime("%Y-%m-%dT%H:%M")
    )


class _VisibleText(HTMLParser):
    """The text a person reads or hears: no scripts or styles, plus labels, titles and placeholders.

    Text marked as another language (lang="en", the language switch) is left out: it is meant
    to be English, and screen readers are told so.
    """

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if self._skipping or tag in ("script", "style") or (tag != "html" and values.get("lang") == "en"):
            self._skipping.append(tag)
            return
        for name in ("aria-label", "title", "placeholder", "alt"):
            if values.get(name):
                self.parts.append(str(values[name]))

    def handle_endtag(self, tag: str) -> None:
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def visible_text(page: str) -> str:
    parser = _VisibleText()
    parser.feed(page)
    return " ".join(" ".join(parser.parts).split())


# Latin words allowed on the Russian pages: platform names (VK ID is VK's sign-in) and what the user
# must type literally, browsers, sites and the «quoted» names of what the user finds on screen.
LATIN_ALLOWED = {"VK", "ID", "Rutube", "Telegram", "UTC", "BotFather", "newbot"}
LATIN_ALLOWED |= {"Chrome", "Firefox", "Network", "Cookie", "Cookies", "cookies", "vk", "com", "dzen", "ru"}
# The video formats a clip may come in, by their names (the upload area, the not_a_video refusal).
LATIN_ALLOWED |= {"MP", "MOV", "WebM"}


def english_words(text: str, allowed: set[str] | None = None) -> set[str]:
    allowed = LATIN_ALLOWED | (allowed or set())
    text = re.sub(r"\S+@\S+", " ", text)  # e-mail addresses are the user's data
    text = re.sub(r"«[^»]*»", " ", text)
    return {w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in allowed}


def form_ids(page: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" value="([0-9a-f-]{{36}})"', page)


def add_publication(api: Api, email: str, clip_id: str, connection_id: str, **values: object) -> str:
    """A publication row in any state, as the engine would have left it."""
    return add_publications(api, email, clip_id, connection_id, 1, **values)[0]


def add_publications(
    api: Api, email: str, clip_id: str, connection_id: str, count: int, **values: object
) -> list[str]:
    from autopost.connections.models import Connection
    from autopost.publications.models import Publication

    async def work(session: AsyncSession) -> list[str]:
        user = await get_user_by_email(session, email)
        connection = await session.get(Connection, uuid.UUID(connection_id))
        assert user is not None and connection is not None
        made = [
            Publication(
                workspace_id=user.id,
                clip_id=uuid.UUID(clip_id),
                connection_id=connection.id,
                platform=connection.platform,
                **values,
            )
            for _ in range(count)
        ]
        session.add_all(made)
        await session.flush()
        return [str(p.id) for p in made]

    return in_database(api.settings, work)


def add_snapshots(api: Api, publication_id: str, views: list[int]) -> None:
    from autopost.stats.models import StatsSnapshot

    async def work(session: AsyncSession) -> None:
        start = datetime.now(UTC) - timedelta(hours=len(views))
        for index, count in enumerate(views):
            session.add(
                StatsSnapshot(
                    publication_id=uuid.UUID(publication_id),
                    taken_at=start + timedelta(hours=index),
                    views=count,
                    likes=count // 10,
                    shares=count // 100,
                )
            )

    in_database(api.settings, work)


def set_meta(api: Api, connection_id: str, **meta: object) -> None:
    from autopost.connections.models import Connection

    async def work(session: AsyncSession) -> None:
        connection = await session.get(Connection, uuid.UUID(connection_id))
        assert connection is not None
        connection.meta = {**(connection.meta or {}), **meta}

    in_database(api.settings, work)
