"""A member of one workspace finds nothing of another on any route, API or page: 404, as for any
foreign id. The routes come from the app's router, so a route added later is checked too."""

from __future__ import annotations

import pytest

from autopost.web.auth import WORKSPACE_COOKIE
from tests.support.api import Api
from tests.web.support import csrf_of, htmx, login
from tests.workspaces.support import Route, Workspaces, body_for, every_route, id_values, two_workspaces

# Path parameters that name no row of a workspace: a platform's name, and the media URL's signed
# token (a capability of its own, tested in tests/clips).
NOT_IDS = {"platform", "token"}
ROUTES = every_route()


def _with_ids(routes: list[Route]) -> list[Route]:
    return [r for r in routes if r.params - NOT_IDS]


def test_every_path_parameter_is_known() -> None:
    """A route taking an id this test has no value for must be added to it, not slip past it."""
    values = {"clip_id", "connection_id", "publication_id", "workspace_id", "user_id", "token_id"}
    values |= {"webhook_id", "delivery_id", "invitation_id", "template_id"}
    values |= {"upload_id"}
    unknown = {(r.method, r.path) for r in ROUTES if r.params - NOT_IDS - values}
    assert unknown == set()
    assert len(_with_ids(ROUTES)) >= 30


def _assert_not_found(response, route: Route, where: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 404, (where, route.method, route.path, response.text[:300])


def test_another_workspaces_ids_are_not_found_on_every_api_route(api: Api) -> None:
    world = two_workspaces(api)
    values = id_values(world)
    for workspace in (None, world.s):
        headers = {"X-Workspace-Id": workspace} if workspace else {}
        with api.client(world.al[1], **headers) as client:
            for route in _with_ids([r for r in ROUTES if not r.page]):
                response = client.request(route.method, route.url(values), **body_for(route, world))
                _assert_not_found(response, route, f"API in {workspace or 'first'}")
            assert client.get("/api/v1/publications").json() == []
            assert client.get("/api/v1/clips").json() == []
    _assert_untouched(api, world)


def test_another_workspaces_ids_are_not_found_on_every_page(api: Api) -> None:
    world = two_workspaces(api)
    values = id_values(world)
    with login(api, world.al[0]) as client:
        csrf = csrf_of(client.get("/").text)
        for workspace in (None, world.s, world.b):
            # A cookie naming B (Al is no member there) falls back to his own first workspace.
            if workspace:
                client.cookies.set(WORKSPACE_COOKIE, workspace, domain="127.0.0.1")
            for route in _with_ids([r for r in ROUTES if r.page]):
                response = client.request(
                    route.method, route.url(values), headers=htmx(client, csrf), **body_for(route, world)
                )
                _assert_not_found(response, route, f"page in {workspace or 'first'}")
            assert "Общий клиент" in client.get("/settings/workspace").text or workspace != world.s
        switched = client.post(
            "/workspaces/switch", data={"workspace_id": world.b}, headers=htmx(client, csrf)
        )
        assert switched.status_code == 404
    _assert_untouched(api, world)


def test_a_workspace_header_of_someone_elses_workspace_is_not_found(api: Api) -> None:
    world = two_workspaces(api)
    scoped = [r for r in ROUTES if r.scoped and not r.page and not r.params and r.method == "GET"]
    assert {r.path for r in scoped} >= {"/api/v1/clips", "/api/v1/publications", "/api/v1/connections"}
    for workspace in (world.b, "not-an-id"):
        with api.client(world.al[1], **{"X-Workspace-Id": workspace}) as client:
            for route in scoped:
                _assert_not_found(client.get(route.path), route, workspace)
            posted = client.post(f"/api/v1/clips/{world.clip}/publish", json={"targets": []})
            assert posted.status_code == 404
    with api.client(world.al[1], **{"X-Workspace-Id": world.s}) as client:
        assert client.get("/api/v1/me").json()["workspace_id"] == world.s
        assert client.get("/api/v1/me").json()["role"] == "editor"


def _assert_untouched(api: Api, world: Workspaces) -> None:
    with api.client(world.bea[1]) as client:
        assert client.get(f"/api/v1/clips/{world.clip}").status_code == 200
        assert client.get(f"/api/v1/connections/{world.connection}").json()["status"] == "active"
        assert client.get(f"/api/v1/publications/{world.publication}").json()["status"] == "scheduled"
        assert client.get(f"/api/v1/workspaces/{world.b}").json()["name"] != "Чужое"
        members = client.get(f"/api/v1/workspaces/{world.b}/members").json()
        assert sorted(m["role"] for m in members) == ["owner", "viewer"]
        pending = client.get(f"/api/v1/workspaces/{world.b}/invitations").json()
        assert [i["id"] for i in pending] == [world.invitation]
        assert [(t["id"], t["name"]) for t in client.get("/api/v1/templates").json()] == [
            (world.template, "Ссылки")
        ]


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
