"""The API and the pages call one use case per action: one limit each, counted on both doors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from autopost.platforms.catalog import Platform
from tests.conftest import Sandbox
from tests.support.api import Api, start_api
from tests.web.support import PASSWORD, csrf_of, htmx, login, new_user, visible_text

BOT_TOKEN = "7000000001:AAHb3vQm2Xk9LpR4tZs8YwNc1DfGj6UeKoA"  # the sandbox's demo bot
WRONG_BOT_TOKEN = "7000000001:AAHwrongwrongwrongwrongwrongwrong0"


@pytest.fixture
def tight(tmp_path: Path, database_url: str) -> Iterator[Api]:
    """The app with limits small enough to use up in a test."""
    yield from start_api(
        tmp_path, database_url, None, publish_requests_per_minute=2, connect_attempts_per_hour=1
    )


def test_publishing_through_the_api_uses_up_the_dialogs_limit(tight: Api) -> None:
    email, token = new_user(tight)
    vk = tight.add_connection(email, Platform.VK)
    clip = str(tight.upload_clip(token)["id"])
    with tight.client(token) as client:
        first = client.post(f"/api/v1/clips/{clip}/publish", json={"targets": [{"connection_id": vk}]})
        again = client.post(f"/api/v1/clips/{clip}/publish", json={"targets": [{"connection_id": vk}]})
        assert first.status_code == 201 and again.json()["error"]["code"] == "already_live"
    with login(tight, email) as browser:
        csrf = csrf_of(browser.get("/").text)
        dialog = browser.post(
            f"/clips/{clip}/publish", data={"account": vk, "when": "now"}, headers=htmx(browser, csrf)
        )
        assert dialog.status_code == 200
        assert "Слишком много запросов, повторите через" in visible_text(dialog.text)
        assert len(browser.get("/api/v1/publications").json()) == 1


def test_the_dialog_refuses_what_the_api_refuses_with_the_same_words(tight: Api) -> None:
    email, token = new_user(tight)
    telegram = tight.add_connection(email, Platform.TELEGRAM, "-100")
    clip = str(tight.upload_clip(token)["id"])
    caption = {"title_telegram": "", "description_telegram": "x" * 1100}
    with login(tight, email) as browser:
        csrf = csrf_of(browser.get("/").text)
        form = {"account": telegram, "when": "now", **caption}
        dialog = browser.post(f"/clips/{clip}/publish", data=form, headers=htmx(browser, csrf))
    with tight.client(token) as client:
        target = {"connection_id": telegram, "title": "", "description": "x" * 1100}
        answer = client.post(f"/api/v1/clips/{clip}/publish", json={"targets": [target]})
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "caption_too_long"
    assert answer.json()["error"]["message"] in visible_text(dialog.text)


@pytest.fixture
def strict_connects(tmp_path: Path, database_url: str, sandbox: Sandbox) -> Iterator[Api]:
    """One failed connect an hour, against the sandbox (which rejects a wrong bot token)."""
    yield from start_api(tmp_path, database_url, None, sandbox_url=sandbox.url, connect_attempts_per_hour=1)


def test_a_failed_api_connect_uses_up_the_settings_pages_limit(strict_connects: Api) -> None:
    email, token = new_user(strict_connects)
    with strict_connects.client(token) as client:
        assert client.post("/api/v1/connections/oauth/vk/start").status_code == 200  # starting is free
        wrong = {"platform": "telegram", "bot_token": WRONG_BOT_TOKEN, "channel": "@clipmaker_demo"}
        assert client.post("/api/v1/connections", json=wrong).status_code == 422
        assert client.post("/api/v1/connections/oauth/vk/start").status_code == 429
    with login(strict_connects, email) as browser:
        csrf = csrf_of(browser.get("/settings/platforms").text)
        fields = {"bot_token": BOT_TOKEN, "channel": "@clipmaker_demo"}
        block = browser.post("/settings/platforms/telegram/connect", data=fields, headers=htmx(browser, csrf))
        assert "Слишком много неудачных подключений. Повторите через 60 мин" in visible_text(block.text)
        assert 'value="@clipmaker_demo"' in block.text
        oauth = browser.post(
            "/settings/platforms/vk/oauth", data={"csrf_token": csrf}, follow_redirects=False
        )
        assert oauth.status_code == 303
        location = oauth.headers["location"]
        assert location == "/settings/platforms?error=connect_throttled&platform=vk&minutes=60"
        notice = visible_text(browser.get(location).text)
        assert "Слишком много неудачных подключений. Повторите через 60 мин" in notice


def test_failed_api_logins_use_up_the_login_forms_attempts(api: Api) -> None:
    email, _ = new_user(api)
    with api.client() as client:
        for n in range(5):  # the free failures; the next try from this address waits
            wrong = client.post("/api/v1/auth/login", json={"email": email, "password": f"wrong-{n}"})
            assert wrong.status_code == 401
    with api.client() as browser:
        page = browser.post("/login", data={"email": email, "password": PASSWORD, "next": "/"})
    assert page.status_code == 200 and "Слишком много неудачных попыток входа" in visible_text(page.text)
