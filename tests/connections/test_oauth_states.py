"""OAuth state rules: random, single-use, for one platform, expiring in 10 minutes.

A wrong, reused, expired or other platform's state is refused and changes nothing. Which browser
may bring a state back is test_oauth_browser.py's.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx2
from sqlalchemy import update

from autopost.connections.models import OAuthState
from autopost.db import make_engine, make_session_factory, transaction, utcnow
from tests.conftest import Sandbox
from tests.support.api import Api, start_api
from tests.support.consent import allow, query_of


def _callback_path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _land(client: httpx2.Client, callback: str) -> dict[str, str]:
    response = client.get(_callback_path(callback), follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/settings/platforms?")
    return query_of(response.headers["location"])


def _connections(client: httpx2.Client) -> list[object]:
    return list(client.get("/api/v1/connections").json())


def _expire_all_states(api: Api) -> None:
    async def expire() -> None:
        engine = make_engine(api.settings.resolved_database_url)
        try:
            async with transaction(make_session_factory(engine)) as session:
                await session.execute(update(OAuthState).values(expires_at=utcnow() - timedelta(seconds=1)))
        finally:
            await engine.dispose()

    asyncio.run(expire())


def test_state_attacks_are_refused(tmp_path: Path, database_url: str, sandbox: Sandbox) -> None:
    for api in start_api(tmp_path, database_url, None, sandbox_url=sandbox.url):
        _, token = api.new_user()
        client = api.client(token)

        start = client.post("/api/v1/connections/oauth/vk/start").json()["authorize_url"]
        state = query_of(start)["state"]
        assert len(state) >= 32
        callback = allow(start)

        # A forged state, and the right code with a tampered state.
        assert _land(client, callback.replace(state, "forged-state"))["error"] == "oauth_state_invalid"
        assert _connections(client) == []

        # The browser that started (it holds the state cookie) succeeds once; a replay is refused.
        assert _land(client, callback) == {"connected": "vk"}
        assert _land(client, callback)["error"] == "oauth_state_invalid"
        assert len(_connections(client)) == 1

        # An expired state is refused.
        late = client.post("/api/v1/connections/oauth/vk/start").json()["authorize_url"]
        late_callback = allow(late)
        _expire_all_states(api)
        assert _land(client, late_callback)["error"] == "oauth_state_invalid"
        assert [c["platform"] for c in _connections(client)] == ["vk"]  # type: ignore[index]


def test_free_plan_cannot_start_oauth_and_starting_is_not_a_failed_attempt(api: Api) -> None:
    from autopost.users.plans import Plan

    _, free = api.new_user(Plan.FREE)
    with api.client(free) as client:
        refused = client.post("/api/v1/connections/oauth/vk/start")
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "plan_excludes_platform"
    _, pro = api.new_user(Plan.PRO)
    with api.client(pro) as client:
        # Only failed connects count (tests/connections/test_connect_attempts.py): starting is never refused.
        codes = [client.post("/api/v1/connections/oauth/vk/start").status_code for _ in range(25)]
        assert codes == [200] * 25
