"""Browser sessions live on the server: logging out, "log out everywhere" and a password change end them.

A copy of the cookie kept after logout (a stolen one, or the browser's own) must stop working
at once, not when it would have expired.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import httpx2
from sqlalchemy import select

from autopost.db import utcnow
from autopost.security.sessions import SESSION_COOKIE
from autopost.users.models import UserSession
from autopost.users.plans import Plan
from autopost.users.service import create_user
from autopost.users.sessions import end_all_sessions, find_session, start_session
from tests.support.api import Api

PASSWORD = "correct-horse-1"


@contextmanager
def _log_in(api: Api, email: str) -> Iterator[tuple[httpx2.Client, str]]:
    """A client holding a fresh session cookie, and that session's CSRF token."""
    with api.client() as browser:
        response = browser.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        assert response.status_code == 200, response.text
        yield browser, str(response.json()["csrf_token"])


def _with_cookie(api: Api, cookie: str) -> httpx2.Client:
    """Another client presenting a copy of a session cookie."""
    client = api.client()
    client.cookies.set(SESSION_COOKIE, cookie, domain="127.0.0.1")
    return client


def test_logout_ends_the_session_for_every_copy_of_the_cookie(api: Api) -> None:
    email, _ = api.new_user(password=PASSWORD)
    with _log_in(api, email) as (browser, csrf):
        kept = browser.cookies.get(SESSION_COOKIE)
        assert kept
        assert browser.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
        assert browser.get("/api/v1/me").status_code == 401
    with _with_cookie(api, kept) as copy:
        refused = copy.get("/api/v1/me")
        assert refused.status_code == 401 and refused.json()["error"]["code"] == "not_authenticated"


def test_cookie_logout_without_the_csrf_token_is_refused_and_the_session_survives(api: Api) -> None:
    email, _ = api.new_user(password=PASSWORD)
    with _log_in(api, email) as (browser, _):
        for headers in ({}, {"X-CSRF-Token": "forged"}):
            refused = browser.post("/api/v1/auth/logout", headers=headers)
            assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf_failed"
        assert browser.get("/api/v1/me").json()["email"] == email


def test_logout_everywhere_ends_every_session_of_that_user_only(api: Api) -> None:
    email, token = api.new_user(password=PASSWORD)
    other, _ = api.new_user(password=PASSWORD)
    with (
        _log_in(api, email) as (laptop, csrf),
        _log_in(api, email) as (phone, _),
        _log_in(api, other) as (stranger, _),
    ):
        assert laptop.post("/api/v1/auth/logout-all").status_code == 403
        assert phone.get("/api/v1/me").status_code == 200
        assert laptop.post("/api/v1/auth/logout-all", headers={"X-CSRF-Token": csrf}).status_code == 204
        assert laptop.get("/api/v1/me").status_code == 401
        assert phone.get("/api/v1/me").status_code == 401
        assert stranger.get("/api/v1/me").json()["email"] == other
    # API tokens are not browser sessions: they stay until revoked.
    with api.client(token) as client:
        assert client.get("/api/v1/me").status_code == 200


def test_logout_everywhere_with_an_api_token_ends_the_browser_sessions(api: Api) -> None:
    email, token = api.new_user(password=PASSWORD)
    with _log_in(api, email) as (browser, _), api.client(token) as client:
        assert client.post("/api/v1/auth/logout-all").status_code == 204
        assert browser.get("/api/v1/me").status_code == 401


