"""A reader of English sees no Russian: every page, dialog, notice and API error, with data in every state.

User content is made in Latin letters here, so any Cyrillic letter in a response is a text of
ours that was not translated (a stored sentence, a unit such as «МБ», a platform name such as
«Дзен»). The only Russian allowed is the language switch's «Русский» (marked lang="ru").
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx2
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.connections.models import Connection, ConnectionStatus
from autopost.platforms.catalog import Platform
from autopost.publications.events import EventKind, record_event
from autopost.publications.models import Phase, Publication, PublicationStatus
from autopost.users.models import User
from autopost.users.plans import Plan
from tests.support.api import Api
from tests.web.support import (
    PASSWORD,
    add_publication,
    csrf_of,
    htmx,
    in_database,
    local_time,
    login,
    new_user,
    set_meta,
)

CYRILLIC = re.compile("[А-Яа-яЁё]+")
LANGUAGE_SWITCH = re.compile(r'<button[^>]*lang="ru"[^>]*>Русский</button>')
ENGLISH = {"Accept-Language": "en"}


def russian_in(body: str) -> list[str]:
    """Cyrillic words in a response (HTML or JSON, escapes decoded), the language switch aside."""
    if body.lstrip().startswith(("{", "[")):
        body = json.dumps(json.loads(body), ensure_ascii=False)
    return CYRILLIC.findall(LANGUAGE_SWITCH.sub("", body))


def assert_english(response: httpx2.Response, what: str) -> None:
    assert not russian_in(response.text), f"{what} ({response.status_code}): {russian_in(response.text)}"


@dataclass
class World:
    email: str
    token: str
    clips: list[str]
    connections: dict[str, str]
    publications: dict[str, str] = field(default_factory=dict)


def _english_user(api: Api, plan: Plan = Plan.PRO) -> tuple[str, str]:
    email, token = new_user(api, plan)

    async def work(session: AsyncSession) -> None:
        await session.execute(update(User).where(User.email == email).values(locale="en"))

    in_database(api.settings, work)
    return email, token


def _needs_reconnect(api: Api, connection_id: str) -> None:
    async def work(session: AsyncSession) -> None:
        await session.execute(
            update(Connection)
            .where(Connection.id == uuid.UUID(connection_id))
            .values(status=ConnectionStatus.NEEDS_RECONNECT, last_error_code="token_expired")
        )

    in_database(api.settings, work)


def _history(api: Api, publication_id: str) -> None:
    """The events the engine writes for a publication that retried, then failed for good."""

    async def work(session: AsyncSession) -> None:
        publication = await session.get(Publication, uuid.UUID(publication_id))
        assert publication is not None
        failure = {"code": "clip_missing", "params": {"platform": "dzen"}}
        record_event(session, publication, EventKind.CREATED)
        record_event(session, publication, EventKind.STARTED, attempt=1, worker="test")
        record_event(session, publication, EventKind.RATE_LIMITED, retry_after=3)
        record_event(session, publication, EventKind.TOKEN_REFRESHED)
        record_event(
            session, publication, EventKind.RETRY_SCHEDULED, **failure, at="2031-01-01T00:00:00+00:00"
        )
        record_event(session, publication, EventKind.REQUEUED, job_state="missing")
        record_event(session, publication, EventKind.PROCESSING)
        record_event(
            session,
            publication,
            EventKind.FAILED,
            code="attempts_exhausted",
            params={"platform": "dzen", "attempts": 4, "cause": "dzen.unavailable"},
        )
        record_event(session, publication, EventKind.CANCELLED, by="disconnect")

    in_database(api.settings, work)


def _world(api: Api) -> World:
    email, token = _english_user(api)
    connections = {
        "vk": api.add_connection(email, Platform.VK, "1"),
        "vk_broken": api.add_connection(email, Platform.VK, "-77"),
        "dzen": api.add_connection(email, Platform.DZEN, "dzen-1"),
        "rutube": api.add_connection(email, Platform.RUTUBE, "rt-1"),
        "telegram": api.add_connection(email, Platform.TELEGRAM, "-100"),
    }
    _needs_reconnect(api, connections["vk_broken"])
    set_meta(api, connections["telegram"], channel="@demo_channel", bot_username="demo_bot")
    set_meta(api, connections["rutube"], identified_by="token")
    world = World(email, token, [], connections)
    soon, later = datetime.now(UTC) + timedelta(minutes=3), datetime.now(UTC) + timedelta(days=3)
    states: dict[str, tuple[str, dict[str, object]]] = {
        "published": (
            "telegram",
            {
                "status": PublicationStatus.PUBLISHED,
                "published_at": datetime.now(UTC) - timedelta(hours=2),
                "remote_url": "https://t.me/demo_channel/2",
                "views": 12345,
                "likes": 10,
                "last_stats_sync_at": datetime.now(UTC) - timedelta(minutes=5),
            },
        ),
        "published_pending": (
            "vk",
            {"status": PublicationStatus.PUBLISHED, "remote_url": "https://vk.com/clip1"},
        ),
        "failed_platform": (
            "dzen",
            {
                "status": PublicationStatus.FAILED,
                "error_code": "token_expired",
                "error_params": {"platform": "dzen"},
            },
        ),
        "failed_exhausted": (
            "rutube",
            {
                "status": PublicationStatus.FAILED,
                "error_code": "attempts_exhausted",
                "error_params": {"platform": "dzen", "attempts": 4, "cause": "dzen.unavailable"},
            },
        ),
        # Platform codes (their texts live in platforms/messages.py): «Бот не является админом канала»,
        # «Дзен временно недоступен…» must read in English.
        "failed_not_admin": (
            "telegram",
            {"status": PublicationStatus.FAILED, "error_code": "telegram.not_admin"},
        ),
        "retrying_dzen": (
            "dzen",
            {"status": PublicationStatus.SCHEDULED, "scheduled_at": soon, "error_code": "dzen.unavailable"},
        ),
        "failed_legacy": (
            "vk",
            {
                "status": PublicationStatus.FAILED,
                "error_code": "legacy",
                "error_params": {"text": "Old failure"},
            },
        ),
        "scheduled": ("dzen", {"status": PublicationStatus.SCHEDULED, "scheduled_at": later}),
        "retrying": (
            "telegram",
            {
                "status": PublicationStatus.SCHEDULED,
                "scheduled_at": soon,
                "error_code": "refresh_busy",
                "error_params": {"platform": "telegram"},
            },
        ),
        "rutube_scheduled": ("rutube", {"status": PublicationStatus.SCHEDULED, "scheduled_at": later}),
        "queued": ("vk", {"status": PublicationStatus.SCHEDULED}),
        "publishing": (
            "telegram",
            {"status": PublicationStatus.PUBLISHING, "phase": Phase.UPLOADING, "progress": 40},
        ),
        "processing": ("dzen", {"status": PublicationStatus.PUBLISHING, "phase": Phase.PROCESSING}),
        "cancelled": ("dzen", {"status": PublicationStatus.CANCELLED}),
    }
    # One clip per publication: a clip has one live publication per account.
    for n, (name, (platform, values)) in enumerate(states.items()):
        world.clips.append(str(api.upload_clip(token, title=f"Lesson {n}")["id"]))
        world.publications[name] = add_publication(
            api, email, world.clips[-1], connections[platform], **values
        )
    _history(api, world.publications["failed_exhausted"])
    return world


@pytest.fixture(scope="module")
def world(api: Api) -> Iterator[World]:
    yield _world(api)


def test_every_page_and_fragment_reads_in_english(api: Api, world: World) -> None:
    publications, connections = world.publications, world.connections
    pages = [
        "/",
        "/publications",
        "/publications?tab=history",
        "/publications?tab=history&status=failed&platform=dzen",
        "/publications?tab=scheduled&platform=dzen",
        "/settings/platforms",
        "/settings/platforms?connected=dzen",
        "/settings/platforms?error=oauth_denied&platform=vk",
        "/settings/platforms?error=oauth_not_configured&platform=vk",
        "/settings/platforms?error=dzen.something_odd&platform=dzen",
        "/settings/notifications",
        *(f"/clips/{clip}/card" for clip in world.clips),
        f"/clips/{world.clips[0]}/publish",
        f"/clips/{world.clips[0]}/publish?mode=later",
        f"/publications/{publications['scheduled']}/reschedule?view=row",
        f"/publications/{publications['scheduled']}/reschedule?view=card",
        f"/settings/connections/{connections['dzen']}/disconnect",
        f"/settings/connections/{connections['vk_broken']}/disconnect",
        *(f"/publications/{p}/row" for p in publications.values()),
        "/calendar",
        "/calendar?view=month",
        *(f"/calendar/publications/{publications[n]}" for n in ("scheduled", "failed_legacy", "publishing")),
        f"/clips/{uuid.uuid4()}/card",  # not found
        "/stats",
        "/stats?days=7",
        "/stats?from=2026-13-01",  # a refusal in the notice area
    ]
    with login(api, world.email) as client:
        client.headers.update(ENGLISH)
        for path in pages:
            response = client.get(path)
            assert response.status_code in (200, 404), path
            assert_english(response, path)
        page = client.get("/settings/platforms").text
        assert "Dzen" in page and "files up to 4 GB" in page and "Needs reconnecting" in page
        assert "The token has expired, reconnect the platform" in page
        history = client.get("/publications?tab=history").text
        assert "Dzen is not responding: all attempts are used up (4)" in history


def test_every_action_and_refusal_on_the_pages_reads_in_english(api: Api, world: World) -> None:
    publications = world.publications
    with login(api, world.email) as client:
        client.headers.update(ENGLISH)
        headers = htmx(client, csrf_of(client.get("/").text))
        clip = world.clips[1]
        posts = [
            (f"/clips/{clip}/publish", {"when": "now"}),  # nothing chosen
            (
                f"/clips/{clip}/publish",
                {"when": "later", "scheduled_at": "", "account": world.connections["vk"]},
            ),
            (
                f"/clips/{clip}/publish",
                {"when": "later", "scheduled_at": local_time(-60), "account": world.connections["vk"]},
            ),
            (f"/clips/{clip}/publish", {"when": "now", "account": world.connections["dzen"]}),
            (f"/publications/{publications['published']}/cancel", {"view": "row"}),
            (f"/publications/{publications['published']}/retry", {"view": "card"}),
            (f"/publications/{publications['queued']}/reschedule", {"view": "row", "scheduled_at": "soon"}),
            (
                f"/publications/{publications['published']}/reschedule",
                {"view": "row", "scheduled_at": local_time(60 * 24)},
            ),
            (
                f"/publications/{publications['scheduled']}/reschedule",
                {"view": "card", "scheduled_at": local_time(60 * 48)},
            ),
            (f"/publications/{publications['scheduled']}/cancel", {"view": "card"}),
            (f"/publications/{publications['failed_legacy']}/retry", {"view": "row"}),
            ("/settings/platforms/telegram/connect", {"bot_token": "", "channel": ""}),
            ("/settings/platforms/rutube/connect", {"mode": "password", "username": "x"}),
            ("/settings/platforms/dzen/session", {"session": "not a cookie export"}),
            (f"/settings/connections/{world.connections['rutube']}/disconnect", {}),
        ]
        for path, data in posts:
            response = client.post(path, data=data, headers=headers)
            assert response.status_code == 200, (path, response.text[:300])
            assert_english(response, path)
        stale = client.post(
            f"/publications/{publications['queued']}/cancel",
            data={"view": "row"},
            headers={"HX-Request": "true", "X-CSRF-Token": "stale"},
        )
        assert_english(stale, "stale CSRF")
        oauth = client.post("/settings/platforms/vk/oauth", data={"csrf_token": headers["X-CSRF-Token"]})
        assert oauth.status_code == 303
        if oauth.headers["location"].startswith("/"):  # refused: the page says why
            assert_english(client.get(oauth.headers["location"]), oauth.headers["location"])


def test_login_and_error_pages_read_in_english(api: Api) -> None:
    email, _ = _english_user(api)
    with api.client(**ENGLISH) as client:
        assert_english(client.get("/login"), "login page")
        wrong = client.post("/login", data={"email": email, "password": "nope", "next": "/"})
        assert "Wrong email address or password" in wrong.text
        assert_english(wrong, "wrong password")
        forged = client.post(
            "/login", data={"email": email, "password": PASSWORD}, headers={"Origin": "https://evil.example"}
        )
        assert_english(forged, "login CSRF")


def test_a_start_plan_reader_sees_the_upgrade_prompts_in_english(api: Api) -> None:
    email, token = _english_user(api, Plan.START)
    api.add_connection(email, Platform.VK)
    clip = api.upload_clip(token, title="Plan demo")
    with login(api, email) as client:
        client.headers.update(ENGLISH)
        settings = client.get("/settings/platforms")
        assert "is not included in your Start plan" in settings.text
        assert_english(settings, "settings on Start")
        dialog = client.get(f"/clips/{clip['id']}/publish")
        assert "Not included in the Start plan" in dialog.text
        assert_english(dialog, "publish dialog on Start")
    with api.client(token, **ENGLISH) as client:
        platforms = client.get("/api/v1/platforms")
        assert [p["name"] for p in platforms.json()] == ["VK", "Rutube", "Dzen", "Telegram"]
        assert_english(platforms, "platforms on Start")


def test_every_api_answer_and_error_reads_in_english(api: Api, world: World) -> None:
    stranger_email, stranger_token = new_user(api)
    foreign_clip = str(api.upload_clip(stranger_token, title="Foreign")["id"])
    publications = world.publications
    with api.client(world.token, **ENGLISH) as client:
        for path in (
            "/api/v1/publications",
            "/api/v1/connections",
            "/api/v1/platforms",
            "/api/v1/clips",
            "/openapi.json",
            *(f"/api/v1/publications/{p}" for p in publications.values()),
        ):
            response = client.get(path)
            assert response.status_code == 200, path
            assert_english(response, path)
        detail = client.get(f"/api/v1/publications/{publications['failed_exhausted']}").json()
        assert (
            detail["error_message"]
            == "Dzen is not responding: all attempts are used up (4). Press “Retry” later"
        )
        assert len(detail["events"]) == 9 and all(event["message"] for event in detail["events"])
        errors = [
            client.get(f"/api/v1/clips/{foreign_clip}"),  # 404: another user's clip
            client.post(f"/api/v1/clips/{foreign_clip}/publish", json={"targets": []}),  # 422
            client.post(
                f"/api/v1/clips/{world.clips[0]}/publish", json={"targets": [{"connection_id": "x"}]}
            ),
            client.post(
                f"/api/v1/clips/{world.clips[0]}/publish",
                json={"targets": [{"connection_id": world.connections["vk_broken"]}]},
            ),  # 422: needs reconnect
            client.post(
                f"/api/v1/clips/{world.clips[0]}/publish",
                json={
                    "targets": [{"connection_id": world.connections["vk"]}],
                    "scheduled_at": "2020-01-01T00:00:00+00:00",
                },
            ),  # 422: too soon
            client.post(f"/api/v1/publications/{publications['published']}/cancel"),  # 409
            client.post(f"/api/v1/publications/{publications['scheduled']}/retry"),  # 409
            client.patch(
                f"/api/v1/publications/{publications['cancelled']}",
                json={"scheduled_at": "2031-01-01T10:00:00+03:00"},
            ),  # 409
            client.post("/api/v1/connections", json={"platform": "vk", "token": "x"}),  # OAuth only
            client.post("/api/v1/connections", json={"platform": "telegram"}),  # 422: the schema's own check
            client.post("/api/v1/connections", json={"platform": "rutube"}),
        ]
        codes = {response.status_code for response in errors}
        assert {404, 409, 422} <= codes, codes
        for response in errors:
            assert_english(response, f"{response.request.method} {response.request.url.path}")
    with api.client(**ENGLISH) as anonymous:
        unauthenticated = anonymous.get("/api/v1/publications")
        assert unauthenticated.status_code == 401
        assert_english(unauthenticated, "401")
    with api.client(stranger_token, **ENGLISH) as client:
        body = {"targets": [{"connection_id": str(uuid.uuid4())}]}
        limited = [client.post(f"/api/v1/clips/{uuid.uuid4()}/publish", json=body) for _ in range(25)]
        assert limited[-1].status_code == 429
        assert_english(limited[-1], "429")
    assert stranger_email
