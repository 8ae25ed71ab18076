"""Rutube SSO accounts through the sandbox: connecting with the refreshToken (value or cookie
export), rotation under the per-connection lock, a spent token, and renaming a connection."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx2
import pytest

from autopost.connections.models import Connection, ConnectionStatus
from autopost.connections.refresh import credentials_of, fresh_credentials
from autopost.connections.tokens import open_refresh_token
from autopost.connections.usecases import connect_refresh_token
from autopost.db import transaction
from autopost.platforms.base import Credentials
from autopost.platforms.catalog import ConnectionKind, Platform
from autopost.platforms.errors import AuthExpired
from autopost.workspaces.access import resolve_member
from autopost_sandbox.rutube.multipass import seeded_refresh_token
from autopost_sandbox.rutube.store import SEEDED_ACCOUNTS
from tests.conftest import Sandbox
from tests.publications.checks import assert_published_once
from tests.support.api import Api, start_api
from tests.support.stack import Stack

SSO = next(a for a in SEEDED_ACCOUNTS if a.sso)


@pytest.fixture
def api(tmp_path: Path, database_url: str, sandbox: Sandbox) -> Iterator[Api]:
    yield from start_api(tmp_path, database_url, None, sandbox_url=sandbox.url)


def multipass(sandbox: Sandbox) -> dict[str, int]:
    with httpx2.Client(base_url=f"{sandbox.url}/rutube", timeout=10) as client:
        return dict(client.get("/_sandbox/multipass").json())


def new_refresh_token(sandbox: Sandbox) -> str:
    """What signing in again in a browser gives: another refresh token of the same account."""
    with httpx2.Client(base_url=f"{sandbox.url}/rutube", timeout=10) as client:
        answer = client.post("/_sandbox/multipass", json={"account_id": SSO.id})
        answer.raise_for_status()
        return str(answer.json()["refresh_token"])


def cookies_txt(value: str) -> str:
    return (
        "# Netscape HTTP Cookie File\n"
        f".rutube.ru\tTRUE\t/\tTRUE\t0\trefreshToken\t{value}\n"
        ".rutube.ru\tTRUE\t/\tFALSE\t0\tvisitorID\tabc123\n"
        ".example.org\tTRUE\t/\tFALSE\t0\trefreshToken\tforeign\n"
    )


def test_an_sso_account_connects_with_the_cookie_value_and_with_a_cookie_export(
    api: Api, sandbox: Sandbox
) -> None:
    _, token = api.new_user()
    with api.client(token, **{"Accept-Language": "en"}) as client:
        by_value = client.post(
            "/api/v1/connections",
            json={"platform": "rutube", "refresh_token": seeded_refresh_token(SSO.id)},
        )
        exported = cookies_txt(new_refresh_token(sandbox))
        by_export = client.post("/api/v1/connections", json={"platform": "rutube", "refresh_token": exported})

    for answer in (by_value, by_export):
        assert answer.status_code == 201, answer.text
        body = answer.json()
        # The account id is the JWT's user_id; the name is the channel's, not a generic one.
        assert (body["kind"], body["account_id"], body["account_name"]) == (
            "refresh_token",
            str(SSO.id),
            SSO.name,
        )
        assert body["token_expires_at"] is not None and "refresh" not in str(body["meta"])
    # The same account connected twice is one connection, renewed.
    assert by_value.json()["id"] == by_export.json()["id"]
    assert multipass(sandbox)["exchanges"] == 2


def test_a_spent_refresh_token_is_refused_at_connect(api: Api, sandbox: Sandbox) -> None:
    _, token = api.new_user()
    spent = seeded_refresh_token(SSO.id)
    with api.client(token, **{"Accept-Language": "en"}) as client:
        first = client.post("/api/v1/connections", json={"platform": "rutube", "refresh_token": spent})
        again = client.post("/api/v1/connections", json={"platform": "rutube", "refresh_token": spent})

    assert first.status_code == 201
    assert again.status_code == 422 and again.json()["error"]["code"] == "rutube.refresh_token_spent"


def test_a_rutube_connection_is_renamed_and_checks_keep_the_name(api: Api, sandbox: Sandbox) -> None:
    _, token = api.new_user()
    with api.client(token, **{"Accept-Language": "en"}) as client:
        connected = client.post(
            "/api/v1/connections",
            json={"platform": "rutube", "refresh_token": seeded_refresh_token(SSO.id)},
        ).json()
        url = f"/api/v1/connections/{connected['id']}"
        bell = client.patch(url, json={"name": "Shorts\x07"})
        renamed = client.patch(url, json={"name": "  Shorts channel "})
        tested = client.post(f"{url}/test")
        cleared = client.patch(url, json={"name": ""})

    assert bell.status_code == 422
    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["name"], renamed.json()["display_name"]) == ("Shorts channel", "Shorts channel")
    assert tested.json()["name"] == "Shorts channel" and tested.json()["account_name"] == SSO.name
    assert cleared.json()["name"] == SSO.name and cleared.json()["display_name"] is None


async def connect_sso(stack: Stack) -> Connection:
    async with transaction(stack.runtime.session_factory) as session:
        member = await resolve_member(session, await session.merge(stack.user), None)
        return await connect_refresh_token(
            session, stack.runtime, member, Platform.RUTUBE, seeded_refresh_token(SSO.id)
        )


async def two_workers_refresh(
    stack: Stack, *, locked: bool
) -> tuple[list[Credentials | Exception], Connection]:
    """Two runtimes (two workers) find the access token rejected at once and refresh together."""
    connection = await connect_sso(stack)
    rejected = credentials_of(connection, stack.runtime)
    # The first exchange answers after a second: the other worker surely asks meanwhile.
    await stack.fault(Platform.RUTUBE, "timeout", on="multipass.token", delay=1, count=1)
    other = stack.new_runtime()
    try:
        results = await asyncio.gather(
            *(
                fresh_credentials(runtime, connection.id, rejected=rejected, locked=locked)
                for runtime in (stack.runtime, other)
            ),
            return_exceptions=True,
        )
    finally:
        await other.close()
    return list(results), await stack.connection(connection.id)


async def assert_one_exchange(stack: Stack, sandbox: Sandbox, *, locked: bool) -> None:
    results, connection = await two_workers_refresh(stack, locked=locked)
    counters = multipass(sandbox)
    # connect (1) + one refresh; the second worker used the tokens the first stored.
    assert counters["exchanges"] == 2 and counters["spent_reused"] == 0, counters
    assert all(isinstance(r, Credentials) for r in results), results
    assert connection.status is ConnectionStatus.ACTIVE
    stored = open_refresh_token(connection, stack.runtime.vault)
    assert {r.refresh_token for r in results if isinstance(r, Credentials)} == {stored}


async def test_two_workers_refreshing_at_once_spend_the_refresh_token_once(
    stack: Stack, sandbox: Sandbox
) -> None:
    await assert_one_exchange(stack, sandbox, locked=True)


async def test_without_the_lock_the_same_refreshes_spend_one_token_twice(
    stack: Stack, sandbox: Sandbox
) -> None:
    # The proof that the lock is what keeps the test above green.
    with pytest.raises(AssertionError):
        await assert_one_exchange(stack, sandbox, locked=False)
    assert multipass(sandbox)["spent_reused"] == 1


async def test_a_spent_refresh_token_makes_the_connection_need_reconnecting(
    stack: Stack, sandbox: Sandbox
) -> None:
    connection = await connect_sso(stack)
    stored = open_refresh_token(connection, stack.runtime.vault)
    assert stored is not None
    # Someone else (a copy of the cookie in another tool) spends the stored token first.
    with httpx2.Client(base_url=f"{sandbox.url}/rutube", timeout=10) as client:
        client.post(
            "/multipass/api/v3/accounts/token/", headers={"Cookie": f"refreshToken={stored}"}
        ).raise_for_status()
    rejected = replace(credentials_of(connection, stack.runtime), kind=ConnectionKind.REFRESH_TOKEN)

    with pytest.raises(AuthExpired) as caught:
        await fresh_credentials(stack.runtime, connection.id, rejected=rejected)

    assert caught.value.code == "rutube.refresh_token_spent"
    after = await stack.connection(connection.id)
    assert after.status is ConnectionStatus.NEEDS_RECONNECT
    assert after.last_error_code == "rutube.refresh_token_spent"


async def test_an_expired_access_token_is_refreshed_and_the_publication_goes_on(
    stack: Stack, sandbox: Sandbox
) -> None:
    connection = await connect_sso(stack)
    first_refresh = open_refresh_token(connection, stack.runtime.vault)
    # Rutube's clock runs past the JWT's 14 days; ours still thinks it valid, so only the 401 tells.
    await stack.control("/clock", {"advance": 15 * 24 * 3600})
    await stack.start_worker(periodic=False)
    [publication_id] = await stack.publish(connection)

    publication = await stack.wait_for(publication_id)

    await assert_published_once(stack, publication)
    assert "token_refreshed" in await stack.event_kinds(publication_id)
    after = await stack.connection(connection.id)
    assert after.status is ConnectionStatus.ACTIVE
    assert open_refresh_token(after, stack.runtime.vault) not in (None, first_refresh)
    assert multipass(sandbox)["spent_reused"] == 0
