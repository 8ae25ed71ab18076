"""Two workspaces with data, their members, and every route of the app (found by introspection)."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from autopost.app import create_app
from autopost.deps import current_member
from autopost.platforms.catalog import Platform
from autopost.settings import Settings
from autopost.web.auth import current_viewer
from tests.support.api import Api
from tests.web.support import new_user

PARAM = re.compile(r"{(\w+)}")


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    # Scoped to a workspace: it resolves the caller's member (API) or the page's viewer.
    scoped: bool

    @property
    def params(self) -> set[str]:
        return set(PARAM.findall(self.path))

    @property
    def page(self) -> bool:
        return not self.path.startswith("/api/")

    def url(self, values: dict[str, str]) -> str:
        return PARAM.sub(lambda m: values[m.group(1)], self.path)


def _depends_on(dependant: Any, wanted: set[Callable[..., Any]]) -> bool:
    return any(d.call in wanted or _depends_on(d, wanted) for d in dependant.dependencies)


def _candidates(routes: list[Any]) -> Iterator[Any]:
    for route in routes:
        found = getattr(route, "effective_candidates", None)
        if found is not None:
            yield from found() if callable(found) else found
        elif hasattr(route, "dependant"):
            yield route


def every_route() -> list[Route]:
    """Every route the app serves (API and pages), as the router holds them: a new one is in here."""
    app = create_app(Settings())
    scoped_by = {current_member, current_viewer}
    found = []
    for route in _candidates(list(app.routes)):
        for method in sorted(route.methods or ()):
            found.append(Route(method, route.path, _depends_on(route.dependant, scoped_by)))
    return found


@dataclass
class Workspaces:
    """Bea owns workspace B with a clip, a connection and a scheduled publication in it, and Bo is a
    viewer there. Al has his own workspace A and is an editor in S, a workspace Bea shares with him."""

    bea: tuple[str, str]
    bo_id: str
    al: tuple[str, str]
    b: str
    s: str
    a: str
    clip: str
    connection: str
    publication: str
    token: str
    upload: str = ""


def workspace_of(api: Api, token: str) -> str:
    with api.client(token) as client:
        return str(client.get("/api/v1/me").json()["workspace_id"])


def add_member(api: Api, owner_token: str, workspace: str, email: str, role: str) -> str:
    with api.client(owner_token) as client:
        added = client.post(f"/api/v1/workspaces/{workspace}/members", json={"email": email, "role": role})
    assert added.status_code == 201, added.text
    return str(added.json()["user_id"])


def two_workspaces(api: Api) -> Workspaces:
    bea, bo, al = new_user(api), new_user(api), new_user(api)
    b, a = workspace_of(api, bea[1]), workspace_of(api, al[1])
    clip = str(api.upload_clip(bea[1])["id"])
    connection = api.add_connection(bea[0], Platform.TELEGRAM)
    with api.client(bea[1]) as client:
        made = client.post(
            f"/api/v1/clips/{clip}/publish",
            json={"targets": [{"connection_id": connection}], "scheduled_at": "2030-01-01T12:00:00+03:00"},
        )
        assert made.status_code == 201, made.text
        shared = client.post("/api/v1/workspaces", json={"name": "Общий клиент"})
        assert shared.status_code == 201, shared.text
        token = str(client.get("/api/v1/tokens").json()[0]["id"])
    s = str(shared.json()["id"])
    bo_id = add_member(api, bea[1], b, bo[0], "viewer")
    add_member(api, bea[1], s, al[0], "editor")
    world = Workspaces(bea, bo_id, al, b, s, a, clip, connection, str(made.json()[0]["id"]), token)
    with api.client(bea[1]) as client:
        started = client.post("/api/v1/uploads", **tus_request(1000))
    assert started.status_code == 201, started.text
    world.upload = started.headers["Location"].rsplit("/", 1)[1]
    return world


def tus_request(length: int = 1000) -> dict[str, Any]:
    """What a TUS call carries (tests/clips/test_tus_uploads), so what answers is the id or the role."""
    metadata = "filename " + base64.b64encode(b"clip.mp4").decode()
    headers = {
        "Tus-Resumable": "1.0.0",
        "Upload-Length": str(length),
        "Upload-Metadata": metadata,
        "Upload-Offset": "0",
        "Content-Type": "application/offset+octet-stream",
    }
    return {"headers": headers, "content": b""}


def id_values(world: Workspaces) -> dict[str, str]:
    """B's ids for every id a route can take."""
    return {
        "clip_id": world.clip,
        "connection_id": world.connection,
        "publication_id": world.publication,
        "workspace_id": world.b,
        "user_id": world.bo_id,
        "token_id": world.token,
        "upload_id": world.upload,
    }


def body_for(route: Route, world: Workspaces) -> dict[str, Any]:
    """A valid body for the route, so what answers is the id check, not the validation."""
    api_bodies: dict[tuple[str, str], dict[str, Any]] = {
        ("POST", "/api/v1/clips/{clip_id}/publish"): {"targets": [{"connection_id": world.connection}]},
        ("PATCH", "/api/v1/publications/{publication_id}"): {"scheduled_at": "2031-01-01T12:00:00+03:00"},
        ("PATCH", "/api/v1/connections/{connection_id}"): {"group_id": None},
        ("PATCH", "/api/v1/workspaces/{workspace_id}"): {"name": "Чужое"},
        ("POST", "/api/v1/workspaces/{workspace_id}/members"): {"email": world.al[0], "role": "owner"},
        ("PATCH", "/api/v1/workspaces/{workspace_id}/members/{user_id}"): {"role": "owner"},
    }
    page_forms: dict[tuple[str, str], dict[str, Any]] = {
        ("POST", "/clips/{clip_id}/publish"): {"account": world.connection, "when": "now"},
        ("POST", "/publications/{publication_id}/reschedule"): {"scheduled_at": "2031-01-01T12:00"},
        ("POST", "/settings/connections/{connection_id}/target"): {"group_id": ""},
        ("POST", "/settings/workspace/members/{user_id}/role"): {"role": "owner"},
        ("POST", "/settings/workspace/members"): {"email": world.al[0], "role": "owner"},
    }
    key = (route.method, route.path)
    if route.path.startswith("/api/v1/uploads"):
        return tus_request()
    return {"data": page_forms[key]} if route.page and key in page_forms else {"json": api_bodies.get(key)}
