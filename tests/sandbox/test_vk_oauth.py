"""VK ID OAuth 2.1 + PKCE against the emulator: Authlib's client, consent, exchange, rotation, refusals."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from authlib.integrations.base_client import OAuthError
from authlib.integrations.httpx_client import AsyncOAuth2Client

from tests.conftest import Sandbox
from tests.sandbox.test_vk_support import (
    CLIENT_ID,
    REDIRECT_URI,
    Vk,
    authorize,
    consent_form,
    login,
    pkce_pair,
    redirect_query,
)


@pytest.fixture
def vk(sandbox: Sandbox) -> Iterator[Vk]:
    with Vk(sandbox) as client:
        client.configure(enforce_rate_limits=False)
        yield client


def _exchange(vk: Vk, redirect: dict[str, str], verifier: str, **changes: str) -> dict[str, Any]:
    data = {
        "grant_type": "authorization_code",
        "code": redirect["code"],
        "code_verifier": verifier,
        "client_id": CLIENT_ID,
        "device_id": redirect["device_id"],
        "redirect_uri": REDIRECT_URI,
        "state": redirect["state"],
        **changes,
    }
    response = vk.http.post("/vkid/oauth2/auth", data=data)
    body: dict[str, Any] = response.json()
    assert response.status_code == (200 if "access_token" in body else 400), body
    return body


async def test_authlib_completes_the_pkce_flow_and_refresh_rotates(vk: Vk) -> None:
    token_url = f"{vk.url}/vkid/oauth2/auth"
    async with AsyncOAuth2Client(
        client_id=CLIENT_ID,
        token_endpoint_auth_method="none",
        redirect_uri=REDIRECT_URI,
        scope="vkid.personal_info video wall",
        code_challenge_method="S256",
    ) as client:
        verifier, _ = pkce_pair()
        url, state = client.create_authorization_url(f"{vk.url}/vkid/authorize", code_verifier=verifier)
        # The browser's part: open the consent page and press «Разрешить».
        page = vk.http.get(url)
        assert page.status_code == 200 and "Разрешить" in page.text and "Анна Смирнова" in page.text
        decision = vk.http.post("/vkid/authorize", data={**consent_form(page.text), "decision": "allow"})
        redirect = redirect_query(decision)
        assert redirect["state"] == state and redirect["expires_in"] == "600"

        token = await client.fetch_token(
            token_url, code=redirect["code"], code_verifier=verifier, device_id=redirect["device_id"]
        )
        assert token["token_type"] == "Bearer" and token["expires_in"] == 3600 and token["user_id"] == 1001
        assert set(token["scope"].split()) == {"vkid.personal_info", "video", "wall"}
        assert token["id_token"].count(".") == 2

        first_refresh = token["refresh_token"]
        refreshed = await client.refresh_token(token_url, device_id=redirect["device_id"])
        assert refreshed["refresh_token"] != first_refresh
        assert refreshed["access_token"] != token["access_token"]
        with pytest.raises(OAuthError) as refused:
            await client.refresh_token(
                token_url, refresh_token=first_refresh, device_id=redirect["device_id"]
            )
        assert refused.value.error == "invalid_grant"


def test_the_issued_token_calls_the_api_with_its_scopes(vk: Vk) -> None:
    tokens = login(vk)
    assert tokens["user_id"] == 1001 and tokens["state"].startswith("state-")
    assert vk.call("users.get", token=tokens["access_token"])["response"][0]["first_name"] == "Анна"
    saved = vk.call("video.save", token=tokens["access_token"], name="через VK ID")["response"]
    assert saved["owner_id"] == 1001


def test_unapproved_scopes_are_not_granted(vk: Vk) -> None:
    verifier, challenge = pkce_pair()
    page = vk.http.get(
        "/vkid/authorize",
        params={
            "response_type": "code",
            "client_id": "51900002",
            "redirect_uri": REDIRECT_URI,
            "state": "s",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "scope": "vkid.personal_info video wall",
        },
    )
    assert page.status_code == 200 and "не одобрен" in page.text
    redirect = redirect_query(
        vk.http.post("/vkid/authorize", data={**consent_form(page.text), "decision": "allow"})
    )
    tokens = _exchange(vk, redirect, verifier, client_id="51900002")
    assert tokens["scope"] == "vkid.personal_info"
    error = vk.call("video.save", token=tokens["access_token"], name="x")["error"]
    assert (error["error_code"], error["error_msg"]) == (15, "Access denied: no access to call this method")


def test_wrong_code_verifier_is_refused(vk: Vk) -> None:
    verifier, challenge = pkce_pair()
    redirect = authorize(vk, challenge)
    wrong, _ = pkce_pair()
    refused = _exchange(vk, redirect, wrong)
    assert refused["error"] == "invalid_grant" and refused["state"] == redirect["state"]
    assert "access_token" in _exchange(vk, redirect, verifier)


def test_a_code_works_once(vk: Vk) -> None:
    verifier, challenge = pkce_pair()
    redirect = authorize(vk, challenge)
    assert "access_token" in _exchange(vk, redirect, verifier)
    assert _exchange(vk, redirect, verifier)["error"] == "invalid_grant"


def test_a_code_expires_after_ten_minutes(vk: Vk) -> None:
    verifier, challenge = pkce_pair()
    redirect = authorize(vk, challenge)
    vk.advance(601)
    assert _exchange(vk, redirect, verifier)["error"] == "invalid_grant"


def test_the_code_is_bound_to_redirect_uri_and_device(vk: Vk) -> None:
    verifier, challenge = pkce_pair()
    redirect = authorize(vk, challenge)
    assert (
        _exchange(vk, redirect, verifier, redirect_uri="http://localhost/other")["error"] == "invalid_grant"
    )
    assert _exchange(vk, redirect, verifier, device_id="another-device")["error"] == "invalid_grant"
    assert _exchange(vk, redirect, verifier, code_verifier="")["error"] == "invalid_request"
    assert "access_token" in _exchange(vk, redirect, verifier)


def test_refresh_needs_the_same_device_and_works_after_expiry(vk: Vk) -> None:
    tokens = login(vk)
    refresh = {
        "grant_type": "refresh_token",
        "refresh_token": tokens["refresh_token"],
        "client_id": CLIENT_ID,
    }
    wrong_device = vk.http.post("/vkid/oauth2/auth", data={**refresh, "device_id": "elsewhere"})
    assert wrong_device.json()["error"] == "invalid_grant"
    vk.advance(3600)
    assert vk.call("users.get", token=tokens["access_token"])["error"]["error_code"] == 5
    renewed = vk.http.post(
        "/vkid/oauth2/auth", data={**refresh, "device_id": tokens["device_id"], "state": "r"}
    )
    assert renewed.status_code == 200 and renewed.json()["state"] == "r"
    assert "response" in vk.call("users.get", token=renewed.json()["access_token"])


def test_cancel_redirects_with_access_denied(vk: Vk) -> None:
    _, challenge = pkce_pair()
    page = vk.http.get(
        "/vkid/authorize",
        params={
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": REDIRECT_URI + "?from=settings",
            "state": "abc",
            "code_challenge": challenge,
            "code_challenge_method": "s256",
        },
    )
    query = redirect_query(
        vk.http.post("/vkid/authorize", data={**consent_form(page.text), "decision": "deny"})
    )
    assert query == {
        "from": "settings",
        "error": "access_denied",
        "error_description": "User denied access",
        "state": "abc",
    }


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"client_id": "424242"}, "client_id"),
        ({"code_challenge": ""}, "PKCE"),
        ({"code_challenge_method": "plain"}, "PKCE"),
        ({"redirect_uri": "https://evil.example/cb"}, "redirect_uri"),
        ({"response_type": "token"}, "response_type"),
    ],
)
def test_bad_authorize_requests_get_an_error_page(vk: Vk, change: dict[str, str], reason: str) -> None:
    _, challenge = pkce_pair()
    params = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "state": "s",
        "code_challenge": challenge,
        "code_challenge_method": "s256",
        **change,
    }
    page = vk.http.get("/vkid/authorize", params=params)
    assert page.status_code == 400 and reason in page.text
    # A tampered form is checked again and never redirects.
    assert vk.http.post("/vkid/authorize", data={**params, "decision": "allow"}).status_code == 400


def test_user_info_gives_name_and_avatar(vk: Vk) -> None:
    tokens = login(vk)
    response = vk.http.post(
        "/vkid/oauth2/user_info", data={"access_token": tokens["access_token"], "client_id": CLIENT_ID}
    )
    user = response.json()["user"]
    assert (user["user_id"], user["first_name"], user["last_name"]) == ("1001", "Анна", "Смирнова")
    assert vk.http.get(user["avatar"]).headers["content-type"].startswith("image/svg")
    refused = vk.http.post("/vkid/oauth2/user_info", data={"access_token": "nope", "client_id": CLIENT_ID})
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_token"


def test_id_token_names_the_user_and_the_app(vk: Vk) -> None:
    payload = login(vk)["id_token"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert (claims["sub"], claims["aud"]) == ("1001", CLIENT_ID)
