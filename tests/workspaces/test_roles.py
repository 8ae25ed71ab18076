"""What each role may do, asked of every write route (API and pages): the use case refuses with
role_forbids (403) whatever the page shows, and the pages leave out what the role may not do."""

from __future__ import annotations

from tests.support.api import Api
from tests.web.support import csrf_of, htmx, login, new_user
from tests.workspaces.support import Route, add_member, body_for, every_route, id_values, two_workspaces

WRITES = {"POST", "PATCH", "DELETE"}
# Page routes that act on the user, not on a workspace's data: any member may use them.
USER_PAGES = {"/logout", "/logout-all", "/settings/language", "/workspaces", "/workspaces/switch", "/login"}
# Joining by an invitation link is the invited person's, signed by the link's token (tests/workspaces).
USER_PAGES |= {"/invite/{token}", "/invite/{token}/sign-up"}
# A member's own notification channels: every role hears of what concerns it (tests/notifications).
USER_PAGES |= {
    "/settings/notifications",
    "/settings/notifications/telegram",
    "/settings/notifications/telegram/unlink",
}
OWN_SETTINGS = {"/api/v1/notifications/telegram"}
# Called by a platform, not a person: no member, signed by the token in its path (tests/publications).
PLATFORM_CALLS = {"/hooks/platform/{token}"}
# The dialogs that lead to a change (a viewer gets no publish, reschedule or disconnect dialog).
DIALOGS = {"/clips/{clip_id}/publish", "/publications/{publication_id}/reschedule"}
DIALOGS |= {"/settings/connections/{connection_id}/disconnect", "/publications/{publication_id}/cancel"}
DIALOGS |= {"/series/new", "/clips/bulk/cancel", "/clips/bulk/reschedule"}
DIALOGS |= {"/publications/{publication_id}/approve", "/publications/{publication_id}/reject"}
DIALOGS |= {"/settings/templates/{template_id}/delete"}
# What an approver may do: their role passes, and B's publication (scheduled, not awaiting) refuses.
APPROVALS = {
    "/api/v1/publications/{publication_id}/approve",
    "/api/v1/publications/{publication_id}/reject",
    "/publications/{publication_id}/approve",
    "/publications/{publication_id}/reject",
}
TELEGRAM = {"bot_token": "7000000001:AAHb3vQm2Xk9LpR4tZs8YwNc1DfGj6UeKoA", "channel": "@clipmaker_demo"}


def _api_writes() -> list[Route]:
    return [
        r
        for r in every_route()
        if not r.page
        and r.method in WRITES
        and (r.scoped or "workspace_id" in r.params)
        and r.path not in OWN_SETTINGS
    ]


def _page_changes() -> list[Route]:
    return [
        r
        for r in every_route()
        if r.page
        and r.path not in USER_PAGES | PLATFORM_CALLS
        and (r.method in WRITES or (r.method == "GET" and r.path in DIALOGS))
    ]


def _body(route: Route, world) -> dict[str, object]:  # type: ignore[no-untyped-def]
    if (route.method, route.path) == ("POST", "/api/v1/connections"):
        return {"json": {"platform": "telegram", **TELEGRAM}}
    if (route.method, route.path) == ("POST", "/api/v1/clips"):
        return {"json": {"source_url": "https://example.com/clip.mp4"}}
    if (route.method, route.path) == ("POST", "/settings/platforms/{platform}/connect"):
        return {"data": TELEGRAM}
    if (route.method, route.path) == ("POST", "/settings/platforms/{platform}/session"):
        return {"data": {"session": "remixsid=1"}}
    return body_for(route, world)


def _values(world, route: Route) -> dict[str, str]:  # type: ignore[no-untyped-def]
    values = {**id_values(world), "platform": "telegram" if route.path.endswith("/connect") else "vk"}
    # Ids of B's own rows: what answers is the role, not a foreign id.
    return values


