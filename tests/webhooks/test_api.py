"""/api/v1/webhooks: the secret is shown once, URLs get the clip URLs' SSRF rules, and only a
workspace's owners manage its webhooks (another workspace's ids are not found)."""

from __future__ import annotations

import pytest

from tests.support.api import Api
from tests.web.support import new_user
from tests.webhooks.conftest import URL
from tests.workspaces.support import add_member, workspace_of

EVENTS = ["publication.published", "connection.needs_reconnect"]


def test_the_secret_is_shown_on_create_and_rotate_only(hooks_api: Api) -> None:
    _, token = new_user(hooks_api)
    with hooks_api.client(token) as client:
        made = client.post("/api/v1/webhooks", json={"url": URL, "events": EVENTS[::-1]})
        assert made.status_code == 201, made.text
        hook = made.json()
        assert hook["secret"].startswith("whsec_") and len(hook["secret"]) > 40
        assert made.headers["cache-control"] == "no-store"
        assert (hook["url"], hook["events"], hook["active"]) == (URL, EVENTS, True)

        listed = client.get("/api/v1/webhooks")
        assert listed.json() == [{k: v for k, v in hook.items() if k != "secret"}]
        assert hook["secret"] not in listed.text
        assert client.get(f"/api/v1/webhooks/{hook['id']}/deliveries").json() == []

        rotated = client.post(f"/api/v1/webhooks/{hook['id']}/rotate")
        assert rotated.status_code == 200, rotated.text
        assert rotated.json()["secret"].startswith("whsec_") and rotated.json()["secret"] != hook["secret"]
        assert rotated.json()["secret"] not in client.get("/api/v1/webhooks").text

        assert client.delete(f"/api/v1/webhooks/{hook['id']}").status_code == 204
        assert client.get("/api/v1/webhooks").json() == []
        assert client.post(f"/api/v1/webhooks/{hook['id']}/rotate").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hooks",  # loopback, not the allowed port
        "http://127.0.0.1:18766/hooks",
        "https://10.0.0.7/hooks",  # private
        "https://192.168.1.1/hooks",
        "https://169.254.169.254/latest/meta-data",  # cloud metadata
        "https://localhost/hooks",  # a name for loopback
        "https://0x7f.1/hooks",  # loopback spelled otherwise
        "http://93.184.216.34/hooks",  # public, but not https
        "ftp://93.184.216.34/hooks",
        "https://user:pass@93.184.216.34/hooks",  # credentials would show in the list
        "not a url",
    ],
)
def test_ssrf_refusals_register_nothing(hooks_api: Api, url: str) -> None:
    _, token = new_user(hooks_api)
    with hooks_api.client(token, **{"Accept-Language": "en"}) as client:
        refused = client.post("/api/v1/webhooks", json={"url": url, "events": EVENTS})
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["code"] == "webhook_url_refused"
        assert client.get("/api/v1/webhooks").json() == []


def test_events_must_be_known_and_at_least_one(hooks_api: Api) -> None:
    _, token = new_user(hooks_api)
    with hooks_api.client(token) as client:
        unknown = client.post("/api/v1/webhooks", json={"url": URL, "events": ["clip.uploaded"]})
        none = client.post("/api/v1/webhooks", json={"url": URL, "events": []})
        assert (unknown.status_code, unknown.json()["error"]["code"]) == (422, "webhook_unknown_event")
        assert (none.status_code, none.json()["error"]["code"]) == (422, "webhook_no_events")
        assert client.get("/api/v1/webhooks").json() == []


def test_only_owners_manage_webhooks_and_other_workspaces_find_none(hooks_api: Api) -> None:
    owner, stranger = new_user(hooks_api), new_user(hooks_api)
    viewer, editor = new_user(hooks_api), new_user(hooks_api)
    workspace = workspace_of(hooks_api, owner[1])
    add_member(hooks_api, owner[1], workspace, viewer[0], "viewer")
    add_member(hooks_api, owner[1], workspace, editor[0], "editor")
    with hooks_api.client(owner[1]) as client:
        hook = client.post("/api/v1/webhooks", json={"url": URL, "events": EVENTS}).json()
    paths = [
        ("GET", "/api/v1/webhooks/{id}/deliveries"),
        ("POST", "/api/v1/webhooks/{id}/rotate"),
        ("DELETE", "/api/v1/webhooks/{id}"),
        ("POST", "/api/v1/webhooks/{id}/deliveries/00000000-0000-4000-8000-000000000000/retry"),
    ]
    for person in (viewer, editor):
        with hooks_api.client(person[1], **{"X-Workspace-Id": workspace}) as client:
            assert client.get("/api/v1/webhooks").status_code == 403
            made = client.post("/api/v1/webhooks", json={"url": URL, "events": EVENTS})
            assert (made.status_code, made.json()["error"]["code"]) == (403, "role_forbids")
            for method, path in paths:
                assert client.request(method, path.format(id=hook["id"])).status_code == 403, path
    with hooks_api.client(stranger[1]) as client:
        assert client.get("/api/v1/webhooks").json() == []
        for method, path in paths:
            assert client.request(method, path.format(id=hook["id"])).status_code == 404, path
        assert client.get("/api/v1/webhooks", headers={"X-Workspace-Id": workspace}).status_code == 404
    with hooks_api.client(owner[1]) as client:
        [kept] = client.get("/api/v1/webhooks").json()
        assert kept["id"] == hook["id"]
        missing = client.post(f"/api/v1/webhooks/{hook['id']}/deliveries/{hook['id']}/retry")
        assert missing.status_code == 404


def test_an_endpoint_is_paused_resumed_and_given_other_events(hooks_api: Api) -> None:
    _, token = new_user(hooks_api)
    with hooks_api.client(token) as client:
        hook = client.post("/api/v1/webhooks", json={"url": URL, "events": EVENTS}).json()
        paused = client.patch(f"/api/v1/webhooks/{hook['id']}", json={"active": False})
        assert paused.status_code == 200 and paused.json()["active"] is False
        changed = client.patch(f"/api/v1/webhooks/{hook['id']}", json={"events": ["approval.decided"]})
        assert changed.json()["events"] == ["approval.decided"] and changed.json()["active"] is False
        refused = client.patch(f"/api/v1/webhooks/{hook['id']}", json={"events": []})
        assert refused.status_code == 422
        resumed = client.patch(f"/api/v1/webhooks/{hook['id']}", json={"active": True})
        assert resumed.json()["active"] is True and "secret" not in resumed.json()
        assert client.get("/api/v1/webhooks").json()[0]["events"] == ["approval.decided"]
