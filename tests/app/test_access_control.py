"""Every route that takes an id answers 404 for another user's object, and changes nothing."""

import uuid

from autopost.platforms.catalog import Platform
from tests.support.api import Api


def test_foreign_ids_are_not_found_on_every_route(api: Api) -> None:
    owner_email, owner = api.new_user()
    _, intruder = api.new_user()
    clip_id = api.upload_clip(owner)["id"]
    connection_id = api.add_connection(owner_email, Platform.TELEGRAM)
    with api.client(owner) as client:
        publications = client.post(
            f"/api/v1/clips/{clip_id}/publish",
            json={"targets": [{"connection_id": connection_id}], "scheduled_at": "2030-01-01T12:00:00+03:00"},
        )
        assert publications.status_code == 201, publications.text
        publication_id = publications.json()[0]["id"]

    routes = [
        ("GET", f"/api/v1/clips/{clip_id}", None),
        ("GET", f"/api/v1/clips/{clip_id}/thumbnail", None),
        ("DELETE", f"/api/v1/clips/{clip_id}", None),
        ("POST", f"/api/v1/clips/{clip_id}/publish", {"targets": [{"connection_id": connection_id}]}),
        ("GET", f"/api/v1/connections/{connection_id}", None),
        ("POST", f"/api/v1/connections/{connection_id}/test", None),
        ("DELETE", f"/api/v1/connections/{connection_id}", None),
        ("GET", f"/api/v1/publications/{publication_id}", None),
        ("GET", f"/api/v1/publications/{publication_id}/stats", None),
        ("POST", f"/api/v1/publications/{publication_id}/cancel", None),
        ("POST", f"/api/v1/publications/{publication_id}/retry", None),
        ("PATCH", f"/api/v1/publications/{publication_id}", {"scheduled_at": "2031-01-01T12:00:00+03:00"}),
    ]
    with api.client(intruder) as client:
        for method, path, body in routes:
            response = client.request(method, path, json=body)
            assert response.status_code == 404, (method, path, response.text)
            assert response.json()["error"]["code"] == "not_found"
        # The intruder's own clip cannot be published to the owner's connection either.
        mine = api.upload_clip(intruder)["id"]
        response = client.post(
            f"/api/v1/clips/{mine}/publish", json={"targets": [{"connection_id": connection_id}]}
        )
        assert response.status_code == 404
        assert client.get("/api/v1/publications").json() == []
        assert client.get("/api/v1/connections").json() == []

    with api.client(owner) as client:
        assert client.get(f"/api/v1/clips/{clip_id}").status_code == 200
        assert client.get(f"/api/v1/connections/{connection_id}").json()["status"] == "active"
        assert client.get(f"/api/v1/publications/{publication_id}").json()["status"] == "scheduled"


def test_unknown_ids_and_malformed_ids(api: Api) -> None:
    _, token = api.new_user()
    with api.client(token) as client:
        assert client.get(f"/api/v1/clips/{uuid.uuid4()}").status_code == 404
        malformed = client.get("/api/v1/clips/not-a-uuid")
        assert malformed.status_code == 422 and malformed.json()["error"]["code"] == "validation_error"