def test_a_viewer_and_an_approver_change_nothing_on_any_route(api: Api) -> None:
    world = two_workspaces(api)
    approver = new_user(api)
    add_member(api, world.bea[1], world.b, approver[0], "approver")
    viewer = new_user(api)
    add_member(api, world.bea[1], world.b, viewer[0], "viewer")
    writes, pages = _api_writes(), _page_changes()
    assert len(writes) >= 15 and len(pages) >= 12
    assert {r.path for r in writes + pages} >= APPROVALS
    for email, token in (viewer, approver):
        allowed = APPROVALS if email == approver[0] else set()
        with api.client(token, **{"X-Workspace-Id": world.b}) as client:
            for route in writes:
                response = client.request(
                    route.method, route.url(_values(world, route)), **_body(route, world)
                )
                if route.path in allowed:
                    assert response.status_code == 409, (email, route, response.text[:300])
                    assert response.json()["error"]["code"] == "not_awaiting_approval"
                    continue
                assert response.status_code == 403, (email, route, response.text[:300])
                assert response.json()["error"]["code"] == "role_forbids"
        with login(api, email) as browser:
            browser.post("/workspaces/switch", data={"workspace_id": world.b, "csrf_token": _csrf(browser)})
            csrf = _csrf(browser)
            for route in pages:
                if route.path in allowed:
                    continue  # the approver's dialogs: tests/web/test_approval_pages.py
                response = browser.request(
                    route.method,
                    route.url(_values(world, route)),
                    headers=htmx(browser, csrf),
                    **_body(route, world),
                )
                assert response.status_code == 403, (email, route, response.text[:300])
    with api.client(world.bea[1]) as client:
        assert client.get(f"/api/v1/publications/{world.publication}").json()["status"] == "scheduled"
        assert client.get(f"/api/v1/connections/{world.connection}").json()["status"] == "active"
        assert len(client.get("/api/v1/connections").json()) == 1
        assert [t["name"] for t in client.get("/api/v1/templates").json()] == ["Ссылки"]


def _csrf(browser) -> str:  # type: ignore[no-untyped-def]
    return csrf_of(browser.get("/").text)


def test_an_editor_publishes_and_connects_but_does_not_manage_the_workspace(api: Api) -> None:
    world = two_workspaces(api)
    editor = new_user(api)
    editor_id = add_member(api, world.bea[1], world.b, editor[0], "editor")
    with api.client(editor[1], **{"X-Workspace-Id": world.b}) as client:
        moved = client.patch(
            f"/api/v1/publications/{world.publication}", json={"scheduled_at": "2031-01-01T12:00:00+03:00"}
        )
        assert moved.status_code == 200, moved.text
        assert client.post(f"/api/v1/publications/{world.publication}/cancel").json()["status"] == "cancelled"
        assert (
            client.post(
                f"/api/v1/clips/{world.clip}/publish", json={"targets": [{"connection_id": world.connection}]}
            ).status_code
            == 201
        )
        for method, path, body in (
            ("PATCH", f"/api/v1/workspaces/{world.b}", {"name": "Моё"}),
            ("POST", f"/api/v1/workspaces/{world.b}/members", {"email": world.al[0], "role": "viewer"}),
            ("PATCH", f"/api/v1/workspaces/{world.b}/members/{editor_id}", {"role": "owner"}),
            ("DELETE", f"/api/v1/workspaces/{world.b}/members/{world.bo_id}", None),
        ):
            refused = client.request(method, path, json=body)
            assert refused.status_code == 403 and refused.json()["error"]["code"] == "role_forbids", path
        assert client.get(f"/api/v1/workspaces/{world.b}").json()["role"] == "editor"


def test_pages_show_each_role_only_what_it_may_do(api: Api) -> None:
    world = two_workspaces(api)
    viewer = new_user(api)
    add_member(api, world.bea[1], world.b, viewer[0], "viewer")
    pages = ("/", "/publications", "/settings/platforms", "/settings/workspace", "/settings/members")
    shown: dict[str, str] = {}
    for who in (world.bea[0], viewer[0]):
        with login(api, who) as browser:
            browser.post("/workspaces/switch", data={"workspace_id": world.b, "csrf_token": _csrf(browser)})
            shown[who] = "".join(browser.get(page).text for page in pages)
    owner, looker = shown[world.bea[0]], shown[viewer[0]]
    for control in (
        f'id="publish-{world.clip}"',
        f'id="disconnect-{world.connection}"',
        f'id="test-{world.connection}"',
        'hx-post="/settings/platforms/telegram/connect"',
        'hx-get="/publications/',
        'action="/settings/members/invite"',
        f'action="/settings/members/{world.bo_id}/role"',
        f'action="/settings/invitations/{world.invitation}/revoke"',
        'href="/settings/audit"',
        "data-clip-select",
        'action="/settings/workspace"',
    ):
        assert control in owner, control
        assert control not in looker, control
    assert "Наблюдатель" in looker and "Клиент:" in looker
