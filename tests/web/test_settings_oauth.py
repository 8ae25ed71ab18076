"""Настройки → Платформы after a consent: the platform's reason, in the reader's language, never the URL's text.

The OAuth callback sends the browser to the settings page with `?error=<code>`; the page shows
that code's own text when the URL carries every parameter it needs, and a plain "could not
connect" for anything else: the URL is anyone's to write.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.users.models import User
from autopost_sandbox.dzen.accounts import READER, cookie_export
from tests.conftest import Sandbox
from tests.support.api import Api, start_api
from tests.web.support import csrf_of, htmx, in_database, login, new_user, visible_text

NO_CHANNEL = {
    "ru": "Вы вошли на dzen.ru, но у этого аккаунта нет канала для публикаций",
    "en": "You are signed in to dzen.ru, but this account has no channel to publish to",
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


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_dzen_session_without_a_channel_is_told_why(api: Api, lang: str) -> None:
    email, token = _reader(api, lang)
    with login(api, email) as browser:
        csrf = csrf_of(browser.get("/settings/platforms").text)
        block = browser.post(
            "/settings/platforms/dzen/session",
            data={"session": cookie_export(READER)},
            headers=htmx(browser, csrf),
        )
        page = visible_text(block.text)
    assert NO_CHANNEL[lang] in page
    assert "Попробуйте ещё раз" not in page and "Please try again" not in page
    assert READER.session not in block.text  # the cookies are never echoed back
    with api.client(token) as client:
        assert client.get("/api/v1/connections").json() == []


def test_only_a_known_connect_codes_own_text_is_shown(api: Api) -> None:
    email, _ = new_user(api)
    generic = "Не удалось подключить VK. Попробуйте ещё раз."
    with login(api, email) as browser:

        def notice(query: str) -> str:
            return visible_text(browser.get(f"/settings/platforms?{query}").text)

        assert "Слишком много неудачных подключений. Повторите через 7 мин" in notice(
            "error=connect_throttled&minutes=7&platform=vk"
        )
        assert "Подключение начато другим пользователем" in notice("error=oauth_other_user&platform=vk")
        # A text that needs the platform's detail cannot get it from the URL: no «(—)» hole, no made-up detail.
        refused = notice("error=vk.id_refused&platform=vk&error_description=call+us")
        assert generic in refused and "VK ID отказал" not in refused and "call us" not in refused
        # Codes that are not connect refusals (an event's text, a name) and arbitrary text are not shown.
        published = notice("error=event.published&platform=vk")
        assert generic in published and "Опубликовано" not in published
        forged = browser.get("/settings/platforms?error=<b>Ваш+аккаунт+заблокирован</b>&platform=vk").text
        assert generic in visible_text(forged) and "заблокирован" not in forged
        # A text without parameters needs no platform; one that names the platform needs a real one.
        assert "Доступ не был разрешён" in notice("error=oauth_denied&platform=nope")
        assert "не настроено администратором" not in notice("error=oauth_not_configured&platform=nope")
