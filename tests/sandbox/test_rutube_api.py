"""Rutube emulator over real HTTP: token auth, DRF-style errors, throttling and injected faults."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from autopost_sandbox.rutube.store import SEEDED_ACCOUNTS
from tests.conftest import Sandbox

CLASSIC, MODERN, *_ = SEEDED_ACCOUNTS
CLASSIC_LOGIN = {"username": CLASSIC.username, "password": CLASSIC.password}
MODERN_LOGIN = {"username": MODERN.username, "password": MODERN.password}


@pytest.fixture
def rutube(sandbox: Sandbox) -> Iterator[httpx2.Client]:
    headers = {"Accept": "application/json"}
    with httpx2.Client(base_url=f"{sandbox.url}/rutube/api", headers=headers, timeout=10) as client:
        yield client


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Token {token}"}


def add_fault(sandbox: Sandbox, **fault: Any) -> None:
    with sandbox.control() as control:
        control.post("/faults", json={"platform": "rutube", **fault}).raise_for_status()


def no_rate_limits(sandbox: Sandbox) -> None:
    with sandbox.control() as control:
        control.post("/config", json={"enforce_rate_limits": False}).raise_for_status()


def test_token_auth_returns_the_accounts_token(rutube: httpx2.Client) -> None:
    answer = rutube.post("/accounts/token_auth/", json=CLASSIC_LOGIN)

    assert answer.status_code == 200
    assert answer.json() == {"token": CLASSIC.token}
    mine = rutube.get("/video/person/", headers=auth(answer.json()["token"]))
    assert mine.status_code == 200
    assert mine.json()["results"] == []


def test_token_auth_refuses_wrong_credentials(rutube: httpx2.Client) -> None:
    answer = rutube.post("/accounts/token_auth/", json={"username": CLASSIC.username, "password": "nope"})

    assert answer.status_code == 400
    assert answer.json() == {"non_field_errors": ["Unable to login with provided credentials."]}


def test_token_auth_requires_both_fields(rutube: httpx2.Client) -> None:
    answer = rutube.post("/accounts/token_auth/", json={"username": CLASSIC.username})

    assert answer.status_code == 400
    assert set(answer.json()) == {"password"}


def test_modern_account_is_refused_login_but_its_pasted_token_works(rutube: httpx2.Client) -> None:
    login = rutube.post("/accounts/token_auth/", json=MODERN_LOGIN)
    pasted = rutube.get("/video/person/", headers=auth(MODERN.token))

    assert login.status_code == 400
    assert login.json() == {"non_field_errors": ["Unable to login with provided credentials."]}
    assert pasted.status_code == 200


def test_missing_token_is_401_in_drf_style(rutube: httpx2.Client) -> None:
    answer = rutube.post("/video/", json={"url": "https://example.com/clip.mp4"})

    assert answer.status_code == 401
    assert answer.json() == {"detail": "Authentication credentials were not provided."}
    assert answer.headers["www-authenticate"] == "Token"


def test_unknown_token_is_401_invalid_token(rutube: httpx2.Client) -> None:
    answer = rutube.get("/video/person/", headers=auth("0" * 40))

    assert answer.status_code == 401
    assert answer.json() == {"detail": "Invalid token."}


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"title": "без ссылки"}, {"url": ["url обязательное поле"]}),
        ({"url": ""}, {"url": ["url обязательное поле"]}),
        ({"url": "clip.mp4"}, {"url": ["Неправильный url"]}),
        ({"url": "ftp://example.com/clip.mp4"}, {"url": ["Неправильный url"]}),
        (
            {"url": "https://example.com/a.mp4", "callback_url": "nope"},
            {"callback_url": ["Неправильный url"]},
        ),
        (
            {"url": "https://example.com/a.mp4", "category_id": 999},
            {"category_id": ["Категория не найдена."]},
        ),
    ],
)
def test_create_validation_errors_are_field_lists(
    sandbox: Sandbox, rutube: httpx2.Client, body: dict[str, Any], errors: dict[str, list[str]]
) -> None:
    answer = rutube.post("/video/", json=body, headers=auth(CLASSIC.token))

    assert answer.status_code == 400
    assert answer.json() == errors
    with sandbox.control() as control:
        assert control.get("/state").json()["posts"] == []


def test_create_rejects_a_title_over_100_characters(rutube: httpx2.Client) -> None:
    body = {"url": "https://example.com/a.mp4", "title": "я" * 101}

    answer = rutube.post("/video/", json=body, headers=auth(CLASSIC.token))

    assert answer.status_code == 400
    assert list(answer.json()) == ["title"]
    assert "не более 100 символов" in answer.json()["title"][0]


def test_unsupported_body_type_is_415(rutube: httpx2.Client) -> None:
    answer = rutube.post(
        "/video/", content=b"<xml/>", headers={**auth(CLASSIC.token), "Content-Type": "text/xml"}
    )

    assert answer.status_code == 415


def test_throttle_allows_one_call_per_second_per_token(sandbox: Sandbox, rutube: httpx2.Client) -> None:
    first = rutube.get("/video/person/", headers=auth(CLASSIC.token))
    second = rutube.get("/video/person/", headers=auth(CLASSIC.token))
    other_token = rutube.get("/video/person/", headers=auth(MODERN.token))
    with sandbox.control() as control:
        control.post("/clock", json={"advance": 1.0}).raise_for_status()
    later = rutube.get("/video/person/", headers=auth(CLASSIC.token))

    assert first.status_code == 200
    assert second.status_code == 429
    assert second.headers["retry-after"] == "1"
    assert second.json() == {"detail": "Request was throttled. Expected available in 1 second."}
    assert other_token.status_code == 200
    assert later.status_code == 200


def test_rate_limit_fault_is_a_drf_throttle_with_retry_after(sandbox: Sandbox, rutube: httpx2.Client) -> None:
    add_fault(sandbox, fault="rate_limit", retry_after=7, on="video.list")

    answer = rutube.get("/video/person/", headers=auth(CLASSIC.token))

    assert answer.status_code == 429
    assert answer.headers["retry-after"] == "7"
    assert answer.json() == {"detail": "Request was throttled. Expected available in 7 seconds."}


def test_server_error_fault_is_nginx_html(sandbox: Sandbox, rutube: httpx2.Client) -> None:
    add_fault(sandbox, fault="server_error")

    answer = rutube.get("/video/person/", headers=auth(CLASSIC.token))

    assert answer.status_code == 502
    assert answer.headers["content-type"].startswith("text/html")
    assert "502 Bad Gateway" in answer.text


def test_token_expired_fault_is_401_invalid_token(sandbox: Sandbox, rutube: httpx2.Client) -> None:
    add_fault(sandbox, fault="token_expired")

    answer = rutube.get("/video/person/", headers=auth(CLASSIC.token))

    assert answer.status_code == 401
    assert answer.json() == {"detail": "Invalid token."}


def test_reset_fault_drops_the_connection_after_login(sandbox: Sandbox, rutube: httpx2.Client) -> None:
    add_fault(sandbox, fault="reset", on="token_auth")

    with pytest.raises(httpx2.RemoteProtocolError):
        rutube.post("/accounts/token_auth/", json=CLASSIC_LOGIN)
    again = rutube.post("/accounts/token_auth/", json=CLASSIC_LOGIN)
    assert again.json() == {"token": CLASSIC.token}


def test_timeout_fault_hangs_after_answering_is_ready(sandbox: Sandbox, rutube: httpx2.Client) -> None:
    add_fault(sandbox, fault="timeout", on="token_auth", delay=2)

    with pytest.raises(httpx2.ReadTimeout):
        rutube.post(
            "/accounts/token_auth/",
            json=CLASSIC_LOGIN,
            timeout=0.3,
        )


def test_captcha_fault_does_not_exist_on_rutube(sandbox: Sandbox, rutube: httpx2.Client) -> None:
    add_fault(sandbox, fault="captcha")

    answer = rutube.get("/video/person/", headers=auth(CLASSIC.token))

    assert answer.status_code == 200
    with sandbox.control() as control:
        assert [f["fault"] for f in control.get("/state").json()["faults"]] == ["captcha"]


def test_categories_are_public_a_bare_array_and_include_the_default(rutube: httpx2.Client) -> None:
    answer = rutube.get("/video/category/")

    assert answer.status_code == 200
    assert isinstance(answer.json(), list)  # not the paged envelope of the listings
    assert 13 in {c["id"] for c in answer.json()}


def test_demo_accounts_list_every_rutube_account(sandbox: Sandbox) -> None:
    with sandbox.control() as control:
        accounts = [a for a in control.get("/accounts").json() if a["platform"] == "rutube"]

    assert {a["credentials"].get("token") for a in accounts} == {CLASSIC.token, MODERN.token, None}
    assert {a["credentials"].get("username") for a in accounts} == {CLASSIC.username, MODERN.username, None}
