"""Every fault kind as VK answers it, the 3 requests/s limit, and token expiry on the clock."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest

from tests.conftest import Sandbox
from tests.sandbox.test_vk_support import ADMIN_GROUP_ID, API_VERSION, DEMO_TOKEN, Vk, login

ENCODING_SECONDS = 100
# A hung answer outlasts the client's timeout; kept short because server shutdown waits for it.
HANG = {"delay": 1.5}
CLIENT_TIMEOUT = 0.3


@pytest.fixture
def vk(sandbox: Sandbox) -> Iterator[Vk]:
    with Vk(sandbox) as client:
        client.configure(enforce_rate_limits=False, processing_seconds=ENCODING_SECONDS)
        yield client


def test_rate_limit_fault_answers_error_6_once(vk: Vk) -> None:
    vk.fault("rate_limit", on="users.get")
    error = vk.error("users.get")
    assert (error["error_code"], error["error_msg"]) == (6, "Too many requests per second")
    assert {"key": "method", "value": "users.get"} in error["request_params"]
    assert all(param["key"] != "access_token" for param in error["request_params"])
    assert vk.ok("users.get")[0]["id"] == 1001


def test_server_error_fault_on_the_api_and_on_the_upload_server(vk: Vk) -> None:
    vk.fault("server_error", on="video.save")
    error = vk.error("video.save", name="x")
    assert (error["error_code"], error["error_msg"]) == (10, "Internal server error")

    saved = vk.ok("video.save", name="x")
    vk.fault("server_error", on="upload")
    failed = vk.upload(saved["upload_url"], "video_file", b"data")
    assert failed.status_code == 500 and failed.json()["error_code"] == 500
    assert vk.posts() == []
    assert vk.upload(saved["upload_url"], "video_file", b"data").status_code == 200


def test_token_expired_fault_answers_error_5(vk: Vk) -> None:
    vk.fault("token_expired", on="video.get")
    error = vk.error("video.get", videos="1001_1")
    assert (error["error_code"], error["error_msg"]) == (
        5,
        "User authorization failed: access_token has expired.",
    )
    assert vk.ok("video.get", videos="1001_1")["count"] == 0


def test_captcha_fault_answers_error_14_with_a_picture(vk: Vk) -> None:
    vk.fault("captcha", on="wall.post")
    error = vk.error("wall.post", message="hi")
    assert (error["error_code"], error["error_msg"]) == (14, "Captcha needed")
    assert error["captcha_sid"] and error["captcha_img"].startswith(f"{vk.url}/vk/captcha.php?sid=")
    picture = vk.http.get(error["captcha_img"])
    assert picture.status_code == 200 and picture.headers["content-type"].startswith("image/")
    assert vk.ok("wall.post", message="hi", captcha_sid=error["captcha_sid"], captcha_key="abcd")["post_id"]


def test_timeout_on_video_save_acts_then_hangs(vk: Vk) -> None:
    vk.fault("timeout", on="video.save", **HANG)
    with pytest.raises(httpx2.TimeoutException):
        vk.http.post(
            "/vk/method/video.save",
            data={"v": API_VERSION, "name": "lost answer"},
            headers={"Authorization": f"Bearer {DEMO_TOKEN}"},
            timeout=CLIENT_TIMEOUT,
        )
    listing = vk.ok("video.get", owner_id=1001)
    assert [item["title"] for item in listing["items"]] == ["lost answer"]


def test_timeout_on_upload_stores_the_file_then_hangs(vk: Vk) -> None:
    saved = vk.ok("video.save", name="x")
    vk.fault("timeout", on="upload", **HANG)
    with pytest.raises(httpx2.TimeoutException):
        vk.http.post(saved["upload_url"], files={"video_file": ("a.mp4", b"data")}, timeout=CLIENT_TIMEOUT)
    [recorded] = vk.posts()
    assert recorded["bytes"] == 4


def test_reset_cuts_an_api_call_before_it_acts(vk: Vk) -> None:
    vk.fault("reset", on="video.save")
    with pytest.raises(httpx2.TransportError):
        vk.call("video.save", name="never")
    assert vk.ok("video.get", owner_id=1001)["count"] == 0


def test_reset_cuts_an_upload_mid_body_and_the_url_still_works(vk: Vk) -> None:
    vk.use_web_token()
    created = vk.ok("shortVideo.create", file_size=400_000)
    vk.fault("reset", on="upload")
    with pytest.raises(httpx2.TransportError):
        vk.upload(created["upload_url"], "file", b"r" * 400_000)
    assert vk.upload(created["upload_url"], "file", b"r" * 400_000).status_code == 200


def test_processing_failed_on_the_video_save_path(vk: Vk) -> None:
    vk.fault("processing_failed")
    video = vk.publish_video(b"broken", name="broken")
    full_id = f"{video['owner_id']}_{video['video_id']}"
    assert vk.ok("video.get", videos=full_id)["items"][0]["processing"] == 1
    vk.advance(ENCODING_SECONDS + 1)
    item = vk.ok("video.get", videos=full_id)["items"][0]
    assert "processing" not in item and item["content_restricted"] == 1 and item["content_restricted_message"]
    assert vk.posts()[0]["status"] == "failed"


def test_processing_failed_on_the_clips_path(vk: Vk) -> None:
    vk.use_web_token()
    vk.fault("processing_failed", on="upload")
    clip = vk.upload_clip(b"broken clip")
    ids = {"owner_id": clip["owner_id"], "video_id": clip["video_id"]}
    vk.advance(ENCODING_SECONDS + 1)
    error = vk.error("shortVideo.encodeProgress", **ids)
    assert (error["error_code"], error["error_msg"]) == (22, "Upload error: video encoding failed")
    assert vk.error("shortVideo.publish", **ids, license_agree=1)["error_code"] == 22
    assert vk.posts() == []


def test_three_requests_per_second_per_token(vk: Vk) -> None:
    vk.configure(enforce_rate_limits=True)
    answers = [vk.call("users.get") for _ in range(4)]
    assert ["error" in answer for answer in answers] == [False, False, False, True]
    assert answers[3]["error"]["error_code"] == 6
    vk.advance(1.1)
    assert vk.ok("users.get")[0]["id"] == 1001


def test_vk_id_access_token_expires_after_an_hour(vk: Vk) -> None:
    token = login(vk)["access_token"]
    assert "error" not in vk.call("users.get", token=token)
    vk.advance(3600)
    error = vk.call("users.get", token=token)["error"]
    assert (error["error_code"], error["error_msg"]) == (
        5,
        "User authorization failed: access_token has expired.",
    )
    # The ready-made demo token never expires.
    assert vk.ok("users.get")[0]["id"] == 1001


def test_unknown_and_missing_tokens(vk: Vk) -> None:
    error = vk.call("users.get", token="vk1.a.made-up")["error"]
    assert (error["error_code"], error["error_msg"]) == (
        5,
        "User authorization failed: invalid access_token (4).",
    )
    response = vk.http.post("/vk/method/users.get", data={"v": API_VERSION})
    assert response.json()["error"]["error_msg"] == "User authorization failed: no access_token passed."


def test_faults_on_vk_id_token_endpoint(vk: Vk) -> None:
    vk.fault("server_error", on="oauth2/auth")
    response = vk.http.post("/vkid/oauth2/auth", data={"grant_type": "refresh_token"})
    assert response.status_code == 500 and response.json()["error"] == "server_error"


def test_a_rate_limit_on_refresh_leaves_the_refresh_token_usable(vk: Vk) -> None:
    tokens = login(vk)
    refresh = {
        "grant_type": "refresh_token",
        "refresh_token": tokens["refresh_token"],
        "client_id": "51900001",
        "device_id": tokens["device_id"],
    }
    vk.fault("rate_limit", on="oauth2/auth", retry_after=3)
    throttled = vk.http.post("/vkid/oauth2/auth", data=refresh)
    renewed = vk.http.post("/vkid/oauth2/auth", data=refresh)

    assert throttled.status_code == 429 and throttled.headers["retry-after"] == "3"
    assert throttled.json()["error"] == "slow_down"
    assert renewed.status_code == 200 and renewed.json()["refresh_token"] != tokens["refresh_token"]


def test_timeout_on_refresh_spends_the_old_refresh_token(vk: Vk) -> None:
    tokens = login(vk)
    refresh = {
        "grant_type": "refresh_token",
        "refresh_token": tokens["refresh_token"],
        "client_id": "51900001",
        "device_id": tokens["device_id"],
        "state": "s",
    }
    vk.fault("timeout", on="oauth2/auth", **HANG)
    with pytest.raises(httpx2.TimeoutException):
        vk.http.post("/vkid/oauth2/auth", data=refresh, timeout=CLIENT_TIMEOUT)
    again = vk.http.post("/vkid/oauth2/auth", data=refresh)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_an_unscoped_fault_hits_only_the_next_call(vk: Vk) -> None:
    vk.fault("server_error")
    assert vk.error("users.get")["error_code"] == 10
    assert vk.publish_video(b"ok", name="ok", group_id=ADMIN_GROUP_ID)["video_id"]
