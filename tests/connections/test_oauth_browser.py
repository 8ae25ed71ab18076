"""An OAuth callback connects only in the browser that started the flow (real sandbox consent).

The attack: someone starts a flow and sends the consent link to a victim; the
victim consents, and the callback in the victim's browser must not connect the
victim's platform account to the sender's autopost user. The browser that
started the flow proves it with the state cookie set at start; a browser
signed in as the same user needs no cookie (a flow an API client started).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx2
import pytest

from autopost.connections.oauth_browser import keep_state_cookie, state_cookie_name
from autopost.platforms.catalog import Platform
from autopost.settings import Settings
from tests.conftest import Sandbox
from tests.support.api import Api, start_api
from tests.support.consent import allow, query_of
from tests.web.support import csrf_of, login, new_user, visible_text

OTHER_BROWSER = "Подключение начато в другом браузере"


@pytest.fixture
def api(tmp_path: Path, database_url: str, sandbox: Sandbox) -> Iterator[Api]:
    yield from start_api(tmp_path, database_url, None, sandbox_url=sandbox.url)


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _start_on_page(browser: httpx2.Client, platform: str) -> httpx2.Response:
    """«Подключить …» on Настройки → Платформы: the answer sends the browser to the consent page."""
    csrf = csrf_of(browser.get("/settings/platforms").text)
    started = browser.post(f"/settings/platforms/{platform}/oauth", data={"csrf_token": csrf})
    assert started.status_code == 303 and not started.headers["location"].startswith("/"), started.text
    return started


def _cookie_header(response: httpx2.Response, name: str) -> str:
    found = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")]
    assert len(found) == 1, response.headers.get_list("set-cookie")
    return found[0]


def _landed(response: httpx2.Response) -> dict[str, str]:
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith("/settings/platforms?")
    return query_of(response.headers["location"])


def _refused_here(response: httpx2.Response) -> str:
    """A browser signed in to nobody is told why on the login page, not sent on."""
    assert response.status_code == 403, response.text
    assert 'action="/login"' in response.text
    return visible_text(response.text)


def _connections(api: Api, token: str) -> list[dict[str, object]]:
    with api.client(token) as client:
        return list(client.get("/api/v1/connections").json())


def test_a_consent_link_sent_to_another_browser_connects_nothing(api: Api) -> None:
    attacker_email, attacker_token = new_user(api)
    with login(api, attacker_email) as attacker:
        authorize_url = _start_on_page(attacker, "vk").headers["location"]
        # The victim opens the link in their own browser, never signed in to autopost, and consents.
        callback = allow(authorize_url)
        with httpx2.Client(base_url=api.url, timeout=30) as victim:
            text = _refused_here(victim.get(_path(callback)))
        assert OTHER_BROWSER in text
        assert _connections(api, attacker_token) == []
        # The refused callback spent the state: the link sent back to the attacker connects nothing either.
        assert _landed(attacker.get(_path(callback)))["error"] == "oauth_state_invalid"
    assert _connections(api, attacker_token) == []


def test_the_browser_that_started_connects_once(api: Api) -> None:
    email, token = new_user(api)
    with login(api, email) as browser:
        started = _start_on_page(browser, "vk")
        state = query_of(started.headers["location"])["state"]
        cookie = _cookie_header(started, state_cookie_name(Platform.VK))
        assert state not in cookie  # the cookie is a proof of the state, not the state
        attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
        assert {"httponly", "samesite=lax", "path=/oauth/vk/callback", "max-age=600"} <= attributes
        assert "secure" not in attributes  # the public URL is http here

        callback = allow(started.headers["location"])
        landed = browser.get(_path(callback))
        assert _landed(landed) == {"connected": "vk"}
        assert "max-age=0" in _cookie_header(landed, state_cookie_name(Platform.VK)).lower()
        assert browser.cookies.get(state_cookie_name(Platform.VK)) is None

        assert _landed(browser.get(_path(callback)))["error"] == "oauth_state_invalid"
    assert [c["platform"] for c in _connections(api, token)] == ["vk"]


def test_another_flows_cookie_is_refused_and_keeps_its_own_flow(api: Api) -> None:
    email, token = new_user(api)
    with login(api, email) as browser:
        first = allow(_start_on_page(browser, "vk").headers["location"])
        second = allow(_start_on_page(browser, "vk").headers["location"])  # its cookie replaces the first's
        csrf = csrf_of(browser.get("/settings/platforms").text)
        assert browser.post("/logout", data={"csrf_token": csrf}).status_code == 303
        # Signed out, the browser proves only the second flow.
        assert OTHER_BROWSER in _refused_here(browser.get(_path(first)))
        assert _connections(api, token) == []
        assert browser.cookies.get(state_cookie_name(Platform.VK))  # not this callback's cookie: kept
        assert _landed(browser.get(_path(second))) == {"connected": "vk"}
    assert len(_connections(api, token)) == 1


def test_a_browser_signed_in_as_someone_else_is_refused(api: Api) -> None:
    email, token = new_user(api)
    with api.client(token) as server:
        authorize_url = server.post("/api/v1/connections/oauth/vk/start").json()["authorize_url"]
    callback = allow(authorize_url)
    other_email, other_token = new_user(api)
    with login(api, other_email) as other:
        assert _landed(other.get(_path(callback))) == {"error": "oauth_other_user", "platform": "vk"}
        notice = visible_text(other.get("/settings/platforms?error=oauth_other_user&platform=vk").text)
        assert "Подключение начато другим пользователем" in notice
    with login(api, email) as browser:  # spent: the right browser cannot use it afterwards
        assert _landed(browser.get(_path(callback)))["error"] == "oauth_state_invalid"
    assert _connections(api, token) == [] and _connections(api, other_token) == []


def test_a_flow_an_api_client_started_needs_the_users_signed_in_browser(api: Api) -> None:
    """The API's start answers a server, not the user's browser: no cookie reaches that browser, so the
    callback wants the browser signed in to autopost as the user who started."""
    email, token = new_user(api)

    def start() -> str:
        with api.client(token) as server:  # its cookie jar ends here, as a server's would
            started = server.post("/api/v1/connections/oauth/vk/start")
            assert started.status_code == 200
            return allow(started.json()["authorize_url"])

    with httpx2.Client(base_url=api.url, timeout=30, headers={"Accept-Language": "en"}) as nobody:
        assert "This connection was started in another browser" in _refused_here(nobody.get(_path(start())))
    assert _connections(api, token) == []
    with login(api, email) as browser:
        assert _landed(browser.get(_path(start()))) == {"connected": "vk"}
    assert len(_connections(api, token)) == 1


def test_the_state_cookie_is_secure_when_the_public_url_is_https(tmp_path: Path) -> None:
    from starlette.responses import Response

    response = Response()
    settings = Settings(public_url="https://autopost.example/base", data_dir=tmp_path)
    keep_state_cookie(response, settings, Platform.VK, "proof")
    cookie = response.headers["set-cookie"].lower()
    assert "; secure" in cookie and "path=/base/oauth/vk/callback" in cookie
