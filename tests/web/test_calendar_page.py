"""Календарь: the period in the workspace's zone, conflicts, and moves through the page."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from autopost.platforms.catalog import Platform
from autopost.publications.models import Publication, PublicationStatus
from autopost.web.pages_calendar import MONTH_DAY_CHIPS
from tests.support.api import Api
from tests.web.support import (
    add_publication,
    add_publications,
    csrf_of,
    english_words,
    htmx,
    in_database,
    login,
    new_user,
    visible_text,
)
from tests.workspaces.support import add_member, workspace_of

MOSCOW = ZoneInfo("Europe/Moscow")


def _moscow(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=MOSCOW)


def _scheduled(api: Api, email: str, clip: str, connection: str, at: str) -> str:
    return add_publication(
        api, email, clip, connection, status=PublicationStatus.SCHEDULED, scheduled_at=_moscow(at)
    )


def _chips(page: str) -> list[str]:
    return re.findall(r'id="chip-([0-9a-f-]{36})"', page)


def _scheduled_at(api: Api, publication_id: str) -> datetime:
    async def work(session: AsyncSession) -> datetime:
        publication = await session.get(Publication, uuid.UUID(publication_id))
        assert publication is not None and publication.scheduled_at is not None
        return publication.scheduled_at

    return in_database(api.settings, work).astimezone(MOSCOW)


def _chip_html(page: str, publication_id: str) -> str:
    match = re.search(rf'<button type="button" id="chip-{publication_id}"[^>]*>', page)
    assert match, publication_id
    return match.group(0)


def test_a_month_is_the_workspaces_month_and_a_week_runs_monday_to_sunday(api: Api) -> None:
    email, token = new_user(api)
    vk = api.add_connection(email, Platform.VK)
    clip = str(api.upload_clip(token, title="Вебинар")["id"])
    # 23:30 Moscow on 31 January is 20:30 UTC: January's; 00:30 on 1 February is still 31 January in UTC.
    last_evening = _scheduled(api, email, clip, vk, "2027-01-31T23:30")
    other = str(api.upload_clip(token, title="Второй")["id"])
    first_night = _scheduled(api, email, other, vk, "2027-02-01T00:30")
    published = add_publication(
        api,
        email,
        str(api.upload_clip(token)["id"]),
        vk,
        status=PublicationStatus.PUBLISHED,
        published_at=datetime(2027, 1, 15, 9, 0, tzinfo=UTC),
    )
    cancelled = add_publication(
        api, email, other, vk, status=PublicationStatus.CANCELLED, scheduled_at=_moscow("2027-01-20T10:00")
    )
    with login(api, email) as client:
        january = client.get("/calendar?view=month&date=2027-01-17").text
        february = client.get("/calendar?view=month&date=2027-02-01").text
        week = client.get("/calendar?view=week&date=2027-01-31").text  # a Sunday
        next_week = client.get("/calendar?view=week&date=2027-02-01").text
        nonsense = client.get("/calendar?view=year&date=yesterday")
    assert set(_chips(january)) == {last_evening, published}
    assert cancelled not in january
    assert _chips(february) == [first_night]
    assert _chips(week) == [last_evening] and _chips(next_week) == [first_night]
    assert 'data-day="2027-01-31"' in week and 'data-day="2027-01-25"' in week  # Monday 25 January
    assert 'data-day="2027-02-01"' not in week
    assert "23:30" in _chips_text(january, last_evening)
    assert 'href="/calendar?view=month&amp;date=2026-12-01"' in january  # previous month
    assert 'href="/calendar?view=month&amp;date=2027-02-01"' in january  # next month
    assert nonsense.status_code == 200 and "calendar-week" in nonsense.text
    assert "Январь 2027" in january and "Москва, UTC+3" in january
    assert not english_words(visible_text(january), allowed={"vk", "demo", "Shift", "Enter"})  # key names


def test_a_busy_day_of_a_month_shows_its_first_chips_and_links_to_its_week(api: Api) -> None:
    email, token = new_user(api)
    vk = api.add_connection(email, Platform.VK)
    clip = str(api.upload_clip(token)["id"])
    # Failed ones: any number of them may share a clip and an account.
    many = MONTH_DAY_CHIPS + 2
    made = add_publications(
        api, email, clip, vk, many, status=PublicationStatus.FAILED, scheduled_at=_moscow("2027-03-10T12:00")
    )
    other_day = _scheduled(api, email, str(api.upload_clip(token)["id"]), vk, "2027-03-11T09:00")
    with login(api, email) as client:
        month = client.get("/calendar?view=month&date=2027-03-01").text
        week = client.get("/calendar?view=week&date=2027-03-10").text
    shown = _chips(month)
    assert len(shown) == MONTH_DAY_CHIPS + 1 and other_day in shown
    assert set(shown) - {other_day} < set(made)
    assert 'href="/calendar?view=week&amp;date=2027-03-10"' in month
    assert "ещё 2 — в неделе" in visible_text(month)
    assert set(_chips(week)) == {*made, other_day}
    assert "в неделе" not in visible_text(week)


def _chips_text(page: str, publication_id: str) -> str:
    start = page.index(f'id="chip-{publication_id}"')
    return visible_text(page[start : page.index("</button>", start)])


def test_two_clips_in_one_hour_on_one_account_are_a_conflict(api: Api) -> None:
    email, token = new_user(api)
    vk, telegram = api.add_connection(email, Platform.VK), api.add_connection(email, Platform.TELEGRAM)
    clips = [str(api.upload_clip(token, title=f"Клип {n}")["id"]) for n in range(3)]
    first = _scheduled(api, email, clips[0], vk, "2027-03-10T18:05")
    second = _scheduled(api, email, clips[1], vk, "2027-03-10T18:50")
    next_hour = _scheduled(api, email, clips[2], vk, "2027-03-10T19:00")
    other_account = _scheduled(api, email, clips[2], telegram, "2027-03-10T18:30")
    failed = add_publication(
        api,
        email,
        clips[0],
        telegram,
        status=PublicationStatus.FAILED,
        scheduled_at=_moscow("2027-03-10T18:10"),
    )
    with login(api, email) as client:
        page = client.get("/calendar?view=week&date=2027-03-10").text
    conflicted = {p for p in _chips(page) if "chip-conflict" in _chip_html(page, p)}
    assert conflicted == {first, second}
    assert {next_hour, other_account, failed} <= set(_chips(page))
    assert "2 публикации делят свой час на своём аккаунте с другим клипом." in visible_text(page)


def _move(client, csrf: str, publication: str, day: str, scope: str = "one"):  # type: ignore[no-untyped-def]
    return client.post(
        "/calendar/move",
        data={"publication_id": publication, "day": day, "scope": scope, "view": "week"},
        headers=htmx(client, csrf),
    )


def test_a_drop_moves_one_publication_or_the_clip_everywhere_keeping_its_offsets(api: Api) -> None:
    email, token = new_user(api)
    vk, telegram = api.add_connection(email, Platform.VK), api.add_connection(email, Platform.TELEGRAM)
    clip = str(api.upload_clip(token, title="Вебинар")["id"])
    on_vk = _scheduled(api, email, clip, vk, "2027-04-05T18:00")
    on_telegram = _scheduled(api, email, clip, telegram, "2027-04-05T19:30")
    with login(api, email) as client:
        csrf = csrf_of(client.get("/calendar").text)
        one = _move(client, csrf, on_vk, "2027-04-07")
        assert one.status_code == 200 and "Публикация перенесена" in one.text
        assert _scheduled_at(api, on_vk) == _moscow("2027-04-07T18:00")
        assert _scheduled_at(api, on_telegram) == _moscow("2027-04-05T19:30")
        assert f'data-focus="chip-{on_vk}"' in one.text and 'data-day="2027-04-07"' in one.text

        everywhere = _move(client, csrf, on_telegram, "2027-04-08", scope="clip")
        assert "Клип перенесён на всех платформах (2)" in everywhere.text
        # Telegram moved three days: VK (two days later than Telegram) moves three days too.
        assert _scheduled_at(api, on_telegram) == _moscow("2027-04-08T19:30")
        assert _scheduled_at(api, on_vk) == _moscow("2027-04-10T18:00")

        past = _move(client, csrf, on_vk, "2020-01-01", scope="clip")
        assert "notice-error" in past.text
        assert _scheduled_at(api, on_vk) == _moscow("2027-04-10T18:00")
        assert _scheduled_at(api, on_telegram) == _moscow("2027-04-08T19:30")

        panel = client.get(f"/calendar/publications/{on_vk}?view=week", headers=htmx(client, csrf))
        assert "Перенести…" in panel.text and f'id="clip-{clip}"' in panel.text
        typed = client.post(
            f"/calendar/publications/{on_vk}/move",
            data={"scheduled_at": "2027-04-12T08:15", "scope": "one", "view": "week"},
            headers=htmx(client, csrf),
        )
        assert typed.status_code == 200 and 'hx-swap-oob="true"' in typed.text
        assert 'data-day="2027-04-12"' in typed.text  # the calendar follows it into the next week
        assert _scheduled_at(api, on_vk) == _moscow("2027-04-12T08:15")


def test_foreign_ids_are_not_found_and_a_viewer_sees_no_drag_handles_and_may_not_move(api: Api) -> None:
    owner_email, owner_token = new_user(api)
    vk = api.add_connection(owner_email, Platform.VK)
    clip = str(api.upload_clip(owner_token)["id"])
    publication = _scheduled(api, owner_email, clip, vk, "2027-05-03T12:00")
    stranger, _ = new_user(api)
    viewer_email, _ = new_user(api)
    add_member(api, owner_token, workspace_of(api, owner_token), viewer_email, "viewer")
    with login(api, stranger) as client:
        csrf = csrf_of(client.get("/calendar").text)
        assert _move(client, csrf, publication, "2027-05-04").status_code == 404
        assert (
            client.get(f"/calendar/publications/{publication}", headers=htmx(client, csrf)).status_code == 404
        )
        assert publication not in client.get("/calendar?date=2027-05-03").text
    with login(api, viewer_email) as client:
        csrf = csrf_of(client.get("/").text)
        client.post(
            "/workspaces/switch",
            data={"workspace_id": workspace_of(api, owner_token)},
            headers=htmx(client, csrf),
        )
        page = client.get("/calendar?date=2027-05-03").text
        assert _chips(page) == [publication]
        assert "draggable" not in page and 'id="calendar-move"' not in page
        refused = _move(client, csrf, publication, "2027-05-04")
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "role_forbids"
        panel = client.get(f"/calendar/publications/{publication}", headers=htmx(client, csrf)).text
        assert "Перенести…" not in panel
    assert _scheduled_at(api, publication) == _moscow("2027-05-03T12:00")


def test_moving_the_clip_leaves_what_is_already_publishing_or_published(api: Api) -> None:
    email, token = new_user(api)
    vk, telegram = api.add_connection(email, Platform.VK), api.add_connection(email, Platform.TELEGRAM)
    rutube = api.add_connection(email, Platform.RUTUBE)
    clip = str(api.upload_clip(token)["id"])
    on_vk = _scheduled(api, email, clip, vk, "2027-06-01T10:00")
    running = add_publication(
        api,
        email,
        clip,
        telegram,
        status=PublicationStatus.PUBLISHING,
        scheduled_at=_moscow("2027-06-01T11:00"),
    )
    done = add_publication(
        api, email, clip, rutube, status=PublicationStatus.PUBLISHED, published_at=_moscow("2027-06-01T09:00")
    )
    with login(api, email) as client:
        page = client.get("/calendar?date=2027-06-01").text
        assert set(_chips(page)) == {on_vk, running, done}
        assert "draggable" in _chip_html(page, on_vk)
        assert "draggable" not in _chip_html(page, running) + _chip_html(page, done)
        moved = _move(client, csrf_of(page), on_vk, "2027-06-03", scope="clip")
    assert "Клип перенесён на всех платформах (1)" in moved.text
    assert _scheduled_at(api, on_vk) == _moscow("2027-06-03T10:00")
    assert _scheduled_at(api, running) == _moscow("2027-06-01T11:00")
