"""The pages over real HTTP without a browser: access, login, the clip card, the publish dialog."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.clips.models import Clip
from autopost.connections.models import Connection, ConnectionStatus
from autopost.platforms.catalog import Platform
from autopost.publications.models import PublicationStatus
from autopost.security.sessions import SESSION_COOKIE
from autopost.users.plans import Plan
from tests.support.api import Api
from tests.web.support import (
    PASSWORD,
    add_publication,
    csrf_of,
    english_words,
    htmx,
    in_database,
    local_time,
    login,
    new_user,
    visible_text,
)


def test_anonymous_pages_go_to_login_and_fragments_redirect_the_browser(api: Api) -> None:
    with api.client() as client:
        page = client.get("/publications?tab=history")
        assert page.status_code == 303
        assert page.headers["location"] == "/login?next=%2Fpublications%3Ftab%3Dhistory"
        fragment = client.get(f"/clips/{uuid.uuid4()}/card", headers={"HX-Request": "true"})
        assert fragment.status_code == 401 and fragment.headers["HX-Redirect"] == "/login"
        login_page = client.get("/login")
        assert login_page.status_code == 200 and "Войти" in login_page.text
        assert "Электронная почта" in login_page.text and "Пароль" in login_page.text


def test_every_page_names_the_icon_the_app_serves(api: Api) -> None:
    with api.client() as client:
        [href] = re.findall(
            r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', client.get("/login").text
        )
        icon = client.get(href)
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.text.lstrip().startswith("<svg")


def test_login_errors_inline_keep_the_email_and_success_sets_the_cookie(api: Api) -> None:
    email, _ = new_user(api)
    with api.client() as client:
        wrong = client.post("/login", data={"email": email, "password": "nope", "next": "/"})
        assert wrong.status_code == 200
        assert "Неверная электронная почта или пароль" in wrong.text
        assert f'value="{email}"' in wrong.text and 'role="alert"' in wrong.text
        right = client.post(
            "/login", data={"email": email.upper(), "password": PASSWORD, "next": "//evil.example"}
        )
        assert right.status_code == 303 and right.headers["location"] == "/"
        assert "autopost_session" in right.headers["set-cookie"]
        assert "HttpOnly" in right.headers["set-cookie"]
        forged = client.post(
            "/login",
            data={"email": email, "password": PASSWORD},
            headers={"Origin": "https://evil.example"},
        )
        assert forged.status_code == 200 and "Страница устарела" in forged.text


def test_logout_needs_the_csrf_token_and_ends_the_session(api: Api) -> None:
    email, _ = new_user(api)
    with login(api, email, through_form=True) as client:
        kept = client.cookies.get(SESSION_COOKIE)
        page = client.get("/")
        assert client.post("/logout", data={}).status_code == 403
        assert client.get("/").status_code == 200
        out = client.post("/logout", data={"csrf_token": csrf_of(page.text)})
        assert out.status_code == 303 and out.headers["location"] == "/login"
        assert client.get("/").status_code == 303
    # A copy of the cookie kept after logging out opens nothing either.
    with api.client() as copy:
        copy.cookies.set(SESSION_COOKIE, kept or "", domain="127.0.0.1")
        assert copy.get("/").status_code == 303
        assert copy.get("/login").status_code == 200


def test_logout_everywhere_ends_the_users_other_browsers_too(api: Api) -> None:
    email, _ = new_user(api)
    other, _ = new_user(api)
    with login(api, email) as laptop, login(api, email) as phone, login(api, other) as stranger:
        page = laptop.get("/")
        assert "Выйти на всех устройствах" in page.text
        assert laptop.post("/logout-all", data={}).status_code == 403
        assert phone.get("/").status_code == 200
        out = laptop.post("/logout-all", data={"csrf_token": csrf_of(page.text)})
        assert out.status_code == 303 and out.headers["location"] == "/login"
        assert laptop.get("/").status_code == 303
        assert phone.get("/").status_code == 303
        assert stranger.get("/").status_code == 200


def test_empty_clips_page_says_what_a_clip_is_and_where_it_comes_from(api: Api) -> None:
    email, _ = new_user(api)
    with login(api, email) as client:
        page = client.get("/")
    assert page.status_code == 200
    assert "Клипов пока нет" in page.text and "КлипМейкера" in page.text
    assert not english_words(visible_text(page.text))


def test_clip_card_shows_duration_size_and_buttons_but_not_other_users_clips(api: Api) -> None:
    email, token = new_user(api)
    clip = api.upload_clip(token, title="Урок 1: склейка")
    other_email, other_token = new_user(api)
    other_clip = api.upload_clip(other_token, title="Чужой клип")
    with login(api, email) as client:
        page = client.get("/").text
        assert "Урок 1: склейка" in page and "Чужой клип" not in page
        assert clip["size_bytes"] < 1024 * 1024, "the fixture clip is a small one"
        assert "0:01" in page and f"{-(-clip['size_bytes'] // 1024)} КБ" in page
        assert "Опубликовать" in page and "Запланировать" in page
        assert f"/api/v1/clips/{clip['id']}/thumbnail" in page
        assert client.get(f"/clips/{other_clip['id']}/card").status_code == 404
        assert client.get(f"/clips/{other_clip['id']}/publish").status_code == 404
    assert other_email != email


def _set(api: Api, model: type, row_id: str, **values: object) -> None:
    async def work(session: AsyncSession) -> None:
        await session.execute(update(model).where(model.id == uuid.UUID(row_id)).values(**values))  # type: ignore[attr-defined]

    in_database(api.settings, work)


def test_publish_dialog_explains_every_disabled_choice(api: Api) -> None:
    email, token = new_user(api, Plan.START)
    vk = api.add_connection(email, Platform.VK, "1")
    vk_broken = api.add_connection(email, Platform.VK, "2")
    api.add_connection(email, Platform.TELEGRAM, "-100")
    _set(api, Connection, vk_broken, status=ConnectionStatus.NEEDS_RECONNECT)
    clip = api.upload_clip(token)
    _set(api, Clip, str(clip["id"]), size_bytes=120 * 1024 * 1024)
    with login(api, email) as client:
        dialog = client.get(f"/clips/{clip['id']}/publish").text
    text = visible_text(dialog)
    assert "Недоступно на тарифе Старт — повысьте тариф" in text  # Telegram, Rutube, Дзен on Start
    assert "Нужно переподключить" in text
    assert re.search(rf'value="{vk_broken}"[^>]*disabled', dialog)
    assert not re.search(rf'value="{vk}"[^>]*disabled', dialog)
    assert "Москва, UTC+3" in text and "<dialog" in dialog
    assert 'data-max="128"' in dialog  # VK title limit, counted live
    assert "Не раньше чем через 1 с" in text
    assert not english_words(text, allowed={"vk", "telegram", "demo"})  # the test's account names


def test_size_limit_is_explained_in_the_dialog(api: Api) -> None:
    email, token = new_user(api, Plan.PRO)
    api.add_connection(email, Platform.TELEGRAM, "-100")
    clip = api.upload_clip(token)
    # Telegram's 50 MB are decimal: the size is shown in the same megabytes.
    _set(api, Clip, str(clip["id"]), size_bytes=120 * 1000 * 1000)
    with login(api, email) as client:
        text = visible_text(client.get(f"/clips/{clip['id']}/publish").text)
    assert "Файл 120 МБ больше лимита Telegram 50 МБ" in text


def test_scheduling_refusal_keeps_what_was_typed_and_success_updates_the_card(api: Api) -> None:
    email, token = new_user(api)
    vk = api.add_connection(email, Platform.VK)
    clip = api.upload_clip(token)
    with login(api, email) as client:
        csrf = csrf_of(client.get("/").text)
        form = {
            "account": vk,
            "title_vk": "Мой заголовок",
            "description_vk": "Описание",
            "when": "later",
            "scheduled_at": local_time(-120),
        }
        refused = client.post(f"/clips/{clip['id']}/publish", data=form, headers=htmx(client, csrf))
        assert refused.status_code == 200
        assert "Время публикации должно быть не раньше" in refused.text
        assert 'value="Мой заголовок"' in refused.text and "checked" in refused.text
        form["scheduled_at"] = local_time(90)
        done = client.post(f"/clips/{clip['id']}/publish", data=form, headers=htmx(client, csrf))
        assert "1 публикация запланирована" in done.text
        assert f'id="clip-{clip["id"]}" aria-labelledby' in done.text and 'hx-swap-oob="true"' in done.text
        card = client.get(f"/clips/{clip['id']}/card").text
        assert f"Запланировано на {form['scheduled_at'][8:10]}.{form['scheduled_at'][5:7]}." in card
        assert "every 2s" not in card, "a publication 90 minutes away is not polled"


def test_writes_without_the_csrf_token_are_refused_with_a_notice(api: Api) -> None:
    email, token = new_user(api)
    vk = api.add_connection(email, Platform.VK)
    clip = api.upload_clip(token)
    with login(api, email) as client:
        answer = client.post(
            f"/clips/{clip['id']}/publish",
            data={"account": vk, "when": "now"},
            headers={"HX-Request": "true"},
        )
        assert answer.headers["HX-Reswap"] == "none" and "Страница устарела" in answer.text
        assert client.get("/api/v1/publications").json() == []


def test_nobody_acts_on_another_users_publications_or_connections(api: Api) -> None:
    owner, token = new_user(api)
    connection = api.add_connection(owner, Platform.VK)
    clip = str(api.upload_clip(token)["id"])
    publication = add_publication(api, owner, clip, connection, status=PublicationStatus.SCHEDULED)
    intruder, _ = new_user(api)
    with login(api, intruder) as client:
        headers = htmx(client, csrf_of(client.get("/").text))
        for path in (f"/publications/{publication}/cancel", f"/publications/{publication}/retry"):
            assert client.post(path, data={"view": "card"}, headers=headers).status_code == 404
        assert client.get(f"/publications/{publication}/reschedule").status_code == 404
        assert client.get(f"/publications/{publication}/row").status_code == 404
        assert client.get(f"/settings/connections/{connection}/disconnect").status_code == 404
        assert (
            client.post(f"/settings/connections/{connection}/disconnect", headers=headers).status_code == 404
        )
        assert client.post(f"/settings/connections/{connection}/test", headers=headers).status_code == 404
    with login(api, owner) as client:
        assert client.get("/api/v1/publications").json()[0]["status"] == "scheduled"


def test_a_clip_published_to_an_account_goes_there_again_only_when_ticked(api: Api) -> None:
    email, token = new_user(api)
    telegram = api.add_connection(email, Platform.TELEGRAM)
    clip = api.upload_clip(token)
    add_publication(api, email, str(clip["id"]), telegram, status=PublicationStatus.PUBLISHED)
    with login(api, email) as client:
        csrf = csrf_of(client.get("/").text)
        dialog = client.get(f"/clips/{clip['id']}/publish").text
        assert "Клип уже опубликован в этот аккаунт." in visible_text(dialog)
        assert f'name="again" value="{telegram}"' in dialog and "Опубликовать ещё раз" in dialog

        form = {"account": telegram, "description_telegram": "Ещё раз"}
        refused = client.post(f"/clips/{clip['id']}/publish", data=form, headers=htmx(client, csrf))
        assert "Клип уже опубликован в этот аккаунт Telegram" in visible_text(refused.text)
        assert len(client.get("/api/v1/publications").json()) == 1

        form["again"] = telegram
        done = client.post(f"/clips/{clip['id']}/publish", data=form, headers=htmx(client, csrf))
        assert "1 публикация поставлена в очередь" in visible_text(done.text)
        assert len(client.get("/api/v1/publications").json()) == 2
