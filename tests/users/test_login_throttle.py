"""Wrong passwords slow down the address that sends them; they never lock the owner out elsewhere.

Loopback is a whole /8 on Linux: a client bound to 127.0.0.2 is a different address to the server.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from tests.support.api import Api, start_api

PASSWORD = "correct-horse-1"


def _from(api: Api, address: str) -> httpx2.Client:
    transport = httpx2.HTTPTransport(local_address=address)
    return httpx2.Client(base_url=api.url, timeout=30, transport=transport)


def _login(client: httpx2.Client, email: str, password: str) -> httpx2.Response:
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


def test_wrong_passwords_from_one_address_do_not_stop_the_owner_at_another(api: Api) -> None:
    email, _ = api.new_user(password=PASSWORD)
    with _from(api, "127.0.0.2") as attacker:
        codes = [_login(attacker, email, f"wrong-{n}").status_code for n in range(10)]
    assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}
    with _from(api, "127.0.0.1") as owner:
        assert _login(owner, email, PASSWORD).status_code == 200


def test_repeated_failures_are_slowed_and_the_refusal_says_how_long(api: Api) -> None:
    email, _ = api.new_user(password=PASSWORD)
    with _from(api, "127.0.0.3") as client:
        assert [_login(client, email, f"wrong-{n}").status_code for n in range(5)] == [401] * 5
        refused = _login(client, email, PASSWORD)  # while slowed, even the right password waits
        assert refused.status_code == 429
        seconds = int(refused.headers["Retry-After"])
        assert 0 < seconds <= 15
        assert refused.json()["error"]["code"] == "login_throttled"
        assert refused.json()["error"]["message"].endswith(f"через {seconds} с")
        english = client.post(
            "/api/v1/auth/login",
            json={"email": email, "password": PASSWORD},
            headers={"Accept-Language": "en"},
        )
        assert english.json()["error"]["message"].endswith(f"in {english.headers['Retry-After']} s")


def test_a_success_forgets_the_failures_of_that_address(api: Api) -> None:
    email, _ = api.new_user(password=PASSWORD)
    with _from(api, "127.0.0.4") as client:
        for _ in range(3):
            assert [_login(client, email, f"wrong-{n}").status_code for n in range(4)] == [401] * 4
            assert _login(client, email, PASSWORD).status_code == 200


@pytest.fixture
def capped_api(tmp_path: Path, database_url: str) -> Iterator[Api]:
    yield from start_api(tmp_path, database_url, None, login_failures_per_ip=6)


def test_one_address_trying_many_accounts_is_capped(capped_api: Api) -> None:
    emails = [capped_api.new_user(password=PASSWORD)[0] for _ in range(3)]
    with _from(capped_api, "127.0.0.5") as client:
        codes = [_login(client, email, "wrong-password").status_code for email in emails for _ in range(2)]
        assert codes == [401] * 6
        capped = _login(client, emails[0], PASSWORD)
        assert capped.status_code == 429 and int(capped.headers["Retry-After"]) > 60
        assert capped.json()["error"]["message"].endswith("мин")
    with _from(capped_api, "127.0.0.6") as elsewhere:
        assert _login(elsewhere, emails[0], PASSWORD).status_code == 200


def test_the_login_page_is_slowed_like_the_api(api: Api) -> None:
    email, _ = api.new_user(password=PASSWORD)
    with _from(api, "127.0.0.7") as browser:
        for n in range(5):
            assert (
                "Неверная электронная почта"
                in browser.post("/login", data={"email": email, "password": f"wrong-{n}"}).text
            )
        slowed = browser.post("/login", data={"email": email, "password": PASSWORD})
        assert slowed.status_code == 200 and "Слишком много неудачных попыток входа" in slowed.text
        assert "autopost_session" not in slowed.headers.get("set-cookie", "")
        assert _login(browser, email, PASSWORD).status_code == 429  # the page and the API share counters
    with _from(api, "127.0.0.8") as owner:
        right = owner.post("/login", data={"email": email, "password": PASSWORD})
        assert right.status_code == 303 and "autopost_session" in right.headers["set-cookie"]
