"""Two workspaces with data, their members, and every route of the app (found by introspection)."""

from __future__ import annotations

import base64
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from autopost.app import create_app
from autopost.deps import current_member
from autopost.platforms.catalog import Platform
from autopost.settings import Settings
from autopost.users.service import create_api_token, get_user_by_email
from autopost.web.auth import current_viewer
from autopost.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from tests.support.api import Api
from tests.support.mail import invitation_token, shared_mail_server
from tests.web.support import in_database, new_user

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
    viewer there, and someone is invited to B. Al has his own workspace A and is an editor in S, a
    workspace Bea shares with him."""

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
    webhook: str
    delivery: str
    # A pending invitation of B's.
    invitation: str
    # A template of B's.
    template: str
    upload: str = ""


def workspace_of(api: Api, token: str) -> str:
    with api.client(token) as client:
        return str(client.get("/api/v1/me").json()["workspace_id"])


def add_member(api: Api, owner_token: str, workspace: str, email: str, role: str) -> str:
    """The owner invites `email` through the API and its user accepts the mailed link; their user id."""
    mailbox = shared_mail_server().mailbox
    with api.client(owner_token) as client:
        invited = client.post(f"/api/v1/workspaces/{workspace}/members", json={"email": email, "role": role})
        assert invited.status_code == 201, invited.text
        link_token = invitation_token(mailbox, email.lower())

    async def invitee_token(session: AsyncSession) -> str:
        user = await get_user_by_email(session, email)
        assert user is not None
        return await create_api_token(session, user, "invited")

    with api.client(in_database(api.settings, invitee_token)) as client:
        joined = client.post("/api/v1/workspaces/join", json={"token": link_token})
        assert joined.status_code == 200, joined.text
        assert joined.json()["id"] == workspace
        return str(client.get("/api/v1/me", headers={"X-Workspace-Id": workspace}).json()["id"])


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
    webhook, delivery = add_webhook(api, b)
    with api.client(bea[1]) as client:
        invited = client.post(
            f"/api/v1/workspaces/{b}/members", json={"email": "invited@example.com", "role": "editor"}
        )
        assert invited.status_code == 201, invited.text
        template = client.post("/api/v1/templates", json={"kind": "text", "name": "Ссылки", "text": "B"})
        assert template.status_code == 201, template.text
    publication = str(made.json()[0]["id"])
    world = Workspaces(
        bea,
        bo_id,
        al,
        b,
        s,
        a,
        clip,
        connection,
        publication,
        token,
        webhook,
        delivery,
        str(invited.json()["id"]),
        str(template.json()["id"]),
    )
    with api.client(bea[1]) as client:
        started = client.post("/api/v1/uploads", **tus_request(1000))
    assert started.status_code == 201, started.text
    world.upload = started.headers["Location"].rsplit("/", 1)[1]
    return world


def add_webhook(api: Api, workspace: str) -> tuple[str, str]:
    """A webhook endpoint of the workspace with one failed delivery, stored directly (its URL would
    need an allowed internal host to pass the registration's SSRF check; tests/webhooks test that)."""

    async def work(session: AsyncSession) -> tuple[str, str]:
        endpoint = WebhookEndpoint(
            workspace_id=uuid.UUID(workspace),
            url="https://hooks.example.com/in",
            events=["publication.failed"],
        )
        endpoint.secret = api.settings.vault().seal("whsec_test", endpoint.binding())
        delivery = WebhookDelivery(
            endpoint_id=endpoint.id,
            workspace_id=endpoint.workspace_id,
            event="publication.failed",
            dedup_key="publication.failed:test",
            body="{}",
            status=DeliveryStatus.FAILED,
            attempts=1,
            max_attempts=1,
        )
        session.add(endpoint)
        await session.flush()
        session.add(delivery)
        return str(endpoint.id), str(delivery.id)

    return in_database(api.settings, work)


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
        "webhook_id": world.webhook,
        "delivery_id": world.delivery,
        "invitation_id": world.invitation,
        "upload_id": world.upload,
        "template_id": world.template,
    }


def body_for(route: Route, world: Workspaces) -> dict[str, Any]:
    """A valid body for the route, so what answers is the id check, not the validation."""
    api_bodies: dict[tuple[str, str], dict[str, Any]] = {
        ("POST", "/api/v1/clips/{clip_id}/publish"): {"targets": [{"connection_id": world.connection}]},
        ("PATCH", "/api/v1/publications/{publication_id}"): {"scheduled_at": "2031-01-01T12:00:00+03:00"},
        ("POST", "/api/v1/publications/{publication_id}/reject"): {"comment": "Не сейчас"},
        ("PATCH", "/api/v1/connections/{connection_id}"): {"group_id": None},
        ("POST", "/api/v1/clips/{clip_id}/reschedule"): {"scheduled_at": "2031-01-01T12:00:00+03:00"},
        ("PUT", "/api/v1/connections/{connection_id}/slots"): {"weekdays": [0], "times": ["18:00"]},
        ("POST", "/api/v1/series"): {
            "clip_ids": [world.clip],
            "start_date": "2031-01-01",
            "cadence": {"every_days": 1},
            "times": {world.connection: "18:00"},
        },
        ("PATCH", "/api/v1/workspaces/{workspace_id}"): {"name": "Чужое"},
        ("POST", "/api/v1/workspaces/{workspace_id}/members"): {"email": world.al[0], "role": "owner"},
        ("PATCH", "/api/v1/workspaces/{workspace_id}/members/{user_id}"): {"role": "owner"},
        ("POST", "/api/v1/webhooks"): {"url": "https://93.184.216.34/in", "events": ["publication.failed"]},
        ("PATCH", "/api/v1/webhooks/{webhook_id}"): {"active": False},
        ("POST", "/api/v1/templates"): {"kind": "text", "name": "Чужое", "text": "x"},
        ("PATCH", "/api/v1/templates/{template_id}"): {"name": "Чужое"},
    }
    page_forms: dict[tuple[str, str], dict[str, Any]] = {
        ("POST", "/clips/{clip_id}/publish"): {"account": world.connection, "when": "now"},
        ("POST", "/publications/{publication_id}/reschedule"): {"scheduled_at": "2031-01-01T12:00"},
        ("POST", "/publications/{publication_id}/reject"): {"comment": "Не сейчас"},
        ("POST", "/calendar/publications/{publication_id}/move"): {"scheduled_at": "2031-01-01T12:00"},
        ("POST", "/calendar/move"): {"publication_id": world.publication, "day": "2031-01-01"},
        ("POST", "/settings/connections/{connection_id}/target"): {"group_id": ""},
        ("POST", "/settings/members/{user_id}/role"): {"role": "owner"},
        ("POST", "/settings/members/invite"): {"email": world.al[0], "role": "owner"},
        ("POST", "/settings/templates"): {"kind": "text", "name": "Чужое", "text": "x"},
        ("POST", "/settings/templates/{template_id}"): {"name": "Чужое", "text": "x"},
    }
    key = (route.method, route.path)
    if route.path.startswith("/api/v1/uploads"):
        return tus_request()
    return {"data": page_forms[key]} if route.page and key in page_forms else {"json": api_bodies.get(key)}
