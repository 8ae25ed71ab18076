"""The audit log on both databases: connecting, publishing, disconnecting, inviting, joining, changing
a role and the settings each leave one entry, read newest first (paged) by owners only, and the
Settings → Log page tells them in the reader's language and the workspace's time zone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from autopost_sandbox.mailbox import Mailbox
from tests.conftest import Sandbox
from tests.support.api import Api, start_api
from tests.web.support import login, new_user
from tests.workspaces.support import add_member, workspace_of

TELEGRAM = {"platform": "telegram", "bot_token": "7000000001:AAHb3vQm2Xk9LpR4tZs8YwNc1DfGj6UeKoA"}
TELEGRAM["channel"] = "@clipmaker_demo"


@pytest.fixture
def app(tmp_path: Path, database_url: str, sandbox: Sandbox) -> Iterator[Api]:
    yield from start_api(tmp_path, database_url, None, sandbox_url=sandbox.url)


def _log(api: Api, token: str, workspace: str) -> list[dict[str, object]]:
    """The whole log, read two entries a page."""
    entries: list[dict[str, object]] = []
    cursor = None
    with api.client(token) as client:
        while True:
            params = {"limit": 2, **({"before": cursor} if cursor else {})}
            page = client.get(f"/api/v1/workspaces/{workspace}/audit", params=params)
            assert page.status_code == 200, page.text
            entries += page.json()["entries"]
            cursor = page.json()["next"]
            if cursor is None:
                return entries


def test_what_members_do_is_logged_in_order(app: Api, mailbox: Mailbox) -> None:
    owner_email, owner = new_user(app)
    workspace = workspace_of(app, owner)
    colleague, colleague_token = new_user(app)
    clip = str(app.upload_clip(owner, "Склейка по движению")["id"])
    with app.client(owner) as client:
        connected = client.post("/api/v1/connections", json=TELEGRAM)
        assert connected.status_code == 201, connected.text
        connection = connected.json()["id"]
        targets = {"targets": [{"connection_id": connection}], "scheduled_at": "2030-01-01T12:00:00+03:00"}
        published = client.post(f"/api/v1/clips/{clip}/publish", json=targets)
        assert published.status_code == 201, published.text
        assert client.delete(f"/api/v1/connections/{connection}").json()["cancelled_publications"] == 1
    colleague_id = add_member(app, owner, workspace, colleague, "viewer")
    with app.client(owner) as client:
        base = f"/api/v1/workspaces/{workspace}"
        assert client.patch(f"{base}/members/{colleague_id}", json={"role": "editor"}).status_code == 200
        assert (
            client.patch(base, json={"time_zone": "Asia/Omsk", "approval_required": True}).status_code == 200
        )
        # Saving what is already so changes nothing, and logs nothing.
        assert client.patch(base, json={"time_zone": "Asia/Omsk"}).status_code == 200
        assert client.delete(f"{base}/members/{colleague_id}").status_code == 204

    entries = _log(app, owner, workspace)
    assert [(e["action"], e["actor_email"]) for e in entries] == [
        ("member_removed", owner_email),
        ("settings_changed", owner_email),
        ("role_changed", owner_email),
        ("joined", colleague),
        ("invited", owner_email),
        ("disconnected", owner_email),
        ("published", owner_email),
        ("connected", owner_email),
    ]
    data = {str(e["action"]): e["data"] for e in entries}
    assert data["settings_changed"] == {"time_zone": "Asia/Omsk", "approval_required": True}
    assert data["role_changed"] == {"email": colleague, "role": "editor", "was": "viewer"}
    assert data["invited"] == {"email": colleague, "role": "viewer"}
    assert data["published"]["clip"] == "Склейка по движению"  # type: ignore[index]
    assert data["published"]["targets"] == [{"platform": "telegram", "account": "КлипМейкер — демо"}]  # type: ignore[index]
    assert data["disconnected"]["cancelled"] == 1  # type: ignore[index]

    assert data["member_removed"] == {"email": colleague, "role": "editor"}
    # Removed, the colleague is an outsider like any other: the workspace is not found.
    for outsider in (colleague_token, new_user(app)[1]):
        with app.client(outsider) as client:
            assert client.get(f"/api/v1/workspaces/{workspace}/audit").status_code == 404
    with app.client(owner) as client:
        bad = client.get(f"/api/v1/workspaces/{workspace}/audit", params={"before": "not-a-cursor"})
        assert bad.status_code == 422

    with login(app, owner_email) as browser:
        page = browser.get("/settings/audit")
        assert page.status_code == 200
        text = page.text
        for said in (
            "Подключил Telegram: КлипМейкер — демо",
            "Запланировал «Склейка по движению» на 01.01.2030 15:00: Telegram · КлипМейкер — демо",
            "Отключил Telegram",
            f"Пригласил {colleague} с ролью «Наблюдатель»",
            "Присоединился с ролью «Наблюдатель»",
            f"Изменил роль {colleague}: Наблюдатель → Редактор",
            "Изменил настройки рабочего пространства: часовой пояс Asia/Omsk, согласование включено",
            f"Удалил {colleague} (Редактор) из рабочего пространства",
        ):
            assert said in text, said
        assert text.index("Изменил настройки") < text.index("Подключил Telegram")
