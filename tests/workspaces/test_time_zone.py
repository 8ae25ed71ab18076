"""Each workspace reads and shows scheduled times in its own time zone."""

from __future__ import annotations

import uuid

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.connections.models import Connection
from autopost.connections.tokens import store_tokens
from autopost.platforms.catalog import ConnectionKind, Platform
from autopost.users.plans import Plan
from autopost.workspaces.models import Workspace
from tests.support.api import Api
from tests.web.support import csrf_of, htmx, in_database, login, new_user
from tests.workspaces.support import workspace_of


def _connection_in(api: Api, workspace: str) -> str:
    """A Telegram connection in the workspace, which gets the Pro plan (a new one starts on Free)."""

    async def work(session: AsyncSession) -> str:
        await session.execute(
            update(Workspace).where(Workspace.id == uuid.UUID(workspace)).values(plan=Plan.PRO)
        )
        connection = Connection(
            workspace_id=uuid.UUID(workspace),
            platform=Platform.TELEGRAM,
            kind=ConnectionKind.TOKEN,
            account_id="@far_east",
            account_name="Дальний Восток",
        )
        store_tokens(connection, api.settings.vault(), access_token="7000000001:AAHfarEastToken")
        session.add(connection)
        await session.flush()
        return str(connection.id)

    return in_database(api.settings, work)


def test_a_time_typed_in_a_workspace_is_its_zones_and_is_shown_in_it(api: Api) -> None:
    email, token = new_user(api)
    with api.client(token) as client:
        far = client.post("/api/v1/workspaces", json={"name": "Владивосток", "time_zone": "Asia/Vladivostok"})
        far_id = str(far.json()["id"])
    with api.client(token, **{"X-Workspace-Id": far_id}) as client, api.clip_file.open("rb") as handle:
        clip = client.post("/api/v1/clips", files={"file": ("clip.mp4", handle, "video/mp4")}).json()
    connection = _connection_in(api, far_id)
    with login(api, email) as browser:
        csrf = csrf_of(browser.get("/").text)
        browser.post("/workspaces/switch", data={"workspace_id": far_id, "csrf_token": csrf})
        form = {
            "account": connection,
            "title_telegram": "Т",
            "when": "later",
            "scheduled_at": "2030-06-01T12:00",
        }
        made = browser.post(f"/clips/{clip['id']}/publish", data=form, headers=htmx(browser, csrf))
        assert made.status_code == 200, made.text
        with api.client(token, **{"X-Workspace-Id": far_id}) as client:
            [publication] = client.get("/api/v1/publications").json()
            # 12:00 in Vladivostok (UTC+10) is 02:00 UTC.
            assert publication["scheduled_at"].startswith("2030-06-01T02:00:00")
            assert "01.06.2030 12:00" in browser.get("/publications").text
            client.patch(f"/api/v1/workspaces/{far_id}", json={"time_zone": "Europe/Moscow"})
        # The same moment read in Moscow (UTC+3).
        page = browser.get("/publications").text
        assert "01.06.2030 05:00" in page and "01.06.2030 12:00" not in page
    # The personal workspace keeps Moscow and is untouched by the other's zone.
    with api.client(token) as client:
        assert client.get("/api/v1/me").json()["time_zone"] == "Europe/Moscow"
        assert client.get("/api/v1/publications").json() == []
        assert workspace_of(api, token) != far_id
