"""Настройки → Платформы → Rutube through the sandbox: an SSO account connects with its
refreshToken, which is never echoed back, and the connection is renamed in place."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from autopost.users.plans import Plan
from autopost_sandbox.rutube.multipass import seeded_refresh_token
from autopost_sandbox.rutube.store import SEEDED_ACCOUNTS
from tests.conftest import Sandbox
from tests.support.api import Api, start_api
from tests.web.support import csrf_of, htmx, login, new_user, visible_text

SSO = next(a for a in SEEDED_ACCOUNTS if a.sso)


@pytest.fixture
def api(tmp_path: Path, database_url: str, sandbox: Sandbox) -> Iterator[Api]:
    yield from start_api(tmp_path, database_url, None, sandbox_url=sandbox.url)


def test_an_sso_account_connects_on_the_page_and_is_renamed(api: Api) -> None:
    email, token = new_user(api, Plan.PRO)
    refresh = seeded_refresh_token(SSO.id)
    with login(api, email) as client:
        page = client.get("/settings/platforms").text
        assert "Вход через VK ID, Газпром ID или телефон" in visible_text(page)
        csrf = csrf_of(page)
        empty = client.post(
            "/settings/platforms/rutube/connect", data={"mode": "sso"}, headers=htmx(client, csrf)
        )
        block = client.post(
            "/settings/platforms/rutube/connect",
            data={"mode": "sso", "refresh_token": refresh},
            headers=htmx(client, csrf),
        )
        [connection] = api.client(token).get("/api/v1/connections").json()
        renamed = client.post(
            f"/settings/connections/{connection['id']}/rename",
            data={"name": "Вертикальные уроки"},
            headers=htmx(client, csrf),
        )

    assert "Вставьте Cookie «refreshToken» или экспорт cookies" in visible_text(empty.text)
    assert f"Rutube подключён: {SSO.name}" in visible_text(block.text)
    assert refresh not in block.text
    assert connection["kind"] == "refresh_token" and connection["account_id"] == str(SSO.id)
    text = visible_text(renamed.text)
    assert "Переименовано: Вертикальные уроки" in text and "Вертикальные уроки" in text
