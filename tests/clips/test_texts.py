"""Titles and descriptions: over their cap refused (never cut), cleaned of controls and bidi overrides."""

from __future__ import annotations

import pytest

from autopost.clips.texts import (
    DESCRIPTION_MAX,
    TITLE_MAX,
    clean_description,
    clean_title,
    stored_description,
    stored_title,
)
from autopost.platforms.catalog import Platform
from autopost.refusals import Refused
from autopost.users.plans import Plan
from tests.support.api import Api
from tests.web.support import csrf_of, htmx, login, new_user

# Reads «evil.exe» as «exe.live» in a viewer that honours the override; NUL, C1 NEL, an isolate.
SPOOFED_TITLE = "Урок\x00 1\u202e evil\u2066 \x85тест\u2069\x7f\t2\r\n3"
CLEAN_TITLE = "Урок 1 evil тест 2 3"
SPOOFED_DESCRIPTION = "первая\r\nвторая\tколонка\x00\u202dтретья\x1b\u200f"
CLEAN_DESCRIPTION = "первая\nвторая\tколонкатретья\u200f"


def test_one_cleaning_for_every_title_and_description() -> None:
    assert clean_title(SPOOFED_TITLE) == CLEAN_TITLE
    assert clean_description(SPOOFED_DESCRIPTION) == CLEAN_DESCRIPTION
    assert stored_title("а" * TITLE_MAX) == "а" * TITLE_MAX
    # The cap counts what is stored: controls dropped first.
    assert stored_description("б" * DESCRIPTION_MAX + "\x00") == "б" * DESCRIPTION_MAX


@pytest.mark.parametrize(
    ("store", "text", "code", "limit"),
    [
        (stored_title, "а" * (TITLE_MAX + 1), "title_over_limit", TITLE_MAX),
        (stored_description, "б" * (DESCRIPTION_MAX + 1), "description_over_limit", DESCRIPTION_MAX),
    ],
)
def test_over_the_cap_is_refused_with_the_limit(store, text: str, code: str, limit: int) -> None:
    with pytest.raises(Refused) as refused:
        store(text)
    assert (refused.value.code, refused.value.params) == (code, {"limit": limit})


@pytest.mark.parametrize(
    ("fields", "status", "code", "message"),
    [
        ({"title": "а" * (TITLE_MAX + 1)}, 422, "title_over_limit", "Название длиннее 500 символов"),
        # Over what the stream parser keeps (64 KB): refused by the field's own cap, not cut to it.
        ({"title": "а" * 40_000}, 422, "title_over_limit", "Название длиннее 500 символов"),
        (
            {"description": "б" * (DESCRIPTION_MAX + 1)},
            422,
            "description_over_limit",
            "Описание длиннее 5000 символов",
        ),
        ({"notes": "x" * 70_000}, 413, "request_too_large", None),
    ],
)
def test_an_upload_with_a_text_over_its_cap_is_refused_and_nothing_is_kept(
    api: Api, fields: dict[str, str], status: int, code: str, message: str | None
) -> None:
    _, token = api.new_user()
    with api.client(token) as client, api.clip_file.open("rb") as handle:
        response = client.post(
            "/api/v1/clips", files={"file": ("clip.mp4", handle, "video/mp4")}, data=fields
        )
        assert response.status_code == status, response.text
        assert response.json()["error"]["code"] == code
        if message:
            assert response.json()["error"]["message"] == message
        assert client.get("/api/v1/clips").json() == []
    assert list(api.settings.resolved_storage_dir.rglob("*.mp4")) == []


def test_an_upload_stores_its_texts_cleaned(api: Api) -> None:
    _, token = api.new_user()
    with api.client(token) as client, api.clip_file.open("rb") as handle:
        response = client.post(
            "/api/v1/clips",
            files={"file": ("clip.mp4", handle, "video/mp4")},
            data={"title": SPOOFED_TITLE, "description": SPOOFED_DESCRIPTION},
        )
    assert response.status_code == 201, response.text
    assert (response.json()["title"], response.json()["description"]) == (CLEAN_TITLE, CLEAN_DESCRIPTION)


def test_a_clip_from_a_url_is_refused_over_the_cap_before_anything_is_fetched(api: Api) -> None:
    _, token = api.new_user(Plan.START)
    with api.client(token, **{"Accept-Language": "en"}) as client:
        response = client.post(
            "/api/v1/clips",
            json={"source_url": "http://192.0.2.1/clip.mp4", "title": "а" * (TITLE_MAX + 1)},
        )
        assert response.status_code == 422, response.text
        assert response.json()["error"] == {
            "code": "title_over_limit",
            "message": "The title is longer than 500 characters",
        }


def test_publish_targets_refuse_over_the_cap_and_store_cleaned_texts(api: Api) -> None:
    email, token = api.new_user()
    telegram = api.add_connection(email, Platform.TELEGRAM)
    vk = api.add_connection(email, Platform.VK)
    clip_id = api.upload_clip(token)["id"]
    with api.client(token) as client:
        # The title column holds 500 characters: 501 used to be accepted and fail the insert or be cut.
        long = {"connection_id": telegram, "title": "а" * (TITLE_MAX + 1)}
        refused = client.post(f"/api/v1/clips/{clip_id}/publish", json={"targets": [long]})
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["code"] == "title_over_limit"
        assert client.get("/api/v1/publications").json() == []
        spoofed = {"connection_id": vk, "title": "Клип\u202e4pm.exe", "description": "а\x00б\r\nв"}
        made = client.post(f"/api/v1/clips/{clip_id}/publish", json={"targets": [spoofed]})
        assert made.status_code == 201, made.text
        assert (made.json()[0]["title"], made.json()[0]["description"]) == ("Клип4pm.exe", "аб\nв")


def test_the_publish_dialog_stores_cleaned_texts(api: Api) -> None:
    email, token = new_user(api)
    vk = api.add_connection(email, Platform.VK)
    clip = api.upload_clip(token)
    with login(api, email) as client:
        csrf = csrf_of(client.get("/").text)
        form = {
            "account": vk,
            "title_vk": "Мой\u2067 клип\x00",
            "description_vk": "раз\r\nдва",
            "when": "now",
        }
        done = client.post(f"/clips/{clip['id']}/publish", data=form, headers=htmx(client, csrf))
        assert done.status_code == 200, done.text
        form["title_vk"] = "а" * (TITLE_MAX + 1)
        refused = client.post(f"/clips/{clip['id']}/publish", data=form, headers=htmx(client, csrf))
        assert "Название длиннее 500 символов" in refused.text
    with api.client(token) as api_client:
        [publication] = api_client.get("/api/v1/publications").json()
    assert (publication["title"], publication["description"]) == ("Мой клип", "раз\nдва")


def test_a_lone_surrogate_in_a_publish_text_is_dropped_not_a_500(api: Api) -> None:
    # JSON may escape half of a surrogate pair ("\ud800"): Python reads it, UTF-8 cannot store it.
    email, token = api.new_user()
    vk = api.add_connection(email, Platform.VK)
    clip_id = api.upload_clip(token)["id"]
    target = f'{{"connection_id": "{vk}", "title": "a\\ud800b", "description": "c\\udfffd"}}'
    body = f'{{"targets": [{target}]}}'
    with api.client(token, **{"content-type": "application/json"}) as client:
        made = client.post(f"/api/v1/clips/{clip_id}/publish", content=body)
        assert made.status_code == 201, made.text
        assert (made.json()[0]["title"], made.json()[0]["description"]) == ("ab", "cd")
