"""Настройки → Платформы after a consent: the platform's reason, in the reader's language, never the URL's text.

The OAuth callback sends the browser to the settings page with `?error=<code>`; the page shows
that code's own text when the URL carries every parameter it needs, and a plain "could not
connect" for anything else: the URL is anyone's to write.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx2
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.users.models import User
from tests.conftest import Sandbox
from tests.support.api import Api, start_api
from tests.support.consent import allow
from tests.web.support import csrf_of, in_database, login, new_user, visible_text

NO_CHANNEL = {
    "ru": "У аккаунта нет канала в Дзене или он не одобрен для публикаций",
    "en": "The account has no Dzen channel, or it is not approved for publishing",
}


@pytest.fixture
def api(tmp_path: Path, database_url: str, sandbox: Sandbox) -> Iterator[Api]:
    yield from start_api(tmp_path, database_url, None, sandbox_url=sandbox.url)


def _reader(api: Api, lang: str) -> tuple[str, str]:
    email, token = new_user(api)

    async def work(session: AsyncSession) -> None:
        await session.execute(update(User).where(User.email == email).values(locale=lang))

    in_database(api.settings, work)
    return email, token


def _consent_as(browser: httpx2.Client, platform: str, login_hint: str) -> httpx2.Response:
    """«Подключить …», the sandbox's consent page for the given account, «Разрешить», back to us."""
    csrf = csrf_of(browser.get("/settings/platforms").text)
    started = browser.post(f"/settings/platforms/{platform}/oauth", data={"csrf_token": csrf})
    callback = urlsplit(allow(f"{started.headers['location']}&login_hint={login_hint}"))
    landed = browser.get(f"{callback.path}?{callback.query}")
    assert landed.status_code == 303, landed.text
    return landed


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_yandex_account_without_a_dzen_channel_is_told_why(api: Api, lang: str) -> None:
    email, token = _reader(api, lang)
    with login(api, email) as browser:
        landed = _consent_as(browser, "dzen", "bez-kanala")
        assert landed.headers["location"] == "/settings/platforms?error=dzen.not_publisher&platform=dzen"
        page = visible_text(browser.get(landed.headers["location"]).text)
    assert NO_CHANNEL[lang] in page
    assert "Попробуйте ещё раз" not in page and "Please try again" not in page
    with api.client(token) as client:
        assert client.get("/api/v1/connections").json() == []


def test_only_a_known_connect_codes_own_text_is_shown(api: Api) -> None:
    email, _ = new_user(api)
    generic = "Не удалось подключить Дзен. Попробуйте ещё раз."
    with login(api, email) as browser:

        def notice(query: str) -> str:
            return visible_text(browser.get(f"/settings/platforms?{query}").text)

        assert "Слишком много неудачных подключений. Повторите через 7 мин" in notice(
            "error=connect_throttled&minutes=7&platform=dzen"
        )
        assert "Подключение начато другим пользователем" in notice("error=oauth_other_user&platform=dzen")
        # A text that needs the platform's detail cannot get it from the URL: no «(—)» hole, no made-up detail.
        refused = notice("error=dzen.oauth_refused&platform=dzen&error_description=call+us")
        assert generic in refused and "Яндекс отказал" not in refused and "call us" not in refused
        # Codes that are not connect refusals (an event's text, a name) and arbitrary text are not shown.
        published = notice("error=event.published&platform=dzen")
        assert generic in published and "Опубликовано" not in published
        forged = browser.get("/settings/platforms?error=<b>Ваш+аккаунт+заблокирован</b>&platform=dzen").text
        assert generic in visible_text(forged) and "заблокирован" not in forged
        # A text without parameters needs no platform; one that names the platform needs a real one.
        assert "Доступ не был разрешён" in notice("error=oauth_denied&platform=nope")
        assert "не настроено администратором" not in notice("error=oauth_not_configured&platform=nope")
