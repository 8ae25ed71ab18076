"""Only failed connects count against the hourly limit; starting or cancelling a consent does not."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from autopost_sandbox.dzen.accounts import cookie_export
from tests.conftest import Sandbox
from tests.support.api import Api, start_api
from tests.support.consent import allow, query_of
from tests.web.support import csrf_of, htmx, login

BOT_TOKEN = "7000000001:AAHb3vQm2Xk9LpR4tZs8YwNc1DfGj6UeKoA"
WRONG_BOT_TOKEN = "7000000001:AAHwrongwrongwrongwrongwrongwrong0"
TELEGRAM = {"platform": "telegram", "bot_token": BOT_TOKEN, "channel": "@clipmaker_demo"}
RUTUBE = {"platform": "rutube", "username": "kursy-montazha@rutube.sandbox", "password": "rutube-demo"}


def _land(client: httpx2.Client, callback: str) -> dict[str, str]:
    parts = httpx2.URL(callback)
    response = client.get(f"{parts.path}?{parts.query.decode()}", follow_redirects=False)
    assert response.status_code == 303, response.text
    return query_of(response.headers["location"])


def _start(client: httpx2.Client, platform: str) -> str:
    started = client.post(f"/api/v1/connections/oauth/{platform}/start")
    assert started.status_code == 200, started.text
    return str(started.json()["authorize_url"])


@pytest.fixture
def sandboxed(tmp_path: Path, database_url: str, sandbox: Sandbox) -> Iterator[Api]:
    yield from start_api(tmp_path, database_url, None, sandbox_url=sandbox.url)


@pytest.fixture
def strict(tmp_path: Path, database_url: str, sandbox: Sandbox) -> Iterator[Api]:
    yield from start_api(tmp_path, database_url, None, sandbox_url=sandbox.url, connect_attempts_per_hour=3)


def test_starting_and_cancelling_consents_then_connecting_four_platforms_is_never_refused(
    sandboxed: Api,
) -> None:
    _, token = sandboxed.new_user()
    with sandboxed.client(token) as client:
        for n in range(10):  # abandoned consents, half of them cancelled on the platform's page
            url = _start(client, "vk")
            if n % 2:
                callback = f"/oauth/vk/callback?state={query_of(url)['state']}&error=access_denied"
                assert _land(client, callback)["error"] == "oauth_denied"
        assert _land(client, allow(_start(client, "vk"))) == {"connected": "vk"}
        for body in (TELEGRAM, RUTUBE, {"platform": "dzen", "session": cookie_export()}):
            connected = client.post("/api/v1/connections", json=body)
            assert connected.status_code == 201, connected.text
        connections = client.get("/api/v1/connections").json()
        assert len(connections) == 4
        kinds = {c["platform"]: c["kind"] for c in connections}
        assert (kinds["vk"], kinds["dzen"]) == ("oauth", "web_session")
        routes = {p["platform"]: p["connect"] for p in client.get("/api/v1/platforms").json()}
        assert routes == {"vk": "oauth", "dzen": "session", "telegram": "token", "rutube": "token"}


def test_failed_token_connects_are_limited_and_the_wait_is_in_minutes(strict: Api) -> None:
    _, token = strict.new_user()
    with strict.client(token) as client:
        wrong = {**TELEGRAM, "bot_token": WRONG_BOT_TOKEN}
        failed = [client.post("/api/v1/connections", json=wrong) for _ in range(3)]
        assert {f.status_code for f in failed} == {422}, failed[0].text
        refused = client.post("/api/v1/connections", json=TELEGRAM)  # now even a right token waits
        assert refused.status_code == 429 and 0 < int(refused.headers["Retry-After"]) <= 3600
        error = refused.json()["error"]
        assert error["code"] == "connect_throttled" and error["message"].endswith("мин")
        assert client.post("/api/v1/connections/oauth/vk/start").status_code == 429
        assert client.get("/api/v1/connections").json() == []


def test_a_failed_oauth_exchange_counts(strict: Api) -> None:
    _, token = strict.new_user()
    with strict.client(token) as client:
        for _ in range(3):  # cancelled: not failures
            state = query_of(_start(client, "vk"))["state"]
            assert _land(client, f"/oauth/vk/callback?state={state}&error=access_denied")
        for _ in range(3):
            callback = allow(_start(client, "vk"))
            code = query_of(callback)["code"]
            assert "error" in _land(client, callback.replace(code, "forged-code"))
        assert client.post("/api/v1/connections/oauth/vk/start").status_code == 429


def test_the_settings_page_says_how_many_minutes_to_wait(strict: Api) -> None:
    email, _ = strict.new_user()
    with login(strict, email) as browser:
        csrf = csrf_of(browser.get("/settings/platforms").text)
        form = {"bot_token": WRONG_BOT_TOKEN, "channel": "@clipmaker_demo"}
        for _ in range(3):
            browser.post("/settings/platforms/telegram/connect", data=form, headers=htmx(browser, csrf))
        block = browser.post("/settings/platforms/telegram/connect", data=form, headers=htmx(browser, csrf))
        assert "Слишком много неудачных подключений" in block.text and " мин" in block.text
        started = browser.post(
            "/settings/platforms/vk/oauth", data={"csrf_token": csrf}, follow_redirects=True
        )
        assert "Слишком много неудачных подключений" in started.text
