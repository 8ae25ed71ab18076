"""Yandex OAuth emulator over real HTTP, driven by Authlib's AsyncOAuth2Client (as the provider will)."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.httpx_client import AsyncOAuth2Client

from autopost_sandbox.dzen.registry import SEEDED_APP, SEEDED_USERS
from tests.conftest import Sandbox

REDIRECT_URI = "http://127.0.0.1:8765/oauth/dzen/callback"
PUBLISHER, NO_CHANNEL = SEEDED_USERS
DAY = 24 * 3600


@dataclass
class ConsentForm:
    action: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    accounts: list[str] = field(default_factory=list)


class _FormReader(HTMLParser):
    """Reads the consent page the way a browser submits it: hidden inputs, the checked radio."""

    def __init__(self) -> None:
        super().__init__()
        self.form = ConsentForm()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.form.action = attributes["action"]
        if tag == "input" and attributes.get("type") == "radio":
            self.form.accounts.append(attributes["value"])
        if tag == "input" and (attributes.get("type") == "hidden" or "checked" in attributes):
            self.form.fields[attributes["name"]] = attributes["value"]


def read_form(html: str) -> ConsentForm:
    reader = _FormReader()
    reader.feed(html)
    return reader.form


def oauth_client() -> AsyncOAuth2Client:
    return AsyncOAuth2Client(
        client_id=SEEDED_APP.client_id,
        client_secret=SEEDED_APP.client_secret,
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
    )


async def consent(sandbox: Sandbox, authorize_url: str, decision: str = "allow", uid: str = "") -> str:
    """Open the consent page, press a button, return where Yandex sends the browser back."""
    async with httpx2.AsyncClient(base_url=sandbox.url) as browser:
        page = await browser.get(authorize_url)
        assert page.status_code == 200
        assert "Разрешить" in page.text and "Отмена" in page.text
        form = read_form(page.text)
        fields = {**form.fields, "decision": decision, **({"uid": uid} if uid else {})}
        answer = await browser.post(form.action, data=fields)
    assert answer.status_code == 302
    return answer.headers["location"]


async def authorize(sandbox: Sandbox, client: AsyncOAuth2Client, verifier: str) -> tuple[str, str]:
    url, state = client.create_authorization_url(
        f"{sandbox.url}/yandex-oauth/authorize", code_verifier=verifier
    )
    return await consent(sandbox, url), state


def token_url(sandbox: Sandbox) -> str:
    return f"{sandbox.url}/yandex-oauth/token"


def advance(sandbox: Sandbox, seconds: float) -> None:
    with sandbox.control() as control:
        control.post("/clock", json={"advance": seconds}).raise_for_status()


def info(sandbox: Sandbox, access_token: str) -> httpx2.Response:
    return httpx2.get(f"{sandbox.url}/yandex-oauth/info", headers={"Authorization": f"OAuth {access_token}"})


async def test_authlib_completes_the_code_flow_with_pkce_and_refreshes(sandbox: Sandbox) -> None:
    verifier = generate_token(48)
    async with oauth_client() as client:
        location, state = await authorize(sandbox, client, verifier)
        token = await client.fetch_token(
            token_url(sandbox), authorization_response=location, state=state, code_verifier=verifier
        )
        refreshed = await client.refresh_token(token_url(sandbox), refresh_token=token["refresh_token"])

    assert location.startswith(REDIRECT_URI + "?")
    assert parse_qs(urlsplit(location).query)["state"] == [state]
    assert token["token_type"] == "bearer"
    assert 365 * DAY - 60 <= token["expires_in"] <= 365 * DAY
    me = info(sandbox, token["access_token"])
    assert me.status_code == 200
    assert (me.json()["id"], me.json()["login"]) == (PUBLISHER.uid, PUBLISHER.login)
    assert me.json()["client_id"] == SEEDED_APP.client_id
    # Yandex keeps a long-lived access token on refresh; the refresh token is new.
    assert refreshed["access_token"] == token["access_token"]
    assert refreshed["refresh_token"] != token["refresh_token"]


async def test_refresh_late_in_life_issues_a_new_token_and_spends_the_old_refresh(sandbox: Sandbox) -> None:
    verifier = generate_token(48)
    async with oauth_client() as client:
        location, state = await authorize(sandbox, client, verifier)
        token = await client.fetch_token(
            token_url(sandbox), authorization_response=location, state=state, code_verifier=verifier
        )
        advance(sandbox, 200 * DAY)
        refreshed = await client.refresh_token(token_url(sandbox), refresh_token=token["refresh_token"])
        with pytest.raises(OAuthError) as spent:
            await client.refresh_token(token_url(sandbox), refresh_token=token["refresh_token"])

    assert refreshed["access_token"] != token["access_token"]
    assert 365 * DAY - 60 <= refreshed["expires_in"] <= 365 * DAY
    assert spent.value.error == "invalid_grant"
    assert info(sandbox, refreshed["access_token"]).json()["login"] == PUBLISHER.login


async def test_a_code_is_single_use(sandbox: Sandbox) -> None:
    verifier = generate_token(48)
    async with oauth_client() as client:
        location, state = await authorize(sandbox, client, verifier)
        await client.fetch_token(
            token_url(sandbox), authorization_response=location, state=state, code_verifier=verifier
        )
        with pytest.raises(OAuthError) as reused:
            await client.fetch_token(
                token_url(sandbox), authorization_response=location, state=state, code_verifier=verifier
            )

    assert reused.value.error == "invalid_grant"


async def test_wrong_pkce_verifier_is_refused(sandbox: Sandbox) -> None:
    async with oauth_client() as client:
        location, state = await authorize(sandbox, client, generate_token(48))
        with pytest.raises(OAuthError) as refused:
            await client.fetch_token(
                token_url(sandbox),
                authorization_response=location,
                state=state,
                code_verifier=generate_token(48),
            )

    assert refused.value.error == "invalid_grant"


async def test_code_expires_after_ten_minutes(sandbox: Sandbox) -> None:
    verifier = generate_token(48)
    async with oauth_client() as client:
        location, state = await authorize(sandbox, client, verifier)
        advance(sandbox, 601)
        with pytest.raises(OAuthError) as expired:
            await client.fetch_token(
                token_url(sandbox), authorization_response=location, state=state, code_verifier=verifier
            )

    assert expired.value.error == "invalid_grant"


@pytest.mark.parametrize("where", ["basic", "body"])
async def test_wrong_client_secret_is_invalid_client(sandbox: Sandbox, where: str) -> None:
    verifier = generate_token(48)
    async with oauth_client() as client:
        location, _ = await authorize(sandbox, client, verifier)
    form: dict[str, Any] = {
        "grant_type": "authorization_code",
        "code": parse_qs(urlsplit(location).query)["code"][0],
        "code_verifier": verifier,
    }
    headers = {}
    if where == "basic":
        pair = f"{SEEDED_APP.client_id}:wrong".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
    else:
        form.update(client_id=SEEDED_APP.client_id, client_secret="wrong")

    answer = httpx2.post(token_url(sandbox), data=form, headers=headers)

    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_client"


async def test_tokens_expire_on_the_moved_clock(sandbox: Sandbox) -> None:
    verifier = generate_token(48)
    async with oauth_client() as client:
        location, state = await authorize(sandbox, client, verifier)
        token = await client.fetch_token(
            token_url(sandbox), authorization_response=location, state=state, code_verifier=verifier
        )
        before = info(sandbox, token["access_token"])
        advance(sandbox, 366 * DAY)
        after = info(sandbox, token["access_token"])
        dzen = httpx2.get(
            f"{sandbox.url}/dzen/api/v1/publishers/me",
            headers={"Authorization": f"OAuth {token['access_token']}"},
        )
        with pytest.raises(OAuthError) as refresh:
            await client.refresh_token(token_url(sandbox), refresh_token=token["refresh_token"])

    assert before.status_code == 200
    assert after.status_code == 401
    assert dzen.status_code == 401
    assert dzen.json()["error"] == "UnauthorizedError"
    assert refresh.value.error == "invalid_grant"


async def test_cancel_redirects_with_access_denied(sandbox: Sandbox) -> None:
    async with oauth_client() as client:
        url, state = client.create_authorization_url(f"{sandbox.url}/yandex-oauth/authorize")

    location = await consent(sandbox, url, decision="deny")

    assert parse_qs(urlsplit(location).query) == {"error": ["access_denied"], "state": [state]}


async def test_the_consent_page_offers_both_accounts(sandbox: Sandbox) -> None:
    async with oauth_client() as client:
        url, _ = client.create_authorization_url(f"{sandbox.url}/yandex-oauth/authorize")
    page = httpx2.get(url)
    form = read_form(page.text)
    location = await consent(sandbox, url, uid=NO_CHANNEL.uid)
    code = parse_qs(urlsplit(location).query)["code"][0]
    token = httpx2.post(
        token_url(sandbox),
        data={"grant_type": "authorization_code", "code": code},
        auth=(SEEDED_APP.client_id, SEEDED_APP.client_secret),
    ).json()

    assert form.accounts == [PUBLISHER.uid, NO_CHANNEL.uid]
    assert form.fields["uid"] == PUBLISHER.uid
    assert "<script" not in page.text
    assert info(sandbox, token["access_token"]).json()["login"] == NO_CHANNEL.login


@pytest.mark.parametrize(
    "params",
    [
        {"client_id": "unknown", "redirect_uri": REDIRECT_URI},
        {"client_id": SEEDED_APP.client_id, "redirect_uri": "https://evil.example/callback"},
    ],
)
def test_untrusted_client_or_redirect_gets_an_error_page_not_a_redirect(
    sandbox: Sandbox, params: dict[str, str]
) -> None:
    answer = httpx2.get(f"{sandbox.url}/yandex-oauth/authorize", params={"response_type": "code", **params})

    assert answer.status_code == 400
    assert "location" not in answer.headers
    assert answer.headers["content-type"].startswith("text/html")


def test_info_needs_the_oauth_scheme(sandbox: Sandbox) -> None:
    with sandbox.control() as control:
        accounts = control.get("/accounts").json()
    token = next(
        a["credentials"]["access_token"] for a in accounts if a["credentials"].get("login") == PUBLISHER.login
    )

    assert info(sandbox, token).status_code == 200
    bearer = httpx2.get(f"{sandbox.url}/yandex-oauth/info", headers={"Authorization": f"Bearer {token}"})
    assert bearer.status_code == 401


@pytest.mark.parametrize(("fault", "status"), [("rate_limit", 429), ("server_error", 503)])
async def test_faults_on_the_token_endpoint_answer_as_its_gateway_and_spend_nothing(
    sandbox: Sandbox, fault: str, status: int
) -> None:
    verifier = generate_token(48)
    async with oauth_client() as client:
        location, state = await authorize(sandbox, client, verifier)
        token = await client.fetch_token(
            token_url(sandbox), authorization_response=location, state=state, code_verifier=verifier
        )
    with sandbox.control() as control:
        body = {"platform": "dzen", "fault": fault, "on": "oauth.token", "retry_after": 4}
        control.post("/faults", json=body).raise_for_status()
    form = {
        "grant_type": "refresh_token",
        "refresh_token": token["refresh_token"],
        "client_id": SEEDED_APP.client_id,
        "client_secret": SEEDED_APP.client_secret,
    }
    failed = httpx2.post(token_url(sandbox), data=form)
    renewed = httpx2.post(token_url(sandbox), data=form)

    assert failed.status_code == status and "json" not in failed.headers["content-type"]
    assert failed.headers.get("retry-after") == ("4" if fault == "rate_limit" else None)
    assert renewed.status_code == 200 and renewed.json()["refresh_token"] != token["refresh_token"]
