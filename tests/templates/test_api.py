"""/api/v1/templates: templates and hashtag sets of a workspace, changed by its editors and owners
only, with the texts checked and the hashtags normalised; another workspace's ids are not found."""

from __future__ import annotations

import pytest

from tests.support.api import Api
from tests.web.support import new_user
from tests.workspaces.support import add_member, workspace_of

LINKS = "Курс монтажа: https://example.com/course\nНаш канал: https://t.me/clipmaker_demo"


def test_templates_and_hashtag_sets_are_made_listed_changed_and_deleted(api: Api) -> None:
    _, token = new_user(api)
    with api.client(token) as client:
        text = client.post(
            "/api/v1/templates", json={"kind": "text", "name": "Ссылки", "text": f"  {LINKS}\n"}
        )
        assert text.status_code == 201, text.text
        assert (text.json()["kind"], text.json()["text"], text.json()["hashtags"]) == ("text", LINKS, None)
        tags = client.post(
            "/api/v1/templates",
            json={
                "kind": "hashtags",
                "name": "Монтаж",
                "hashtags": ["монтаж", "#Урок", " #монтаж", "#урок", "cut_1"],
            },
        )
        assert tags.status_code == 201, tags.text
        assert tags.json()["hashtags"] == ["#монтаж", "#Урок", "#cut_1"]
        assert tags.json()["text"] == "#монтаж #Урок #cut_1"
        # A set may also come typed in one field, as the settings page sends it.
        typed = client.post(
            "/api/v1/templates", json={"kind": "hashtags", "name": "Курс", "text": "курс, #видео;урок"}
        )
        assert typed.json()["hashtags"] == ["#курс", "#видео", "#урок"]

        listed = client.get("/api/v1/templates").json()
        assert [(t["kind"], t["name"]) for t in listed] == [
            ("text", "Ссылки"),
            ("hashtags", "Курс"),
            ("hashtags", "Монтаж"),
        ]

        renamed = client.patch(f"/api/v1/templates/{text.json()['id']}", json={"name": "Ссылки на курс"})
        assert renamed.status_code == 200 and renamed.json()["text"] == LINKS
        retagged = client.patch(f"/api/v1/templates/{tags.json()['id']}", json={"hashtags": ["#склейка"]})
        assert (retagged.json()["name"], retagged.json()["hashtags"]) == ("Монтаж", ["#склейка"])

        assert client.delete(f"/api/v1/templates/{typed.json()['id']}").status_code == 204
        assert [t["name"] for t in client.get("/api/v1/templates").json()] == ["Ссылки на курс", "Монтаж"]
        assert client.delete(f"/api/v1/templates/{typed.json()['id']}").status_code == 404


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"kind": "text", "name": " ", "text": "x"}, "template_name_invalid"),
        ({"kind": "text", "name": "N" * 101, "text": "x"}, "template_name_invalid"),
        ({"kind": "text", "name": "Пусто", "text": " \n "}, "template_text_empty"),
        # The longest description any platform takes is 5000 characters (VK, Rutube, Dzen).
        ({"kind": "text", "name": "Длинный", "text": "я" * 5001}, "template_text_too_long"),
        ({"kind": "hashtags", "name": "Пусто", "hashtags": ["#", " "]}, "hashtag_invalid"),
        ({"kind": "hashtags", "name": "Пусто", "hashtags": []}, "hashtags_empty"),
        ({"kind": "hashtags", "name": "Пробел", "hashtags": ["#монтаж видео"]}, "hashtag_has_space"),
        ({"kind": "hashtags", "name": "Знаки", "hashtags": ["#монтаж!"]}, "hashtag_invalid"),
        ({"kind": "hashtags", "name": "Два", "hashtags": ["#a#b"]}, "hashtag_invalid"),
    ],
)
def test_refusals_say_what_is_wrong_and_store_nothing(api: Api, body: dict[str, object], code: str) -> None:
    _, token = new_user(api)
    with api.client(token, **{"Accept-Language": "ru"}) as client:
        refused = client.post("/api/v1/templates", json=body)
        assert (refused.status_code, refused.json()["error"]["code"]) == (422, code), refused.text
        assert client.get("/api/v1/templates").json() == []


def test_the_text_limit_counts_characters_and_names_are_unique_in_a_workspace(api: Api) -> None:
    (_, token), (_, other) = new_user(api), new_user(api)
    with api.client(token, **{"Accept-Language": "en"}) as client:
        # 5000 emoji are 5000 characters (10000 UTF-16 units): at the limit, not over it.
        longest = client.post(
            "/api/v1/templates", json={"kind": "text", "name": "Эмодзи", "text": "🎬" * 5000}
        )
        assert longest.status_code == 201, longest.text
        taken = client.post(
            "/api/v1/templates", json={"kind": "hashtags", "name": "Эмодзи", "hashtags": ["#a"]}
        )
        assert (taken.status_code, taken.json()["error"]["code"]) == (409, "template_name_taken")
        assert "Эмодзи" in taken.json()["error"]["message"]
        second = client.post("/api/v1/templates", json={"kind": "text", "name": "Второй", "text": "x"}).json()
        clash = client.patch(f"/api/v1/templates/{second['id']}", json={"name": "Эмодзи"})
        assert clash.status_code == 409
        same = client.patch(f"/api/v1/templates/{second['id']}", json={"name": "Второй", "text": "y"})
        assert same.status_code == 200 and same.json()["text"] == "y"
    with api.client(other) as client:
        mine = client.post("/api/v1/templates", json={"kind": "text", "name": "Эмодзи", "text": "x"})
        assert mine.status_code == 201


def test_viewers_read_editors_change_and_other_workspaces_find_nothing(api: Api) -> None:
    owner, viewer, editor, stranger = new_user(api), new_user(api), new_user(api), new_user(api)
    workspace = workspace_of(api, owner[1])
    add_member(api, owner[1], workspace, viewer[0], "viewer")
    add_member(api, owner[1], workspace, editor[0], "editor")
    with api.client(owner[1]) as client:
        made = client.post("/api/v1/templates", json={"kind": "text", "name": "Ссылки", "text": LINKS}).json()
    path = f"/api/v1/templates/{made['id']}"
    with api.client(viewer[1], **{"X-Workspace-Id": workspace}) as client:
        assert [t["id"] for t in client.get("/api/v1/templates").json()] == [made["id"]]
        create = client.post("/api/v1/templates", json={"kind": "text", "name": "Моё", "text": "x"})
        assert (create.status_code, create.json()["error"]["code"]) == (403, "role_forbids")
        assert client.patch(path, json={"name": "Чужое"}).status_code == 403
        assert client.delete(path).status_code == 403
    with api.client(editor[1], **{"X-Workspace-Id": workspace}) as client:
        assert client.patch(path, json={"text": "Новые ссылки"}).status_code == 200
        made_by_editor = client.post(
            "/api/v1/templates", json={"kind": "hashtags", "name": "Теги", "text": "#a"}
        )
        assert made_by_editor.status_code == 201
    with api.client(stranger[1]) as client:
        assert client.get("/api/v1/templates").json() == []
        assert client.patch(path, json={"name": "Чужое"}).status_code == 404
        assert client.delete(path).status_code == 404
        assert client.get("/api/v1/templates", headers={"X-Workspace-Id": workspace}).status_code == 404
    with api.client(owner[1]) as client:
        kept = {t["name"]: t["text"] for t in client.get("/api/v1/templates").json()}
        assert kept == {"Ссылки": "Новые ссылки", "Теги": "#a"}
