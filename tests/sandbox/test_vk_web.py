"""The vk.com site emulator and what the web client's token may do: sessions, webToken, clips answers."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from autopost.platforms.cookies import parse_cookie_export
from tests.conftest import Sandbox
from tests.sandbox.test_vk_support import ADMIN_GROUP_ID, DEMO_SESSION, WEB_TOKEN, Vk


@pytest.fixture
def vk(sandbox: Sandbox) -> Iterator[Vk]:
    with Vk(sandbox) as client:
        client.configure(enforce_rate_limits=False, processing_seconds=100)
        yield client


def test_a_signed_in_page_embeds_a_short_lived_token_of_the_web_client(vk: Vk) -> None:
    vk.configure(vk_web_token_seconds=120)
    page = vk.page()
    assert page.status_code == 200 and "Анна Смирнова" in page.text
    match = WEB_TOKEN.search(page.text)
    assert match is not None
    token = match.group(1)
    assert vk.call("users.get", token=token)["response"][0]["id"] == 1001
    assert "response" in vk.call("shortVideo.getGroupsForUploading", token=token)

    vk.advance(121)
    expired = vk.call("users.get", token=token)["error"]
    assert (expired["error_code"], expired["error_msg"]) == (
        5,
        "User authorization failed: access_token has expired.",
    )
    # Every page load hands out a fresh one.
    fresh = vk.web_token()
    assert fresh != token and vk.call("users.get", token=fresh)["response"][0]["id"] == 1001


def test_without_an_active_session_the_page_is_signed_out(vk: Vk) -> None:
    for session in (None, "not-a-session"):
        page = vk.page(session)
        assert page.status_code == 200 and "webToken" not in page.text and "Вход" in page.text

    assert vk.end_sessions() == 1
    assert "webToken" not in vk.page().text
    [session] = [s for s in vk.http.get("/_sandbox/state").json()["web_sessions"] if s["platform"] == "vk"]
    assert session == {"platform": "vk", "account": "1001", "active": False, "expires_at": 2145916800.0}
    assert vk.end_sessions() == 0

    vk.http.post("/_sandbox/reset").raise_for_status()
    assert WEB_TOKEN.search(vk.page().text)
    # The session also ends when its time is up.
    vk.advance(2145916800 - vk.http.get("/_sandbox/state").json()["now"] + 1)
    assert "webToken" not in vk.page().text


def test_the_control_api_refuses_an_unknown_platform(vk: Vk) -> None:
    response = vk.http.post("/_sandbox/sessions/end", json={"platform": "myspace"})
    assert response.status_code == 400


def test_the_seeded_cookie_export_is_a_signed_in_session(vk: Vk) -> None:
    accounts = vk.http.get("/_sandbox/accounts").json()
    [session] = [a for a in accounts if a["platform"] == "vk" and "cookies_txt" in a["credentials"]]
    export = session["credentials"]["cookies_txt"]
    assert export.startswith("# Netscape HTTP Cookie File")
    jar = parse_cookie_export(export, domains=["vk.com"])
    cookies = {cookie.name: cookie for cookie in jar}
    assert cookies["remixsid"].value == DEMO_SESSION and cookies["remixsid"].domain == ".vk.com"
    assert cookies["remixsid"].secure and cookies["remixsid"].has_nonstandard_attr("HttpOnly")


def test_groups_for_uploading_are_those_she_edits(vk: Vk) -> None:
    vk.use_web_token()
    groups = vk.ok("shortVideo.getGroupsForUploading")
    assert groups["count"] == 1
    [group] = groups["items"]
    assert (group["id"], group["name"], group["admin_level"]) == (ADMIN_GROUP_ID, "Курсы монтажа", 3)


@pytest.mark.parametrize("field", ["file", "video_file"])
def test_a_clip_upload_takes_either_field_and_answers_json(vk: Vk, field: str) -> None:
    vk.use_web_token()
    content = os.urandom(5000)
    answer = vk.upload_clip(content, field=field, group_id=ADMIN_GROUP_ID)
    assert set(answer) == {"video_hash", "size", "owner_id", "video_id"}
    assert (answer["size"], answer["owner_id"]) == (len(content), -ADMIN_GROUP_ID)


def test_the_legacy_upload_answer_is_retval(vk: Vk) -> None:
    vk.use_web_token()
    vk.configure(vk_clip_upload_answer="retval")
    created = vk.ok("shortVideo.create", file_size=100)
    uploaded = vk.upload(created["upload_url"], "file", b"r" * 100)
    assert (uploaded.status_code, uploaded.text) == (200, "<retval>1</retval>")
    # The file is in: encoding runs as after a JSON answer (no hash to pass).
    ids = {"owner_id": created["owner_id"], "video_id": created["video_id"]}
    vk.advance(101)
    assert vk.ok("shortVideo.encodeProgress", **ids) == {"percents": 100, "is_ready": True}


def test_a_captcha_names_the_page_to_open(vk: Vk) -> None:
    vk.fault("captcha", on="shortVideo.create")
    vk.use_web_token()
    error = vk.error("shortVideo.create", file_size=10)
    assert (error["error_code"], error["error_msg"]) == (14, "Captcha needed")
    assert error["redirect_uri"].startswith(f"{vk.url}/vkid/not_robot_captcha?domain=vk.com&session_token=")
    assert error["captcha_attempt"] == 1 and error["is_refresh_enabled"] is True
    assert isinstance(error["captcha_ts"], float) and error["captcha_sid"] and error["captcha_img"]
    check = vk.http.get(error["redirect_uri"])
    assert check.status_code == 200 and "не робот" in check.text


@pytest.mark.parametrize(
    ("fault", "code", "message"),
    [
        ("flood_control", 9, "Flood control: too many requests"),
        ("daily_limit", 29, "Rate limit reached"),
    ],
)
def test_flood_control_and_the_daily_quota(vk: Vk, fault: str, code: int, message: str) -> None:
    vk.fault(fault, on="shortVideo.publish")
    vk.use_web_token()
    error = vk.error("shortVideo.publish", owner_id=1001, video_id=1, license_agree=1)
    assert (error["error_code"], error["error_msg"]) == (code, message)


def test_a_failing_page_is_a_gateway_error(vk: Vk) -> None:
    vk.fault("server_error", on="page")
    assert vk.page().status_code == 502
    assert WEB_TOKEN.search(vk.page().text)
