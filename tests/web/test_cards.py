"""The clip card in every publication state, and the polling that keeps it live."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from autopost.platforms.catalog import Platform
from autopost.publications.models import Phase, PublicationStatus
from tests.support.api import Api
from tests.web.support import (
    add_publication,
    add_snapshots,
    csrf_of,
    english_words,
    htmx,
    login,
    new_user,
    set_meta,
    visible_text,
)


def test_published_card_shows_link_stats_and_sparkline(api: Api) -> None:
    email, token = new_user(api)
    vk = api.add_connection(email, Platform.VK)
    clip = str(api.upload_clip(token)["id"])
    publication = add_publication(
        api,
        email,
        clip,
        vk,
        status=PublicationStatus.PUBLISHED,
        phase=Phase.DONE,
        progress=100,
        remote_url="https://vk.com/clip-1_2",
        published_at=datetime.now(UTC) - timedelta(hours=3),
        views=12345,
        likes=210,
        shares=18,
    )
    add_snapshots(api, publication, [100, 900, 5000, 12345])
    with login(api, email) as client:
        page = client.get("/").text
    text = visible_text(page)
    assert "Опубликовано" in text
    assert 'href="https://vk.com/clip-1_2" target="_blank" rel="noopener noreferrer"' in page
    assert "12\u202f345" in page and "210" in text and "18" in text
    assert '<svg class="spark"' in page and "<polyline" in page
    assert "every 2s" not in page
    assert not english_words(text, allowed={"vk", "demo"})


def test_telegram_private_channel_says_stats_are_unavailable(api: Api) -> None:
    email, token = new_user(api)
    channel = api.add_connection(email, Platform.TELEGRAM, "-1001000000002")
    set_meta(api, channel, channel="-1001000000002", channel_username=None)
    clip = str(api.upload_clip(token)["id"])
    add_publication(
        api,
        email,
        clip,
        channel,
        status=PublicationStatus.PUBLISHED,
        phase=Phase.DONE,
        remote_url="https://t.me/c/1/2",
    )
    with login(api, email) as client:
        assert "Статистика недоступна" in client.get("/").text


def test_failed_publication_shows_the_reason_and_retry_puts_it_back_in_the_queue(api: Api) -> None:
    email, token = new_user(api)
    rutube = api.add_connection(email, Platform.RUTUBE)
    clip = str(api.upload_clip(token)["id"])
    publication = add_publication(
        api,
        email,
        clip,
        rutube,
        status=PublicationStatus.FAILED,
        error_code="attempts_exhausted",
        error_params={"platform": "rutube", "attempts": 3, "cause": "rutube.unavailable"},
    )
    with login(api, email) as client:
        page = client.get("/").text
        assert "Ошибка: Rutube не отвечает: попытки закончились (3)" in visible_text(page)
        assert f'id="retry-card-{publication}"' in page
        retried = client.post(
            f"/publications/{publication}/retry", data={"view": "card"}, headers=htmx(client, csrf_of(page))
        )
        assert retried.status_code == 200
        text = visible_text(retried.text)
        assert "В очереди" in text and "Публикация снова поставлена в очередь" in text
        assert 'hx-trigger="every 2s"' in retried.text, "a queued publication is watched live"
        again = client.post(
            f"/publications/{publication}/retry", data={"view": "card"}, headers=htmx(client, csrf_of(page))
        )
        assert "Повторить можно только публикацию с ошибкой" in again.text


def test_publishing_card_shows_progress_and_polls(api: Api) -> None:
    email, token = new_user(api)
    dzen = api.add_connection(email, Platform.DZEN)
    clip = str(api.upload_clip(token)["id"])
    add_publication(
        api, email, clip, dzen, status=PublicationStatus.PUBLISHING, phase=Phase.UPLOADING, progress=42
    )
    with login(api, email) as client:
        card = client.get(f"/clips/{clip}/card").text
    assert "Публикация… 42\u00a0%" in card
    assert '<progress class="bar" value="42" max="100"' in card
    assert f'hx-get="/clips/{clip}/card" hx-trigger="every 2s"' in card


def test_cancel_from_the_card_and_from_the_table(api: Api) -> None:
    email, token = new_user(api)
    vk = api.add_connection(email, Platform.VK)
    telegram = api.add_connection(email, Platform.TELEGRAM, "-100")
    clip = str(api.upload_clip(token)["id"])
    later = datetime.now(UTC) + timedelta(days=1)
    first = add_publication(api, email, clip, vk, status=PublicationStatus.SCHEDULED, scheduled_at=later)
    second = add_publication(
        api, email, clip, telegram, status=PublicationStatus.SCHEDULED, scheduled_at=later
    )
    with login(api, email) as client:
        csrf = csrf_of(client.get("/").text)
        card = client.post(f"/publications/{first}/cancel", data={"view": "card"}, headers=htmx(client, csrf))
        assert "Отменено" in visible_text(card.text) and "Публикация отменена" in card.text
        row = client.post(f"/publications/{second}/cancel", data={"view": "row"}, headers=htmx(client, csrf))
        assert row.text.lstrip().startswith("<tr") and "Отменено" in row.text
        states = {p["id"]: p["status"] for p in client.get("/api/v1/publications").json()}
    assert states == {first: "cancelled", second: "cancelled"}


def test_reschedule_dialog_moves_the_time_in_the_users_zone(api: Api) -> None:
    email, token = new_user(api)
    vk = api.add_connection(email, Platform.VK)
    uploaded = api.upload_clip(token)
    clip = str(uploaded["id"])
    publication = add_publication(
        api,
        email,
        clip,
        vk,
        status=PublicationStatus.SCHEDULED,
        scheduled_at=datetime(2031, 1, 2, 12, 0, tzinfo=UTC),
    )
    with login(api, email) as client:
        csrf = csrf_of(client.get("/").text)
        dialog = client.get(f"/publications/{publication}/reschedule?view=card").text
        assert 'value="2031-01-02T15:00"' in dialog, "Moscow is UTC+3"
        # It names what is moved: the clip and the account, not just "the publication".
        account = client.get(f"/api/v1/connections/{vk}").json()["account_name"]
        assert f"«{uploaded['title']}»" in visible_text(dialog) and account in visible_text(dialog)
        moved = client.post(
            f"/publications/{publication}/reschedule",
            data={"scheduled_at": "2031-01-03T09:30", "view": "card"},
            headers=htmx(client, csrf),
        )
        assert "Запланировано на 03.01.2031 09:30" in visible_text(moved.text)
        assert 'hx-swap-oob="true"' in moved.text
        stored = client.get(f"/api/v1/publications/{publication}").json()["scheduled_at"]
    assert datetime.fromisoformat(stored) == datetime(2031, 1, 3, 6, 30, tzinfo=UTC)
