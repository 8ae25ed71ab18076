"""Connecting a browser session (a cookie export): what is refused before any platform is asked."""

from __future__ import annotations

from tests.support.api import Api

SECRET = "remixsid-value-that-must-not-come-back"


def test_an_unreadable_or_foreign_export_is_refused_and_nothing_is_connected(api: Api) -> None:
    _, token = api.new_user()
    with api.client(token, **{"Accept-Language": "en"}) as client:
        unreadable = client.post("/api/v1/connections", json={"platform": "vk", "session": "hello there"})
        foreign = client.post(
            "/api/v1/connections",
            json={"platform": "vk", "session": f".example.org\tTRUE\t/\tFALSE\t0\tremixsid\t{SECRET}"},
        )
        assert unreadable.status_code == foreign.status_code == 422
        assert unreadable.json()["error"]["code"] == "web_session.unreadable"
        assert foreign.json()["error"]["code"] == "web_session.no_cookies"
        assert "vk.com" in foreign.json()["error"]["message"]
        assert SECRET not in foreign.text
        assert client.get("/api/v1/connections").json() == []


def test_platforms_without_a_web_route_do_not_take_a_session(api: Api) -> None:
    _, token = api.new_user()
    with api.client(token) as client:
        answer = client.post("/api/v1/connections", json={"platform": "telegram", "session": "a=b"})
        assert answer.status_code == 422
        assert client.get("/api/v1/connections").json() == []
