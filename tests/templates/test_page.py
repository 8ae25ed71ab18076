"""Settings → «Шаблоны и хештеги»: add, change, delete (after a confirmation), refusals that keep what
was typed, what a viewer sees; the publish dialog offers the workspace's templates in every text field."""

from __future__ import annotations

import html
import re

from autopost.platforms.catalog import Platform
from tests.support.api import Api
from tests.web.support import csrf_of, htmx, login, new_user, visible_text
from tests.workspaces.support import add_member, workspace_of

LINKS = "Курс: https://example.com/course\nКанал: https://t.me/clipmaker_demo"


def _ids(api: Api, token: str) -> dict[str, str]:
    with api.client(token) as client:
        return {t["name"]: t["id"] for t in client.get("/api/v1/templates").json()}


def test_an_editor_adds_changes_and_deletes_templates_and_hashtag_sets(api: Api) -> None:
    email, token = new_user(api)
    with login(api, email) as browser:
        csrf = csrf_of(browser.get("/").text)
        page = browser.get("/settings/templates")
        assert page.status_code == 200
        text = visible_text(page.text)
        assert (
            "Шаблоны и хештеги" in text
            and "Шаблонов пока нет." in text
            and "Наборов хештегов пока нет." in text
        )

        added = browser.post(
            "/settings/templates",
            data={"csrf_token": csrf, "kind": "text", "name": "Ссылки", "text": LINKS},
            follow_redirects=True,
        )
        assert "Добавлено" in added.text and html.escape(LINKS) in added.text
        tags = browser.post(
            "/settings/templates",
            data={"csrf_token": csrf, "kind": "hashtags", "name": "Монтаж", "text": "монтаж, #урок монтаж"},
            follow_redirects=True,
        )
        assert "#монтаж #урок" in tags.text
        ids = _ids(api, token)

        refused = browser.post(
            "/settings/templates",
            data={"csrf_token": csrf, "kind": "hashtags", "name": "Плохие", "text": "#урок! #ok"},
        )
        assert refused.status_code == 422
        assert "#урок! — не хештег: только буквы, цифры и _" in visible_text(refused.text)
        assert "#урок! #ok" in refused.text  # kept in the form it came from
        taken = browser.post(
            f"/settings/templates/{ids['Монтаж']}",
            data={"csrf_token": csrf, "name": "Ссылки", "text": "#склейка"},
        )
        assert taken.status_code == 409 and "Название «Ссылки» в этом пространстве уже занято" in taken.text
        # The edit form the refusal came from is open again, with what was typed.
        assert re.search(
            rf'<article class="snippet" id="template-{ids["Монтаж"]}">\s*.*?<details class="snippet-edit" open>',
            taken.text,
            re.S,
        )

        saved = browser.post(
            f"/settings/templates/{ids['Монтаж']}",
            data={"csrf_token": csrf, "name": "Монтаж и склейка", "text": "#склейка"},
            follow_redirects=True,
        )
        assert "Сохранено" in saved.text and "Монтаж и склейка" in saved.text

        dialog = browser.get(f"/settings/templates/{ids['Ссылки']}/delete", headers=htmx(browser, csrf))
        assert "Удалить шаблон «Ссылки»?" in dialog.text
        deleted = browser.post(
            f"/settings/templates/{ids['Ссылки']}/delete", data={"csrf_token": csrf}, follow_redirects=True
        )
        assert "Удалено" in deleted.text and "Шаблонов пока нет." in deleted.text
    assert set(_ids(api, token)) == {"Монтаж и склейка"}


def test_a_viewer_sees_the_templates_but_no_forms_and_cannot_change_them(api: Api) -> None:
    owner, viewer = new_user(api), new_user(api)
    workspace = workspace_of(api, owner[1])
    add_member(api, owner[1], workspace, viewer[0], "viewer")
    with api.client(owner[1]) as client:
        made = client.post("/api/v1/templates", json={"kind": "text", "name": "Ссылки", "text": LINKS}).json()
    with login(api, viewer[0]) as browser:
        browser.cookies.set("autopost_workspace", workspace, domain="127.0.0.1")
        csrf = csrf_of(browser.get("/").text)
        page = browser.get("/settings/templates")
        assert "Ссылки" in page.text and "меняют только редакторы и владельцы" in page.text
        assert 'action="/settings/templates"' not in page.text and "Изменить" not in visible_text(page.text)
        refused = browser.post(
            f"/settings/templates/{made['id']}", data={"csrf_token": csrf, "name": "Чужое", "text": "x"}
        )
        assert refused.status_code == 403
        assert (
            browser.post(f"/settings/templates/{made['id']}/delete", data={"csrf_token": csrf}).status_code
            == 403
        )
    assert _ids(api, owner[1]) == {"Ссылки": made["id"]}


def test_the_publish_dialog_offers_the_workspaces_templates_in_each_text_field(api: Api) -> None:
    (email, token), (_, other) = new_user(api), new_user(api)
    api.add_connection(email, Platform.TELEGRAM, "-100")
    api.add_connection(email, Platform.VK)
    clip = str(api.upload_clip(token)["id"])
    with api.client(token) as client:
        client.post("/api/v1/templates", json={"kind": "text", "name": "Ссылки", "text": LINKS})
        client.post("/api/v1/templates", json={"kind": "hashtags", "name": "Монтаж", "hashtags": ["монтаж"]})
    with api.client(other) as client:
        client.post("/api/v1/templates", json={"kind": "text", "name": "Чужой шаблон", "text": "чужое"})
    with login(api, email) as browser:
        dialog = browser.get(f"/clips/{clip}/publish").text
    for field in ("description_vk", "description_telegram"):
        buttons = re.findall(
            rf'<button type="button"[^>]*data-insert="{field}" data-text="([^"]*)"[^>]*>([^<]*)<', dialog
        )
        assert [(html.unescape(t), name) for t, name in buttons] == [(LINKS, "Ссылки"), ("#монтаж", "Монтаж")]
    assert 'aria-label="Вставить в подпись для Telegram"' in dialog
    assert 'aria-label="Вставить в описание для VK"' in dialog
    assert "Чужой шаблон" not in dialog
