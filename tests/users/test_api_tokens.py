"""API tokens a user manages: list, issue with an optional expiry, revoke; never anyone else's."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from autopost.db import make_engine, make_session_factory, transaction, utcnow
from autopost.refusals import Refused
from autopost.users.models import ApiToken
from autopost.users.plans import Plan
from autopost.users.service import create_api_token, create_user, user_for_api_token
from tests.support.api import Api


def _stored_hashes(api: Api) -> list[str]:
    async def read() -> list[str]:
        engine = make_engine(api.settings.resolved_database_url)
        try:
            async with transaction(make_session_factory(engine)) as session:
                return list(await session.scalars(select(ApiToken.token_hash)))
        finally:
            await engine.dispose()

    return asyncio.run(read())


async def test_an_expired_token_is_refused_like_a_wrong_one(session) -> None:
    user, _ = await create_user(session, "expiry@example.com", plan=Plan.PRO, password="password1")
    lasting = await create_api_token(session, user, "ci", expires_at=utcnow() + timedelta(days=1))
    ending = await create_api_token(session, user, "old", expires_at=utcnow() + timedelta(days=1))
    found = await user_for_api_token(session, ending)
    assert found is not None and found.id == user.id
    await session.execute(
        update(ApiToken).where(ApiToken.name == "old").values(expires_at=utcnow() - timedelta(seconds=1))
    )
    assert await user_for_api_token(session, ending) is None
    assert await user_for_api_token(session, lasting) is not None
    with pytest.raises(Refused) as refused:
        await create_api_token(session, user, "never", expires_at=utcnow() - timedelta(seconds=1))
    assert refused.value.code == "token_expiry_past"


def test_a_user_lists_issues_and_revokes_their_own_tokens(api: Api) -> None:
    _, token = api.new_user()
    with api.client(token) as client:
        issued = client.post("/api/v1/tokens", json={"name": "КлипМейкер"})
        assert issued.status_code == 201, issued.text
        body = issued.json()
        secret = body["token"]
        assert secret.startswith("ap_") and body["name"] == "КлипМейкер" and body["expires_at"] is None

        listed = client.get("/api/v1/tokens")
        assert listed.status_code == 200
        rows = listed.json()
        assert {row["name"] for row in rows} == {"test", "КлипМейкер"}
        assert set(rows[0]) == {"id", "name", "created_at", "last_used_at", "expires_at"}
        # The caller's own token was just used; the new one not yet.
        by_name = {row["name"]: row for row in rows}
        assert by_name["test"]["last_used_at"] is not None and by_name["КлипМейкер"]["last_used_at"] is None
        for stored_hash in _stored_hashes(api):
            assert stored_hash not in listed.text
        assert secret not in listed.text and token not in listed.text

    with api.client(secret) as client:
        assert client.get("/api/v1/me").status_code == 200
        assert client.delete(f"/api/v1/tokens/{body['id']}").status_code == 204
        assert client.get("/api/v1/me").status_code == 401
    with api.client(token) as client:
        assert [row["name"] for row in client.get("/api/v1/tokens").json()] == ["test"]
        gone = client.delete(f"/api/v1/tokens/{body['id']}")
        assert gone.status_code == 404 and gone.json()["error"]["code"] == "not_found"


def test_another_users_token_is_not_found_and_keeps_working(api: Api) -> None:
    _, mine = api.new_user()
    _, theirs = api.new_user()
    with api.client(theirs) as client:
        their_id = client.get("/api/v1/tokens").json()[0]["id"]
    with api.client(mine) as client:
        assert their_id not in client.get("/api/v1/tokens").text
        refused = client.delete(f"/api/v1/tokens/{their_id}")
        assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found"
        assert client.delete("/api/v1/tokens/not-a-uuid").status_code == 422
    with api.client(theirs) as client:
        assert client.get("/api/v1/me").status_code == 200


def test_a_token_with_an_expiry_stops_working_then(api: Api) -> None:
    _, token = api.new_user()
    soon = datetime.now(UTC) + timedelta(days=30)
    with api.client(token) as client:
        issued = client.post("/api/v1/tokens", json={"name": "month", "expires_at": soon.isoformat()})
        assert issued.status_code == 201, issued.text
        assert abs(datetime.fromisoformat(issued.json()["expires_at"]) - soon) < timedelta(seconds=1)
        past = client.post(
            "/api/v1/tokens",
            json={"name": "past", "expires_at": (datetime.now(UTC) - timedelta(minutes=1)).isoformat()},
            headers={"Accept-Language": "en"},
        )
        assert past.status_code == 422 and past.json()["error"]["code"] == "token_expiry_past"
        assert past.json()["error"]["message"] == "The expiry date must be in the future"
        naive = client.post("/api/v1/tokens", json={"name": "naive", "expires_at": "2099-01-01T00:00:00"})
        assert naive.status_code == 422
        edge = client.post("/api/v1/tokens", json={"name": "edge", "expires_at": "9999-12-31T23:59:00-23:00"})
        assert edge.status_code == 422 and edge.json()["error"]["code"] == "validation_error"
        nameless = client.post("/api/v1/tokens", json={"name": ""})
        assert nameless.status_code == 422
        assert {row["name"] for row in client.get("/api/v1/tokens").json()} == {"test", "month"}


def test_a_token_name_with_control_characters_is_refused_and_nothing_is_stored(api: Api) -> None:
    _, token = api.new_user()
    json_body = {"content-type": "application/json"}
    with api.client(token) as client:
        for raw in ('{"name": "a\\u0000b"}', '{"name": "two\\nlines"}', '{"name": "\\ud800"}'):
            refused = client.post(
                "/api/v1/tokens", content=raw, headers={**json_body, "Accept-Language": "en"}
            )
            assert refused.status_code == 422, (raw, refused.text)
            assert refused.json()["error"]["code"] == "validation_error"
            if "ud800" not in raw:  # a lone surrogate is refused by JSON parsing, in pydantic's words
                assert refused.json()["error"]["message"] == (
                    "Invalid data: name: A token name is one line of printable characters"
                )
        russian = client.post("/api/v1/tokens", json={"name": "a\x00b"})
        assert russian.json()["error"]["message"] == (
            "Некорректные данные: name: Название токена — одна строка печатных символов"
        )
        assert [row["name"] for row in client.get("/api/v1/tokens").json()] == ["test"]


def test_tokens_need_authentication_and_a_cookie_write_needs_csrf(api: Api) -> None:
    email, _ = api.new_user(password="correct-horse-1")
    with api.client() as anonymous:
        assert anonymous.get("/api/v1/tokens").status_code == 401
    with api.client() as browser:
        login = browser.post("/api/v1/auth/login", json={"email": email, "password": "correct-horse-1"})
        csrf = login.json()["csrf_token"]
        assert browser.post("/api/v1/tokens", json={"name": "x"}).status_code == 403
        made = browser.post("/api/v1/tokens", json={"name": "x"}, headers={"X-CSRF-Token": csrf})
        assert made.status_code == 201
        assert browser.delete(f"/api/v1/tokens/{made.json()['id']}").status_code == 403
        deleted = browser.delete(f"/api/v1/tokens/{made.json()['id']}", headers={"X-CSRF-Token": csrf})
        assert deleted.status_code == 204
