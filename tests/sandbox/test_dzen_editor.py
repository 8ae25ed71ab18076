"""The Дзен emulator's wire protocol, spoken by hand over HTTP: the editor page, the editor calls,
the TUS upload host, conversion time and the error envelope (docs/platforms/dzen.md)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from autopost_sandbox.dzen.accounts import CHANNEL, EDITOR, READER, SESSION_COOKIE
from tests.conftest import Sandbox
from tests.support.media import make_clip

EDITOR_DATA = re.compile(r'<script id="editor-data" type="application/json">(.*?)</script>')
PID = CHANNEL.publisher_id


@pytest.fixture
def browser(sandbox: Sandbox) -> Iterator[httpx2.Client]:
    """Анна's signed-in browser on dzen.ru, not paced: these tests call faster than 3 a second.

    The per-publisher limit has its own tests (test_rate_limit_violations.py).
    """
    with sandbox.control() as control:
        control.post("/config", json={"enforce_rate_limits": False}).raise_for_status()
    with httpx2.Client(base_url=f"{sandbox.url}/dzen", timeout=10, verify=False) as client:
        client.cookies.set(SESSION_COOKIE, EDITOR.session)
        yield client


def editor_data(browser: httpx2.Client) -> dict[str, Any]:
    page = browser.get("/profile/editor")
    assert page.status_code == 200
    match = EDITOR_DATA.search(page.text)
    assert match is not None
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def call(browser: httpx2.Client, method: str, path: str, csrf: str, **options: Any) -> httpx2.Response:
    params = options.pop("params", {"publisherId": PID, "clid": "320"})
    return browser.request(
        method, path, params=params, headers={"X-Csrf-Token": csrf, **options.pop("headers", {})}, **options
    )


def error_type(answer: httpx2.Response) -> str:
    return str(answer.json()["errors"][0]["type"])


def test_the_editor_page_exposes_the_channel_and_a_csrf_token(
    sandbox: Sandbox, browser: httpx2.Client
) -> None:
    data = editor_data(browser)
    assert data["publisher"] == {"id": PID, "name": CHANNEL.name}
    assert data["user"]["displayName"] == EDITOR.name and re.fullmatch(r"[0-9a-f]{40}:\d+", data["csrfToken"])
    browser.cookies.set(SESSION_COOKIE, READER.session)
    assert editor_data(browser)["publisher"] is None  # signed in, no channel
    browser.cookies.clear()
    signed_out = browser.get("/profile/editor", follow_redirects=False)
    assert signed_out.status_code == 302 and signed_out.headers["location"].startswith(
        "https://passport.yandex.ru/"
    )


def test_every_call_needs_the_session_the_csrf_token_publisher_id_and_clid(
    sandbox: Sandbox, browser: httpx2.Client
) -> None:
    csrf = editor_data(browser)["csrfToken"]
    body = {"publicationType": "gif", "content": {"gifContent": {}}}
    path = "/editor-api/v2/add-publication"
    assert error_type(call(browser, "POST", path, "wrong", json=body)) == "invalid-csrf-token-error"
    other = {"publisherId": "f" * 24, "clid": "320"}
    assert error_type(call(browser, "POST", path, csrf, json=body, params=other)) == "forbidden"
    assert call(browser, "POST", path, csrf, json=body, params={"publisherId": PID}).status_code == 400
    anonymous = httpx2.post(
        f"{sandbox.url}/dzen{path}", params={"publisherId": PID, "clid": "320"}, json=body
    )
    assert (anonymous.status_code, error_type(anonymous)) == (401, "auth-error")
    assert call(browser, "POST", path, csrf, json=body).status_code == 200


def test_the_whole_protocol_by_hand(sandbox: Sandbox, browser: httpx2.Client, tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    make_clip(clip)
    data = clip.read_bytes()
    csrf = editor_data(browser)["csrfToken"]
    mp4 = {"Content-Type": "video/mp4"}
    assert (
        call(browser, "POST", "/media-api-video/validate-video", csrf, content=data, headers=mp4).json()[
            "result"
        ]
        == "OK"
    )
    refused = call(
        browser, "POST", "/media-api-video/validate-video", csrf, content=b"not a video", headers=mp4
    )
    assert error_type(refused) == "video-format-error"

    draft = call(
        browser,
        "POST",
        "/editor-api/v2/add-publication",
        csrf,
        json={"publicationType": "gif", "content": {"gifContent": {}}},
    )
    publication_id = draft.json()["id"]
    started = call(
        browser,
        "POST",
        "/media-api-video/start-upload-video",
        csrf,
        json={
            "publicationId": publication_id,
            "fileName": "clip.mp4",
            "fileSize": len(data),
            "mimeType": "video/mp4",
        },
    ).json()
    upload_url, upload_id = started["uploadUrl"], started["uploadId"]
    assert upload_url.startswith(f"{sandbox.url}/dzen-upload/files/")

    # TUS: chunks of the client's choosing, resumed after a HEAD.
    tus = {"Tus-Resumable": "1.0.0"}
    patch = {**tus, "Content-Type": "application/offset+octet-stream"}
    assert httpx2.head(upload_url, headers=tus).headers["upload-offset"] == "0"
    first = httpx2.patch(upload_url, headers={**patch, "Upload-Offset": "0"}, content=data[:1000])
    assert first.status_code == 204 and first.headers["upload-offset"] == "1000"
    early = call(
        browser,
        "POST",
        "/media-api-video/finish-upload-video",
        csrf,
        json={"publicationId": publication_id, "uploadId": upload_id},
    )
    assert error_type(early) == "upload-not-finished"
    assert httpx2.patch(upload_url, headers={**patch, "Upload-Offset": "0"}, content=data).status_code == 409
    offset = int(httpx2.head(upload_url, headers=tus).headers["upload-offset"])
    httpx2.patch(upload_url, headers={**patch, "Upload-Offset": str(offset)}, content=data[offset:])
    finish = {"publicationId": publication_id, "uploadId": upload_id}
    assert call(browser, "POST", "/media-api-video/finish-upload-video", csrf, json=finish).json() == {
        "result": "OK"
    }

    read = f"/editor-api/v2/publisher/{PID}/publication/{publication_id}"
    converting = call(browser, "GET", read, csrf).json()["content"]["gifContent"]
    assert (converting["isUploaded"], converting["isConverted"], converting["isFailed"]) == (
        True,
        False,
        False,
    )
    publish = {"id": publication_id, "preview": {"title": "Урок 1", "snippet": ""}, "gifContent": converting}
    path = "/editor-api/v2/update-publication-content-and-publish"
    assert error_type(call(browser, "POST", path, csrf, json=publish)) == "video-not-ready"
    with sandbox.control() as control:
        control.post("/clock", json={"advance": 5})
    gif = call(browser, "GET", read, csrf).json()["content"]["gifContent"]
    assert gif["isConverted"] and gif["videoId"]
    assert call(browser, "POST", path, csrf, json={**publish, "gifContent": gif}).json() == {"result": "OK"}
    # Publishing it again updates the one publication: still one post.
    assert call(browser, "POST", path, csrf, json={**publish, "gifContent": gif}).json() == {"result": "OK"}
    with sandbox.control() as control:
        [post] = [p for p in control.get("/state").json()["posts"] if p["platform"] == "dzen"]
    assert (post["remote_id"], post["status"], post["title"]) == (publication_id, "published", "Урок 1")
    assert (post["bytes"], post["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())
    assert call(browser, "GET", read, csrf).json()["state"] == "published"


def test_faults_and_ending_a_session(sandbox: Sandbox, browser: httpx2.Client) -> None:
    csrf = editor_data(browser)["csrfToken"]
    body = {"publicationType": "gif", "content": {"gifContent": {}}}
    path = "/editor-api/v2/add-publication"
    with sandbox.control() as control:
        control.post("/faults", json={"platform": "dzen", "fault": "invalid_csrf", "on": "add-publication"})
        assert error_type(call(browser, "POST", path, csrf, json=body)) == "invalid-csrf-token-error"
        assert (
            error_type(call(browser, "POST", path, csrf, json=body)) == "invalid-csrf-token-error"
        )  # it went stale
        csrf = editor_data(browser)["csrfToken"]
        control.post(
            "/faults",
            json={"platform": "dzen", "fault": "rate_limit", "on": "add-publication", "retry_after": 9},
        )
        limited = call(browser, "POST", path, csrf, json=body)
        assert (limited.status_code, limited.headers["retry-after"]) == (429, "9")
        control.post("/faults", json={"platform": "dzen", "fault": "server_error", "on": "add-publication"})
        assert call(browser, "POST", path, csrf, json=body).status_code == 503
        assert control.post("/sessions/end", json={"platform": "dzen"}).json() == {"ended": 2}
    assert error_type(call(browser, "POST", path, csrf, json=body)) == "auth-error"
    assert browser.get("/profile/editor", follow_redirects=False).status_code == 302
