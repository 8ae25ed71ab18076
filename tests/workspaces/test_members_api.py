"""Workspaces and members through the API: create, set up, invite people, change roles, remove; a
workspace always keeps an owner."""

from __future__ import annotations

from tests.support.api import Api
from tests.web.support import new_user
from tests.workspaces.support import add_member, workspace_of


def test_a_new_workspace_is_its_creators_and_only_its_owner_sets_it_up(api: Api) -> None:
    email, token = new_user(api)
    personal = workspace_of(api, token)
    with api.client(token) as client:
        made = client.post(
            "/api/v1/workspaces", json={"name": "  Курсы   монтажа ", "time_zone": "Asia/Omsk"}
        )
        assert made.status_code == 201, made.text
        workspace = made.json()
        assert (workspace["name"], workspace["role"], workspace["plan"]) == ("Курсы монтажа", "owner", "free")
        listed = client.get("/api/v1/workspaces").json()
        assert [w["id"] for w in listed] == [personal, workspace["id"]]
        assert listed[0]["name"] == email and listed[0]["plan"] == "pro"
        changed = client.patch(
            f"/api/v1/workspaces/{workspace['id']}",
            json={"name": "Клиент: Курсы", "time_zone": "Asia/Vladivostok", "approval_required": True},
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["time_zone"] == "Asia/Vladivostok" and changed.json()["approval_required"]
        for body, code in (
            ({"time_zone": "Mars/Olympus"}, "time_zone_unknown"),
            ({"name": "   "}, "workspace_name_invalid"),
            ({"name": "Клиент\x00"}, "workspace_name_invalid"),
        ):
            refused = client.patch(f"/api/v1/workspaces/{workspace['id']}", json=body)
            assert refused.status_code == 422 and refused.json()["error"]["code"] == code
        # Without a header the first workspace is the caller's: existing clients keep working.
        assert client.get("/api/v1/me").json()["workspace_id"] == personal
        assert client.get("/api/v1/me", headers={"X-Workspace-Id": workspace["id"]}).json()["plan"] == "free"


def test_members_join_by_invitation_and_the_last_owner_stays(api: Api) -> None:
    owner_email, owner = new_user(api)
    other_email, other = new_user(api)
    workspace = workspace_of(api, owner)
    with api.client(owner, **{"Accept-Language": "ru"}) as client:
        base = f"/api/v1/workspaces/{workspace}/members"
        other_id = add_member(api, owner, workspace, other_email.upper(), "editor")
        twice = client.post(base, json={"email": other_email, "role": "viewer"})
        assert twice.status_code == 409 and twice.json()["error"]["code"] == "member_exists"
        members = client.get(base).json()
        assert [(m["email"], m["role"]) for m in members] == [(owner_email, "owner"), (other_email, "editor")]
        owner_id = members[0]["user_id"]
        for method, body in (("PATCH", {"role": "viewer"}), ("DELETE", None)):
            last = client.request(method, f"{base}/{owner_id}", json=body)
            assert last.status_code == 409, last.text
            assert last.json()["error"]["code"] == "last_owner"
            assert "владелец" in last.json()["error"]["message"]
        assert client.patch(f"{base}/{other_id}", json={"role": "owner"}).json()["role"] == "owner"
    with api.client(other) as client:
        # Two owners now: the first may step down, and then has no say in the members any more.
        assert client.patch(f"{base}/{owner_id}", json={"role": "viewer"}).status_code == 200
        assert client.delete(f"{base}/{owner_id}").status_code == 204
    with api.client(owner) as client:
        assert client.get(f"/api/v1/workspaces/{workspace}").status_code == 404
        assert client.get("/api/v1/clips", headers={"X-Workspace-Id": workspace}).status_code == 404
        # Left with no workspace at all, they get a new personal one rather than a locked account.
        me = client.get("/api/v1/me").json()
        assert me["workspace_id"] not in (workspace, None) and me["role"] == "owner" and me["plan"] == "free"
