"""Публикации: the scheduled and history tabs, filters, paging, live rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from autopost.platforms.catalog import Platform
from autopost.publications.models import Phase, PublicationStatus
from tests.support.api import Api
from tests.web.support import add_publication, add_publications, english_words, login, new_user, visible_text


def _world(api: Api) -> tuple[str, dict[str, str]]:
    email, token = new_user(api)
    vk = api.add_connection(email, Platform.VK)
    telegram = api.add_connection(email, Platform.TELEGRAM, "-100")
    clips = [str(api.upload_clip(token, title=f"Клип {n}")["id"]) for n in range(4)]
    soon = datetime.now(UTC) + timedelta(minutes=2)
    later = datetime.now(UTC) + timedelta(days=2)
    ids = {
        "soon": add_publication(
            api, email, clips[0], vk, status=PublicationStatus.SCHEDULED, scheduled_at=soon
        ),
        "later": add_publication(
            api, email, clips[1], telegram, status=PublicationStatus.SCHEDULED, scheduled_at=later
        ),
        "running": add_publication(
            api, email, clips[2], vk, status=PublicationStatus.PUBLISHING, phase=Phase.UPLOADING, progress=10
        ),
        "failed": add_publication(
            api,
            email,
            clips[3],
            telegram,
            status=PublicationStatus.FAILED,
            error_code="legacy",
            error_params={"text": "Бот не является админом канала"},
        ),
        "done": add_publication(
            api,
            email,
            clips[0],
            telegram,
            status=PublicationStatus.PUBLISHED,
            published_at=datetime.now(UTC) - timedelta(hours=1),
            remote_url="https://t.me/clipmaker_demo/2",
        ),
    }
    return email, ids


def test_tabs_split_upcoming_from_history_and_live_rows_poll(api: Api) -> None:
    email, ids = _world(api)
    with login(api, email) as client:
        upcoming = client.get("/publications").text
        history = client.get("/publications?tab=history").text
    for key in ("soon", "later", "running"):
        assert f'id="row-{ids[key]}"' in upcoming
    for key in ("failed", "done"):
        assert f'id="row-{ids[key]}"' in history and f'id="row-{ids[key]}"' not in upcoming
    assert upcoming.index(ids["running"]) < upcoming.index(ids["soon"]) < upcoming.index(ids["later"])
    assert f'hx-get="/publications/{ids["soon"]}/row" hx-trigger="every 2s"' in upcoming
    assert f'hx-get="/publications/{ids["later"]}/row"' not in upcoming
    assert "Бот не является админом канала" in history and "Повторить" in history
    assert not english_words(
        visible_text(upcoming) + visible_text(history), allowed={"vk", "telegram", "demo"}
    )


def test_filters_by_platform_and_status(api: Api) -> None:
    email, ids = _world(api)
    with login(api, email) as client:
        vk_only = client.get("/publications?tab=scheduled&platform=vk").text
        failed_only = client.get("/publications?tab=history&status=failed").text
        nonsense = client.get("/publications?tab=history&status=bogus&platform=myspace")
    assert f'id="row-{ids["soon"]}"' in vk_only and f'id="row-{ids["later"]}"' not in vk_only
    assert f'id="row-{ids["failed"]}"' in failed_only and f'id="row-{ids["done"]}"' not in failed_only
    assert nonsense.status_code == 200 and f'id="row-{ids["done"]}"' in nonsense.text


def test_paging(api: Api) -> None:
    email, token = new_user(api)
    vk = api.add_connection(email, Platform.VK)
    clip = str(api.upload_clip(token)["id"])
    # Finished publications of one clip to one account: history may hold any number of them.
    add_publications(api, email, clip, vk, 27, status=PublicationStatus.CANCELLED)
    with login(api, email) as client:
        first = client.get("/publications?tab=history").text
        second = client.get("/publications?tab=history&page=2").text
    assert first.count('<tr id="row-') == 25 and "Дальше →" in first
    assert second.count('<tr id="row-') == 2 and "← Назад" in second
