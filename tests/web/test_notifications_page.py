"""Настройки → Уведомления without a browser: choosing channels, and linking Telegram by its deep link."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.notifications.models import NotificationPreference, TelegramLink
from autopost.notifications.tasks import poll_telegram
from autopost.runtime import Runtime
from autopost.users.models import User
from autopost_sandbox.mailbox import MailServer
from autopost_sandbox.telegram.world import NOTIFY_BOT
from autopost_testing.world import REDIS_URL
from tests.conftest import Sandbox
from tests.support.api import Api, start_api
from tests.web.support import csrf_of, english_words, in_database, login, new_user, visible_text


@pytest.fixture
def notify_api(tmp_path: Path, database_url: str, sandbox: Sandbox, mail_server: MailServer) -> Iterator[Api]:
    """The app with mail and the sandbox's notification bot configured."""
    notify = {"telegram_bot_token": NOTIFY_BOT.token}
    yield from start_api(tmp_path, database_url, None, sandbox.url, smtp_url=mail_server.url, notify=notify)


def _preference(api: Api, email: str) -> tuple[bool, bool] | None:
    async def read(session: AsyncSession) -> tuple[bool, bool] | None:
        user = await session.scalar(select(User).where(User.email == email))
        assert user is not None
        row = await session.scalar(
            select(NotificationPreference).where(NotificationPreference.user_id == user.id)
        )
        return None if row is None else (row.email, row.telegram)

    return in_database(api.settings, read)


async def _poll(api: Api) -> int:
    """One pass of the worker's getUpdates poll, as `autopost worker` runs it."""
    runtime = Runtime.create(api.settings, REDIS_URL)
    try:
        return await poll_telegram(runtime)
    finally:
        await runtime.close()


def _chat_of(api: Api, email: str) -> str | None:
    async def read(session: AsyncSession) -> str | None:
        user = await session.scalar(select(User).where(User.email == email))
        assert user is not None
        link = await session.scalar(select(TelegramLink).where(TelegramLink.user_id == user.id))
        return None if link is None else link.chat_id

    return in_database(api.settings, read)


def test_the_section_offers_mail_and_asks_to_link_telegram_first(notify_api: Api) -> None:
    email, _ = new_user(notify_api)
    with login(notify_api, email) as client:
        page = client.get("/settings/notifications")
        assert page.status_code == 200
        text = visible_text(page.text)
        assert "Настройки: уведомления" in text and f"По почте на {email}" in text
        assert "Чтобы выбрать Telegram, подключите его ниже." in text
        assert re.search(r'<input type="checkbox" name="telegram"[^>]*disabled', page.text)
        assert not english_words(text)

        saved = client.post("/settings/notifications", data={"csrf_token": csrf_of(page.text)})
        assert saved.status_code == 303
    assert _preference(notify_api, email) == (False, False)


def test_linking_telegram_by_the_deep_link_then_choosing_it(notify_api: Api, sandbox: Sandbox) -> None:
    email, _ = new_user(notify_api)
    with login(notify_api, email) as client:
        page = client.get("/settings/notifications").text
        answer = client.post("/settings/notifications/telegram", data={"csrf_token": csrf_of(page)})
        assert answer.status_code == 200
        found = re.search(r'href="https://t\.me/autopost_notify_bot\?start=([A-Za-z0-9_-]+)"', answer.text)
        assert found, answer.text
        assert "Ссылка действует один раз, 30 мин." in visible_text(answer.text)

        # The person presses «Start»; the worker's poll links the chat.
        with sandbox.control() as control:
            control.post("/telegram/messages", json={"text": f"/start {found.group(1)}"}).raise_for_status()
        assert asyncio.run(_poll(notify_api)) == 1
        assert _chat_of(notify_api, email) is not None

        linked = client.get("/settings/notifications").text
        assert "Telegram подключён" in visible_text(linked)
        client.post(
            "/settings/notifications", data={"csrf_token": csrf_of(linked), "email": "on", "telegram": "on"}
        )
        assert _preference(notify_api, email) == (True, True)
        client.post("/settings/notifications/telegram/unlink", data={"csrf_token": csrf_of(linked)})
    assert _chat_of(notify_api, email) is None


def test_without_the_bot_the_page_says_so(tmp_path: Path, database_url: str) -> None:
    bare = start_api(tmp_path, database_url, None, smtp_url="")  # no mail, no bot
    try:
        api = next(bare)
        email, _ = new_user(api)
        with login(api, email) as client:
            text = visible_text(client.get("/settings/notifications").text)
    finally:
        bare.close()
    assert "Администратор не настроил бота уведомлений" in text
    assert "Почта на этом сервере пока не настроена." in text


def test_english_readers_see_english(notify_api: Api) -> None:
    email, _ = new_user(notify_api)

    async def english(session: AsyncSession) -> None:
        await session.execute(update(User).where(User.email == email).values(locale="en"))

    in_database(notify_api.settings, english)
    with login(notify_api, email) as client:
        page = client.get("/settings/notifications").text
        linking = client.post("/settings/notifications/telegram", data={"csrf_token": csrf_of(page)}).text
    assert "Settings: notifications" in page and "By e-mail to" in page
    assert "Open the link and press «Start» in Telegram" in linking
    for body in (page, linking):
        assert not re.findall("[А-Яа-яЁё]+", body.replace(">Русский<", "><"))


def test_the_json_api_reads_and_writes_the_same_settings(notify_api: Api) -> None:
    email, token = notify_api.new_user()
    with notify_api.client(token) as client:
        assert client.get("/api/v1/notifications/preferences").json() == {
            "email": True,
            "telegram": True,
            "telegram_linked": False,
            "mail_available": True,
            "telegram_available": True,
        }
        saved = client.put("/api/v1/notifications/preferences", json={"email": False, "telegram": True})
        assert saved.status_code == 200 and saved.json()["email"] is False
        assert client.put("/api/v1/notifications/preferences", json={"email": "x"}).status_code == 422
        link = client.post("/api/v1/notifications/telegram")
        assert link.status_code == 201
        assert link.json()["url"].startswith("https://t.me/autopost_notify_bot?start=")
        assert client.delete("/api/v1/notifications/telegram").status_code == 204
    assert _preference(notify_api, email) == (False, True)


def test_without_the_bot_linking_is_unavailable(api: Api) -> None:
    _, token = api.new_user()
    with api.client(token) as client:
        answer = client.post("/api/v1/notifications/telegram")
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "notify_bot_not_configured"


def test_linking_without_the_bot_answers_on_the_page(api: Api) -> None:
    email, _ = new_user(api)
    with login(api, email) as client:
        page = client.get("/settings/notifications").text
        answer = client.post("/settings/notifications/telegram", data={"csrf_token": csrf_of(page)})
    assert answer.status_code == 409
    assert "Администратор не настроил бота уведомлений" in visible_text(answer.text)
