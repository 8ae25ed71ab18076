"""Настройки → Платформы without a browser: plan gating, notes, notices, forms, disconnecting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from autopost.platforms.catalog import Platform
from autopost.publications.models import PublicationStatus
from autopost.users.plans import Plan
from tests.support.api import Api
from tests.web.support import add_publication, csrf_of, english_words, htmx, login, new_user, visible_text


@pytest.mark.parametrize(
    ("plan", "gated", "open_"),
    [
        (Plan.FREE, ["VK", "Rutube", "Дзен", "Telegram"], []),
        (Plan.START, ["Rutube", "Дзен", "Telegram"], ["VK"]),
        (Plan.PRO, [], ["VK", "Rutube", "Дзен", "Telegram"]),
    ],
)
def test_each_platform_is_gated_by_plan_with_an_upgrade_prompt(
    api: Api, plan: Plan, gated: list[str], open_: list[str]
) -> None:
    email, _ = new_user(api, plan)
    with login(api, email) as client:
        page = client.get("/settings/platforms").text
    text = visible_text(page)
    for name in gated:
        assert f"{name} недоступен на вашем тарифе" in text
    for name in open_:
        assert f"Подключить {name}" in text
    if plan is Plan.FREE:
        assert "«Бесплатный». Он есть на тарифах Старт, Про и Бизнес" in text
    assert "Free" not in text
    assert not english_words(text)


def test_notes_helper_texts_and_connect_forms(api: Api) -> None:
    email, _ = new_user(api, Plan.PRO)
    with login(api, email) as client:
        page = client.get("/settings/platforms").text
    text = visible_text(page)
    assert "У Дзена нет открытого интерфейса для публикации" in text and "сессией dzen.ru" in text
    assert "права приложения VK на видео и на стену" in text
    assert "@BotFather" in text and "/newbot" in text and "-100" in text
    assert (
        'action="/settings/platforms/vk/oauth"' in page
        and 'hx-post="/settings/platforms/dzen/session"' in page
    )
    assert "/settings/platforms/dzen/oauth" not in page
    assert 'name="bot_token"' in page and 'name="channel"' in page
    assert 'name="token"' in page and 'name="username"' in page and 'name="password"' in page


def test_oauth_callback_outcomes_become_notices(api: Api) -> None:
    email, _ = new_user(api, Plan.PRO)
    with login(api, email) as client:
        connected = visible_text(client.get("/settings/platforms?connected=vk").text)
        denied = visible_text(client.get("/settings/platforms?error=oauth_denied&platform=vk").text)
        unknown = visible_text(client.get("/settings/platforms?error=vk.something_odd&platform=vk").text)
    assert "VK подключён" in connected
    assert "Доступ не был разрешён" in denied
    assert "Не удалось подключить VK. Попробуйте ещё раз." in unknown


def test_token_form_refusal_keeps_what_was_typed(api: Api) -> None:
    email, _ = new_user(api, Plan.PRO)
    with login(api, email) as client:
        csrf = csrf_of(client.get("/settings/platforms").text)
        block = client.post(
            "/settings/platforms/telegram/connect",
            data={"channel": "@my_channel"},
            headers=htmx(client, csrf),
        )
        assert block.text.lstrip().startswith('<section class="platform-block" id="platform-telegram"')
        assert "Укажите токен бота и канал" in block.text and 'value="@my_channel"' in block.text
        rutube = client.post(
            "/settings/platforms/rutube/connect",
            data={"mode": "password", "username": "me@rutube.example", "password": "secret-pass"},
            headers=htmx(client, csrf),
        )
        assert 'value="me@rutube.example"' in rutube.text and "secret-pass" not in rutube.text


def test_disconnect_confirmation_names_the_count_and_cancels_them(api: Api) -> None:
    email, token = new_user(api, Plan.PRO)
    telegram = api.add_connection(email, Platform.TELEGRAM, "-100")
    clip = str(api.upload_clip(token)["id"])
    clip2 = str(api.upload_clip(token, title="Второй")["id"])
    later = datetime.now(UTC) + timedelta(days=1)
    for clip_id in (clip, clip2):
        add_publication(api, email, clip_id, telegram, status=PublicationStatus.SCHEDULED, scheduled_at=later)
    with login(api, email) as client:
        page = client.get("/settings/platforms").text
        assert f'hx-get="/settings/connections/{telegram}/disconnect"' in page
        dialog = visible_text(client.get(f"/settings/connections/{telegram}/disconnect").text)
        assert "Отключить Telegram · telegram demo?" in dialog
        assert "Будут отменены 2 запланированные публикации." in dialog
        done = client.post(
            f"/settings/connections/{telegram}/disconnect", headers=htmx(client, csrf_of(page))
        )
        text = visible_text(done.text)
        assert "Telegram · telegram demo отключён. Отменены 2 запланированные публикации." in text
        assert 'id="platform-telegram"' in done.text and 'hx-swap-oob="true"' in done.text
        assert "telegram demo" not in visible_text(client.get("/settings/platforms").text)
        statuses = {p["status"] for p in client.get("/api/v1/publications").json()}
    assert statuses == {"cancelled"}


def test_the_english_ui_is_one_click_away(api: Api) -> None:
    email, _ = new_user(api, Plan.START)
    with login(api, email) as client:
        csrf = csrf_of(client.get("/").text)
        switched = client.post(
            "/settings/language", data={"lang": "en", "back": "/settings/platforms", "csrf_token": csrf}
        )
        assert switched.status_code == 303 and switched.headers["location"] == "/settings/platforms"
        english = visible_text(client.get("/settings/platforms").text)
        assert "Connect VK" in english and "Rutube is not included in your Start plan" in english
        assert "files up to 256 MB" in english
        client.post("/settings/language", data={"lang": "ru", "back": "/", "csrf_token": csrf})
        assert "Клипы" in client.get("/").text


def test_the_session_form_says_what_a_session_grants_and_never_echoes_the_cookies(api: Api) -> None:
    email, _ = new_user(api)
    with login(api, email) as client:
        page = visible_text(client.get("/settings/platforms").text)
        assert "Подключить VK Клипы через сессию браузера" in page
        assert "всё, что вы можете сделать на vk.com, может и он" in page
        assert "выйдите из аккаунта на vk.com" in page
        csrf = csrf_of(client.get("/").text)
        secret = "remixsid=secret-session-value"
        refused = client.post(
            "/settings/platforms/vk/session",
            data={"session": f"{secret}\n\tbroken"},
            headers=htmx(client, csrf),
        )
        assert "Не удалось прочитать cookies" in visible_text(refused.text)
        assert "secret-session-value" not in refused.text
        assert client.get("/api/v1/connections").json() == []
