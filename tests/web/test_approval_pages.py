"""The approval on the pages: the amber badge for everyone, «Согласовать» / «Отклонить» only for
who may approve, the choice stated when the time has passed, a rejection's comment required."""

from __future__ import annotations

import httpx2

from autopost.platforms.catalog import Platform
from autopost.web.auth import WORKSPACE_COOKIE
from tests.support.api import Api
from tests.web.support import csrf_of, htmx, login, new_user
from tests.workspaces.support import add_member, workspace_of

LATER = "2030-01-01T12:00:00+03:00"


def _in(client: httpx2.Client, workspace: str) -> str:
    """Look at `workspace` (the switcher's cookie); returns the page's CSRF token."""
    client.cookies.set(WORKSPACE_COOKIE, workspace, domain="127.0.0.1")
    return csrf_of(client.get("/").text)


def test_who_sees_what_and_an_approver_approves_or_rejects_on_the_page(api: Api) -> None:
    owner, editor, approver, viewer = (new_user(api) for _ in range(4))
    workspace = workspace_of(api, owner[1])
    for (email, _), role in ((editor, "editor"), (approver, "approver"), (viewer, "viewer")):
        add_member(api, owner[1], workspace, email, role)
    connection = api.add_connection(owner[0], Platform.TELEGRAM)
    clips = [str(api.upload_clip(owner[1], f"Клип {n}")["id"]) for n in range(3)]
    with api.client(owner[1]) as client:
        client.patch(f"/api/v1/workspaces/{workspace}", json={"approval_required": True})
    ids = []
    with api.client(editor[1], **{"X-Workspace-Id": workspace}) as client:
        for clip, at in ((clips[0], None), (clips[1], LATER)):
            made = client.post(
                f"/api/v1/clips/{clip}/publish",
                json={"targets": [{"connection_id": connection}], "scheduled_at": at},
            )
            ids.append(made.json()[0]["id"])
    now_id, later_id = ids

    for email, may in ((editor[0], False), (viewer[0], False), (approver[0], True), (owner[0], True)):
        with login(api, email) as client:
            _in(client, workspace)
            page = client.get("/publications").text
            assert page.count("badge badge-amber") == 2, email
            assert ("Согласовать:" in page) is may and ("Отклонить:" in page) is may, email
            assert ("Выйдет после согласования" in page) is not may, email
            filtered = client.get("/publications", params={"status": "awaiting_approval"}).text
            assert '<option value="awaiting_approval" selected>На согласовании</option>' in filtered
            assert filtered.count("badge badge-amber") == 2

    with login(api, editor[0]) as client:
        csrf = _in(client, workspace)
        sent = client.post(
            f"/clips/{clips[2]}/publish",
            data={"account": connection, "when": "now"},
            headers=htmx(client, csrf),
        ).text
        assert "1 публикация отправлена на согласование" in sent and "badge-amber" in sent

    with login(api, approver[0]) as client:
        csrf = _in(client, workspace)
        dialog = client.get(f"/publications/{now_id}/approve", headers=htmx(client, csrf)).text
        assert "Время публикации прошло: опубликовать сейчас или выбрать новое время" in dialog
        assert 'value="now" checked' in dialog and "Выбрать новое время" in dialog
        kept = client.get(f"/publications/{later_id}/approve", headers=htmx(client, csrf)).text
        assert "Время публикации прошло" not in kept and "Выйдет в запланированное время" in kept

        empty = client.post(
            f"/publications/{later_id}/reject",
            data={"comment": " ", "view": "row"},
            headers=htmx(client, csrf),
        ).text
        assert "Напишите, почему публикация отклонена" in empty and 'id="reject-dialog"' in empty
        rejected = client.post(
            f"/publications/{later_id}/reject",
            data={"comment": "Перенесём на весну", "view": "row"},
            headers=htmx(client, csrf),
        ).text
        assert "Публикация отклонена" in rejected and "badge-grey" in rejected

        no_time = client.post(
            f"/publications/{now_id}/approve",
            data={"choice": "later", "scheduled_at": "", "view": "row"},
            headers=htmx(client, csrf),
        ).text
        assert "Укажите дату и время публикации" in no_time and 'value="later" checked' in no_time
        approved = client.post(
            f"/publications/{now_id}/approve",
            data={"choice": "now", "view": "row"},
            headers=htmx(client, csrf),
        ).text
        assert "Публикация согласована" in approved and "badge-amber" not in approved
    with api.client(owner[1]) as client:
        history = client.get(f"/api/v1/publications/{later_id}", headers={"Accept-Language": "ru"}).json()
        assert history["events"][-1]["message"] == f"Отклонено: {approver[0]} — «Перенесём на весну»"
        assert client.get(f"/api/v1/publications/{now_id}").json()["status"] == "scheduled"
        assert client.post(f"/api/v1/publications/{now_id}/cancel").status_code == 200
        [third] = client.get("/api/v1/publications", params={"clip_id": clips[2]}).json()
        assert third["status"] == "awaiting_approval"
        assert client.post(f"/api/v1/publications/{third['id']}/cancel").status_code == 200