def test_password_change_ends_the_other_sessions_and_reissues_the_current_one(api: Api) -> None:
    email, _ = api.new_user(password=PASSWORD)
    with _log_in(api, email) as (laptop, csrf), _log_in(api, email) as (phone, _):
        before = laptop.cookies.get(SESSION_COOKIE)
        wrong = laptop.post(
            "/api/v1/me/password",
            json={"current_password": "not-my-password", "new_password": "battery-staple-2"},
            headers={"X-CSRF-Token": csrf},
        )
        assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "wrong_password"
        short = laptop.post(
            "/api/v1/me/password",
            json={"current_password": PASSWORD, "new_password": "short"},
            headers={"X-CSRF-Token": csrf, "Accept-Language": "en"},
        )
        assert short.status_code == 422 and short.json()["error"]["code"] == "password_too_short"
        assert short.json()["error"]["message"] == "The password must be at least 8 characters long"
        assert phone.get("/api/v1/me").status_code == 200

        changed = laptop.post(
            "/api/v1/me/password",
            json={"current_password": PASSWORD, "new_password": "battery-staple-2"},
            headers={"X-CSRF-Token": csrf},
        )
        assert changed.status_code == 200, changed.text
        new_csrf = changed.json()["csrf_token"]
        assert new_csrf and new_csrf != csrf
        assert laptop.cookies.get(SESSION_COOKIE) != before
        assert laptop.get("/api/v1/me").json()["email"] == email
        assert phone.get("/api/v1/me").status_code == 401
        # The re-issued session's CSRF token is the one that works now.
        stale = laptop.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
        assert stale.status_code == 403
    with _with_cookie(api, before or "") as copy:
        assert copy.get("/api/v1/me").status_code == 401
    with api.client() as fresh:
        old = fresh.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        assert old.status_code == 401
        new = fresh.post("/api/v1/auth/login", json={"email": email, "password": "battery-staple-2"})
        assert new.status_code == 200


def test_password_change_with_an_api_token_ends_all_sessions(api: Api) -> None:
    email, token = api.new_user(password=PASSWORD)
    with _log_in(api, email) as (browser, _), api.client(token) as client:
        changed = client.post(
            "/api/v1/me/password", json={"current_password": PASSWORD, "new_password": "battery-staple-2"}
        )
        assert changed.status_code == 200 and changed.json() == {"csrf_token": None}
        assert client.get("/api/v1/me").status_code == 200
        assert browser.get("/api/v1/me").status_code == 401


async def test_the_cookie_is_an_opaque_token_stored_only_as_its_hash(session) -> None:
    user, _ = await create_user(session, "opaque@example.com", plan=Plan.PRO, password=PASSWORD)
    token = await start_session(session, user, user_agent="Mozilla/5.0 " + "x" * 500, ip="203.0.113.7")
    assert user.id.hex not in token and str(user.id) not in token
    rows = (await session.scalars(select(UserSession).where(UserSession.user_id == user.id))).all()
    assert [row.id for row in rows] == [hashlib.sha256(token.encode()).hexdigest()]
    row = rows[0]
    assert row.ip == "203.0.113.7" and row.user_agent is not None and len(row.user_agent) <= 200
    assert row.expires_at - row.created_at == timedelta(days=14)
    found = await find_session(session, token)
    assert found is not None and found.user.id == user.id and found.record is row
    assert await find_session(session, token[:-1]) is None
    assert await find_session(session, row.id) is None  # the stored hash is no key
    assert await find_session(session, None) is None


async def test_expired_and_revoked_sessions_are_not_found(session) -> None:
    user, _ = await create_user(session, "ended@example.com", plan=Plan.PRO, password=PASSWORD)
    expired = await start_session(session, user)
    live = await start_session(session, user)
    record = await session.get(UserSession, hashlib.sha256(expired.encode()).hexdigest())
    assert record is not None
    record.expires_at = utcnow() - timedelta(seconds=1)
    await session.flush()
    assert await find_session(session, expired) is None
    assert await find_session(session, live) is not None
    assert await end_all_sessions(session, user.id) == 1  # the expired one was not live
    assert await find_session(session, live) is None


async def test_a_new_login_clears_away_the_users_ended_sessions(session) -> None:
    user, _ = await create_user(session, "tidy@example.com", plan=Plan.PRO, password=PASSWORD)
    for _ in range(3):
        await start_session(session, user)
    await end_all_sessions(session, user.id)
    current = await start_session(session, user)
    rows = (await session.scalars(select(UserSession).where(UserSession.user_id == user.id))).all()
    assert [row.id for row in rows] == [hashlib.sha256(current.encode()).hexdigest()]


async def test_last_seen_moves_only_after_a_while(session) -> None:
    user, _ = await create_user(session, "seen@example.com", plan=Plan.PRO, password=PASSWORD)
    token = await start_session(session, user)
    found = await find_session(session, token)
    assert found is not None
    first_seen = found.record.last_seen_at
    again = await find_session(session, token)
    assert again is not None and again.record.last_seen_at == first_seen
    found.record.last_seen_at = utcnow() - timedelta(hours=1)
    later = await find_session(session, token)
    assert later is not None and later.record.last_seen_at > first_seen - timedelta(hours=1)
    assert utcnow() - later.record.last_seen_at < timedelta(minutes=1)
