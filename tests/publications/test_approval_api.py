"""Approval through the API: an editor's publications wait, who may approve or reject, the choice
asked for when the time has passed, and what the answers and the history say."""

from __future__ import annotations

from datetime import datetime

import httpx2

from autopost.platforms.catalog import Platform
from tests.support.api import Api
from tests.web.support import new_user
from tests.workspaces.support import add_member, workspace_of

LATER = "2030-01-01T12:00:00+03:00"


def _publish(client: httpx2.Client, clip: str, connection: str, at: str | None = None) -> dict[str, object]:
    made = client.post(
        f"/api/v1/clips/{clip}/publish", json={"targets": [{"connection_id": connection}], "scheduled_at": at}
    )
    assert made.status_code == 201, made.text
    [publication] = made.json()
    return dict(publication)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _code(response: httpx2.Response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def test_editors_publications_wait_and_only_an_approver_or_owner_decides(api: Api) -> None:
    owner, editor, approver, viewer, stranger = (new_user(api) for _ in range(5))
    workspace = workspace_of(api, owner[1])
    for (email, _), role in ((editor, "editor"), (approver, "approver"), (viewer, "viewer")):
        add_member(api, owner[1], workspace, email, role)
    connection = api.add_connection(owner[0], Platform.TELEGRAM)
    clips = [str(api.upload_clip(owner[1], f"Клип {n}")["id"]) for n in range(4)]
    scoped = {"X-Workspace-Id": workspace}
    with api.client(owner[1]) as client:
        turned = client.patch(f"/api/v1/workspaces/{workspace}", json={"approval_required": True})
        assert turned.status_code == 200 and turned.json()["approval_required"]
        # The owner's own publication does not wait.
        own = _publish(client, clips[3], connection, LATER)
        assert own["status"] == "scheduled"
    with api.client(editor[1], **scoped) as client:
        now = _publish(client, clips[0], connection)
        later = _publish(client, clips[1], connection, LATER)
        rejected = _publish(client, clips[2], connection, LATER)
        assert {now["status"], later["status"], rejected["status"]} == {"awaiting_approval"}
        listed = client.get("/api/v1/publications", params={"status": "awaiting_approval"}).json()
        assert {p["id"] for p in listed} == {now["id"], later["id"], rejected["id"]}
        detail = client.get(f"/api/v1/publications/{now['id']}", headers={"Accept-Language": "ru"}).json()
        assert [(e["kind"], e["message"]) for e in detail["events"]] == [
            ("awaiting_approval", "Ждёт согласования")
        ]
        assert _code(client.post(f"/api/v1/publications/{now['id']}/approve")) == (403, "role_forbids")
        # Waiting counts as live: the clip is not sent to that account twice meanwhile.
        again = client.post(
            f"/api/v1/clips/{clips[0]}/publish", json={"targets": [{"connection_id": connection}]}
        )
        assert _code(again) == (409, "already_live")
    with api.client(viewer[1], **scoped) as client:
        assert _code(client.post(f"/api/v1/publications/{now['id']}/approve")) == (403, "role_forbids")
        refused = client.post(f"/api/v1/publications/{now['id']}/reject", json={"comment": "Нет"})
        assert _code(refused) == (403, "role_forbids")
    with api.client(stranger[1]) as client:
        assert _code(client.post(f"/api/v1/publications/{now['id']}/approve")) == (404, "not_found")
        foreign = client.post(f"/api/v1/publications/{now['id']}/reject", json={"comment": "Нет"})
        assert _code(foreign) == (404, "not_found")
        assert _code(client.post(f"/api/v1/publications/{now['id']}/approve", headers=scoped)) == (
            404,
            "not_found",
        )

    with api.client(approver[1], **scoped) as client:
        url = f"/api/v1/publications/{now['id']}/approve"
        # Its time (publish at once) has passed: the approver is asked to choose.
        asked = client.post(url, headers={"Accept-Language": "ru"})
        assert _code(asked) == (409, "approval_time_passed")
        assert asked.json()["error"]["message"] == (
            "Время публикации прошло: опубликовать сейчас или выбрать новое время"
        )
        both = client.post(url, json={"publish_now": True, "scheduled_at": LATER})
        assert _code(both) == (422, "approval_choice_twice")
        approved = client.post(url, json={"publish_now": True})
        assert approved.status_code == 200, approved.text
        assert (approved.json()["status"], approved.json()["scheduled_at"]) == ("scheduled", None)
        assert _code(client.post(url, json={"publish_now": True})) == (409, "not_awaiting_approval")

        kept = client.post(f"/api/v1/publications/{later['id']}/approve", json={})
        assert kept.json()["status"] == "scheduled"
        assert _at(kept.json()["scheduled_at"]) == _at(str(later["scheduled_at"])) == _at(LATER)

        reject_url = f"/api/v1/publications/{rejected['id']}/reject"
        assert _code(client.post(reject_url, json={"comment": "  "})) == (422, "rejection_comment_missing")
        assert _code(client.post(reject_url, json={"comment": "я" * 1001})) == (
            422,
            "rejection_comment_too_long",
        )
        done = client.post(reject_url, json={"comment": "Не тот заголовок"})
        assert done.status_code == 200 and done.json()["status"] == "cancelled"
        events = client.get(
            f"/api/v1/publications/{rejected['id']}", headers={"Accept-Language": "ru"}
        ).json()["events"]
        assert events[-1]["kind"] == "rejected"
        assert events[-1]["data"]["comment"] == "Не тот заголовок"
        assert events[-1]["message"] == f"Отклонено: {approver[0]} — «Не тот заголовок»"
    with api.client(owner[1]) as client:
        for publication in (now, later, own):
            assert client.post(f"/api/v1/publications/{publication['id']}/cancel").status_code == 200


def test_an_awaiting_publication_is_cancelled_rescheduled_and_owner_approved_like_a_scheduled_one(
    api: Api,
) -> None:
    owner, editor = new_user(api), new_user(api)
    workspace = workspace_of(api, owner[1])
    add_member(api, owner[1], workspace, editor[0], "editor")
    connection = api.add_connection(owner[0], Platform.TELEGRAM)
    clips = [str(api.upload_clip(owner[1], f"Клип {n}")["id"]) for n in range(2)]
    with api.client(owner[1]) as client:
        client.patch(f"/api/v1/workspaces/{workspace}", json={"approval_required": True})
    with api.client(editor[1], **{"X-Workspace-Id": workspace}) as client:
        first = _publish(client, clips[0], connection, LATER)
        moved = client.patch(
            f"/api/v1/publications/{first['id']}", json={"scheduled_at": "2031-01-01T12:00:00+03:00"}
        )
        assert moved.status_code == 200, moved.text
        assert moved.json()["status"] == "awaiting_approval"
        assert _at(moved.json()["scheduled_at"]) == _at("2031-01-01T12:00:00+03:00")
        cancelled = client.post(f"/api/v1/publications/{first['id']}/cancel")
        assert cancelled.json()["status"] == "cancelled"
        second = _publish(client, clips[1], connection, LATER)
    with api.client(owner[1]) as client:
        approved = client.post(
            f"/api/v1/publications/{second['id']}/approve", json={"scheduled_at": "2031-02-01T12:00:00+03:00"}
        )
        assert approved.status_code == 200, approved.text
        assert approved.json()["status"] == "scheduled"
        assert _at(approved.json()["scheduled_at"]) == _at("2031-02-01T12:00:00+03:00")
        assert client.post(f"/api/v1/publications/{second['id']}/cancel").status_code == 200
