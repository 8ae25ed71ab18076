"""The series dialog, its live preview and confirmation; bulk move/cancel/retry on the selection;
«Отменить» asks first. Through the pages as HTMX calls them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from autopost.platforms.catalog import Platform
from autopost.publications.models import PublicationStatus
from tests.support.api import Api
from tests.web.support import add_publication, csrf_of, htmx, login, new_user, visible_text
from tests.workspaces.support import add_member, workspace_of

MOSCOW = ZoneInfo("Europe/Moscow")


def _setup(api: Api, clips: int = 2) -> tuple[str, str, list[str], list[str]]:
    email, token = new_user(api)
    accounts = [api.add_connection(email, p) for p in (Platform.VK, Platform.TELEGRAM)]
    ids = [str(api.upload_clip(token, title=f"Урок {n}")["id"]) for n in range(1, clips + 1)]
    return email, token, ids, accounts


def _form(ids: list[str], accounts: list[str], **fields: object) -> dict[str, object]:
    tomorrow = (datetime.now(MOSCOW) + timedelta(days=1)).date().isoformat()
    data: dict[str, object] = {"clip": ids, "account": accounts, "start_date": tomorrow, "cadence": "daily"}
    data |= {f"time_{a}": "18:00" for a in accounts}
    return data | {"key": "dialog-1"} | {k: str(v) for k, v in fields.items()}


def test_the_dialog_opens_with_a_ready_plan_and_confirms_it_once(api: Api) -> None:
    email, token, ids, accounts = _setup(api)
    with login(api, email) as client:
        page = client.get("/").text
        assert "Выбрать все" in page and "Запланировать серию" in page
        csrf = csrf_of(page)
        dialog = client.get("/series/new", params={"clip": ids}, headers=htmx(client, csrf)).text
        text = visible_text(dialog)
        assert "Выбрано 2 клипа" in text and "Каждый день" in text and "Запланировать 4 публикации" in text
        assert text.count("18:00") >= 4 and "Урок 1" in text and "Урок 2" in text
        # The live preview follows the form: every second day from tomorrow, VK only.
        preview = client.post(
            "/series/preview",
            data=_form(ids, accounts[:1], cadence="every", every_days=2),
            headers=htmx(client, csrf),
        ).text
        day_after = (datetime.now(MOSCOW) + timedelta(days=3)).strftime("%d.%m.%Y")
        assert day_after in preview and "Запланировать 2 публикации" in preview
        bad = client.post(
            "/series/preview", data=_form(ids, accounts, skip_dates="32.13.2026"), headers=htmx(client, csrf)
        ).text
        assert "32.13.2026 — не дата" in bad
        done = client.post("/series", data=_form(ids, accounts), headers=htmx(client, csrf)).text
        assert "4 публикации запланированы" in visible_text(done)
        assert done.count('hx-swap-oob="true"') == 2
        # A second click on the same dialog (same key) creates nothing more.
        again = client.post("/series", data=_form(ids, accounts), headers=htmx(client, csrf)).text
        assert "4 публикации запланированы" in visible_text(again)
        # Another dialog for the same clips: refused, every entry marked in the plan.
        other = client.post(
            "/series", data=_form(ids, accounts, key="dialog-2"), headers=htmx(client, csrf)
        ).text
        assert "Исправьте 4 проблемы, отмеченные в плане" in visible_text(other)
        assert other.count("has-problem") == 4
        # Refused, that dialog's key was not used up: once the clips are free, it plans the series.
        client.post("/clips/bulk/cancel", data={"clip": ids}, headers=htmx(client, csrf))
        retried = client.post(
            "/series", data=_form(ids, accounts, key="dialog-2"), headers=htmx(client, csrf)
        ).text
        assert "4 публикации запланированы" in visible_text(retried)
    with api.client(token) as api_client:
        made = api_client.get("/api/v1/publications").json()
    live = [p for p in made if p["status"] == "scheduled"]
    assert len(made) == 8 and len(live) == 4 and len({p["series_id"] for p in made}) == 2


def test_bulk_cancel_names_the_count_then_cancels_move_and_retry(api: Api) -> None:
    email, token, ids, accounts = _setup(api)
    later = datetime.now(UTC) + timedelta(days=2)
    scheduled = [
        add_publication(api, email, ids[0], a, status=PublicationStatus.SCHEDULED, scheduled_at=later)
        for a in accounts
    ]
    failed = add_publication(api, email, ids[1], accounts[0], status=PublicationStatus.FAILED)
    with login(api, email) as client:
        csrf = csrf_of(client.get("/").text)
        chosen = {"clip": ids}
        confirm = client.get("/clips/bulk/cancel", params=chosen, headers=htmx(client, csrf)).text
        assert "Будут отменены 2 запланированные публикации выбранных клипов." in visible_text(confirm)
        assert "Отменить 2 публикации" in confirm and "Не отменять" in confirm
        moved_to = (datetime.now(MOSCOW) + timedelta(days=3)).replace(second=0, microsecond=0)
        moved = client.post(
            "/clips/bulk/reschedule",
            data=chosen | {"scheduled_at": moved_to.strftime("%Y-%m-%dT%H:%M")},
            headers=htmx(client, csrf),
        ).text
        assert "Перенесены 2 публикации" in moved
        assert moved_to.strftime("Запланировано на %d.%m.%Y %H:%M") in visible_text(moved)
        too_soon = client.post(
            "/clips/bulk/reschedule",
            data=chosen | {"scheduled_at": "2020-01-01T10:00"},
            headers=htmx(client, csrf),
        ).text
        assert 'id="bulk-dialog"' in too_soon and "notice-error" in too_soon
        retried = client.post("/clips/bulk/retry", data=chosen, headers=htmx(client, csrf)).text
        assert "1 публикация снова в очереди" in retried
        cancelled = client.post("/clips/bulk/cancel", data=chosen, headers=htmx(client, csrf)).text
        # The retried one is scheduled again: cancelling everywhere takes it too.
        assert "Отменены 3 публикации" in cancelled
    with api.client(token) as api_client:
        states = {p["id"]: p["status"] for p in api_client.get("/api/v1/publications").json()}
    assert states == {scheduled[0]: "cancelled", scheduled[1]: "cancelled", failed: "cancelled"}


def test_cancel_on_one_publication_asks_first(api: Api) -> None:
    email, _, ids, accounts = _setup(api, clips=1)
    later = datetime.now(UTC) + timedelta(days=1)
    publication = add_publication(
        api, email, ids[0], accounts[0], status=PublicationStatus.SCHEDULED, scheduled_at=later
    )
    with login(api, email) as client:
        page = client.get("/")
        csrf = csrf_of(page.text)
        assert f'hx-get="/publications/{publication}/cancel?view=card"' in page.text
        dialog = client.get(f"/publications/{publication}/cancel?view=card", headers=htmx(client, csrf)).text
        text = visible_text(dialog)
        assert "Отменить публикацию?" in text and "«Урок 1» не будет опубликован в VK" in text
        assert f'hx-target="#clip-{ids[0]}"' in dialog and "data-close-after" in dialog
        assert client.get("/api/v1/publications").json()[0]["status"] == "scheduled"


def test_a_viewer_gets_no_selection_and_no_dialogs(api: Api) -> None:
    _, token, ids, _ = _setup(api, clips=1)
    viewer_email, _ = new_user(api)
    add_member(api, token, workspace_of(api, token), viewer_email, "viewer")
    with login(api, viewer_email) as client:
        csrf = csrf_of(client.get("/").text)
        client.post("/workspaces/switch", data={"workspace_id": workspace_of(api, token), "csrf_token": csrf})
        page = client.get("/").text
        assert "Урок 1" in page and "data-clip-select" not in page and "Запланировать серию" not in page
        for path in ("/series/new", "/clips/bulk/cancel", "/clips/bulk/reschedule"):
            assert client.get(path, params={"clip": ids[0]}, headers=htmx(client, csrf)).status_code == 403


def test_posting_slots_on_the_settings_page_and_the_next_slot_in_the_publish_dialog(api: Api) -> None:
    email, _, ids, (vk, telegram) = _setup(api, clips=1)
    with login(api, email) as client:
        csrf = csrf_of(client.get("/").text)
        settings = client.get("/settings/platforms").text
        assert f'hx-get="/settings/connections/{vk}/slots"' in settings
        empty = client.get(f"/settings/connections/{vk}/slots", headers=htmx(client, csrf)).text
        assert "Слоты публикации: пока не заданы" in visible_text(empty)
        every_day = {"weekday": [str(d) for d in range(7)], "times": "18:00"}
        saved = client.post(
            f"/settings/connections/{vk}/slots", data=every_day, headers=htmx(client, csrf)
        ).text
        assert "Слоты сохранены" in saved and "пн, вт, ср, чт, пт, сб, вс 18:00" in visible_text(saved)
        wrong = client.post(
            f"/settings/connections/{telegram}/slots",
            data={"weekday": "0", "times": "25:00"},
            headers=htmx(client, csrf),
        ).text
        assert "25:00 — не время: укажите ЧЧ:ММ" in wrong
        # Telegram has no slot: the whole publish is refused, VK's included.
        asked = {"account": [vk, telegram], "when": "slot"}
        refused = client.post(f"/clips/{ids[0]}/publish", data=asked, headers=htmx(client, csrf)).text
        assert "Telegram: нет свободного слота в ближайшие три месяца" in refused
        assert client.get("/api/v1/publications").json() == []
        weekdays = {"weekday": ["0", "1", "2", "3", "4"], "times": "09:30"}
        client.post(f"/settings/connections/{telegram}/slots", data=weekdays, headers=htmx(client, csrf))
        done = client.post(f"/clips/{ids[0]}/publish", data=asked, headers=htmx(client, csrf)).text
        assert "2 публикации запланированы" in visible_text(done)
        made = {p["connection_id"]: p for p in client.get("/api/v1/publications").json()}
    vk_at = datetime.fromisoformat(str(made[vk]["scheduled_at"])).astimezone(MOSCOW)
    telegram_at = datetime.fromisoformat(str(made[telegram]["scheduled_at"])).astimezone(MOSCOW)
    now = datetime.now(MOSCOW)
    assert vk_at.strftime("%H:%M") == "18:00" and now < vk_at <= now + timedelta(days=1)
    assert telegram_at.strftime("%H:%M") == "09:30" and telegram_at.weekday() < 5 and telegram_at > now
