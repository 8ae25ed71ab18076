"""The VK error table: every answer VK can give, classified once (httpx2.MockTransport, no sandbox)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import httpx2
import pytest

from autopost.platforms.base import Credentials
from autopost.platforms.errors import AuthExpired, Permanent, PlatformError, RateLimited, Transient
from autopost.platforms.vk import VkProvider
from autopost.platforms.vk.answers import (
    MOSCOW,
    UploadOutcome,
    UploadRefusal,
    seconds_until_tomorrow,
    unwrap_upload,
    web_token,
)
from autopost.platforms.vk.api import FormValue, VkApi
from autopost.settings import VkSettings
from tests.platforms.rendered import text_of

SETTINGS = VkSettings(api_url="https://api.vk.test", id_url="https://id.vk.test", client_id="51900001")
TOKEN = "vk2.a.secret-token-value"


def vk_error(code: int, message: str) -> dict[str, Any]:
    return {"error": {"error_code": code, "error_msg": message, "request_params": []}}


async def call_answered_with(
    body: Any,
    *,
    status: int = 200,
    params: dict[str, FormValue] | None = None,
    headers: dict[str, str] | None = None,
) -> PlatformError:
    """Call video.save on a VK that answers `body`; returns the error the call raised."""

    def answer(request: httpx2.Request) -> httpx2.Response:
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return httpx2.Response(status, content=content, headers=headers)

    api = VkApi(SETTINGS, transport=httpx2.MockTransport(answer))
    try:
        with pytest.raises(PlatformError) as caught:
            await api.call("video.save", TOKEN, params or {"name": "clip"})
    finally:
        await api.aclose()
    assert TOKEN not in str(caught.value) and TOKEN not in caught.value.detail
    return caught.value


@pytest.mark.parametrize(
    ("code", "kind", "stable", "words"),
    [
        (5, AuthExpired, "vk.token_expired", "переподключите VK"),
        (10, Transient, "vk.internal_error", "повторим позже"),
        (1, Transient, "vk.internal_error", "повторим позже"),
        (14, Permanent, "vk.captcha", "откройте VK"),
        (17, Permanent, "vk.validation_required", "VK требует подтверждения входа"),
        (18, Permanent, "vk.user_deleted", "удалена"),
        (22, Permanent, "vk.processing_failed", "не смог обработать видео"),
        (3, Permanent, "vk.unknown_method", "недоступен"),
        (15, Permanent, "vk.access_denied", "права"),
        (214, Permanent, "vk.access_denied", "права"),
        (42, Permanent, "vk.refused", "ошибка 42"),
    ],
)
async def test_api_error_codes(code: int, kind: type[PlatformError], stable: str, words: str) -> None:
    error = await call_answered_with(vk_error(code, "Something"))
    assert type(error) is kind and error.code == stable and words.lower() in text_of(error).lower()


@pytest.mark.parametrize("code", [15, 27, 204, 214])
async def test_no_rights_in_a_community(code: int) -> None:
    error = await call_answered_with(vk_error(code, "Access denied"), params={"group_id": 2002})
    assert isinstance(error, Permanent)
    assert (error.code, text_of(error)) == ("vk.no_rights", "Нет прав на публикацию в сообществе")


@pytest.mark.parametrize(
    ("link", "code"),
    [
        ("https://id.vk.test/not_robot_captcha?domain=vk.com&session_token=t1", "vk.captcha_check"),
        ("https://elsewhere.test/not_robot_captcha?domain=vk.com", "vk.captcha"),
        (None, "vk.captcha"),
    ],
)
async def test_a_captcha_passes_on_only_vk_ids_own_check_page(link: str | None, code: str) -> None:
    body = vk_error(14, "Captcha needed")
    if link is not None:
        body["error"].update(redirect_uri=link, captcha_ts=1.5, captcha_attempt=1, is_refresh_enabled=True)
    error = await call_answered_with(body)
    assert isinstance(error, Permanent) and error.code == code
    assert error.params == ({"captcha_url": link} if code == "vk.captcha_check" else {})


async def test_bad_parameter_names_the_parameter() -> None:
    message = (
        "One of the parameters specified was missing or invalid: name is too long (maximum 128 characters)"
    )
    error = await call_answered_with(vk_error(100, message))
    assert isinstance(error, Permanent) and error.code == "vk.bad_parameter"
    assert text_of(error) == "VK отклонил запрос: name is too long (maximum 128 characters)"


@pytest.mark.parametrize(
    ("code", "stable", "at_least", "at_most"),
    [
        (6, "vk.too_many_requests", 1, 1),
        (9, "vk.flood_control", 60, 3600),
        (29, "vk.daily_limit", 300, 24 * 3600 + 300),
    ],
)
async def test_rate_limits_wait_as_long_as_vk_needs(
    code: int, stable: str, at_least: float, at_most: float
) -> None:
    error = await call_answered_with(vk_error(code, "Rate limit"))
    assert isinstance(error, RateLimited) and error.code == stable
    assert at_least <= error.retry_after <= at_most


def test_the_daily_limit_waits_until_after_midnight_in_moscow() -> None:
    evening = datetime(2025, 3, 14, 23, 0, tzinfo=MOSCOW)
    assert seconds_until_tomorrow(evening) == 65 * 60
    morning = datetime(2025, 3, 14, 0, 10, tzinfo=MOSCOW)
    assert seconds_until_tomorrow(morning) == 24 * 3600 - 5 * 60
    # Just after midnight the reset is minutes away, not a day and minutes (CI hit 00:03 Moscow).
    just_after = datetime(2025, 3, 14, 0, 3, tzinfo=MOSCOW)
    assert seconds_until_tomorrow(just_after) == 2 * 60


async def test_answers_without_the_envelope() -> None:
    assert isinstance(await call_answered_with(b"<html>502</html>", status=502), Transient)
    limited = await call_answered_with(b"slow down", status=429, headers={"Retry-After": "7"})
    assert isinstance(limited, RateLimited) and limited.retry_after == 7
    assert isinstance(await call_answered_with({"unexpected": True}), Transient)


async def test_the_token_travels_only_in_the_authorization_header() -> None:
    seen: list[httpx2.Request] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        if request.url.path.endswith("/users.get"):
            return httpx2.Response(
                200, json={"response": [{"id": 1001, "first_name": "Анна", "last_name": "С"}]}
            )
        return httpx2.Response(200, json={"response": {"count": 0, "items": []}})

    provider = VkProvider(SETTINGS, transport=httpx2.MockTransport(answer))
    try:
        account = await provider.verify(credentials=Credentials(access_token=TOKEN))
    finally:
        await provider.aclose()
    assert (account.account_id, account.meta["communities"]) == ("1001", [])
    assert [str(r.url) for r in seen] == [
        "https://api.vk.test/method/users.get",
        "https://api.vk.test/method/groups.get",
    ]
    for request in seen:
        assert request.method == "POST" and request.headers["authorization"] == f"Bearer {TOKEN}"
        assert TOKEN not in request.content.decode() and "v=5.199" in request.content.decode()


async def test_upload_server_refusals() -> None:
    def upload_answer(status: int, body: dict[str, Any]) -> httpx2.Response:
        return httpx2.Response(status, json=body, request=httpx2.Request("POST", "https://upload.test/x"))

    with pytest.raises(UploadRefusal) as used:
        unwrap_upload(upload_answer(400, {"error": "already_uploaded", "error_code": 400}))
    assert used.value.outcome is UploadOutcome.ALREADY_UPLOADED
    with pytest.raises(UploadRefusal) as expired:
        unwrap_upload(upload_answer(404, {"error": "invalid_upload_url", "error_code": 404}))
    assert expired.value.outcome is UploadOutcome.EXPIRED
    with pytest.raises(Transient):
        unwrap_upload(upload_answer(500, {"error": "internal_error", "error_code": 500}))
    with pytest.raises(Permanent):
        unwrap_upload(upload_answer(400, {"error": "bad_file_size", "error_code": 400}))


def test_the_legacy_upload_answer_is_success() -> None:
    request = httpx2.Request("POST", "https://upload.test/x")
    assert unwrap_upload(httpx2.Response(200, text="<retval>1</retval>", request=request)) == {}


def page(status: int, text: str = "", headers: dict[str, str] | None = None) -> httpx2.Response:
    return httpx2.Response(
        status, text=text, headers=headers, request=httpx2.Request("GET", "https://vk.com/clips")
    )


@pytest.mark.parametrize(
    "text",
    [
        '<script>var cfg = {"webToken":{"access_token":"vk1.a.web"}};</script>',
        '<script>init({webToken: { "access_token": "vk1.a.web", "expires": 1 }})</script>',
    ],
    ids=["json", "javascript"],
)
def test_the_web_token_is_read_from_a_signed_in_page(text: str) -> None:
    assert web_token(page(200, text)) == "vk1.a.web"


@pytest.mark.parametrize(
    ("answer", "kind", "code"),
    [
        (page(200, "<h1>Вход ВКонтакте</h1>"), AuthExpired, "vk.web_signed_out"),
        (page(302, headers={"Location": "https://vk.com/login"}), AuthExpired, "vk.web_signed_out"),
        (page(503, "busy"), Transient, "vk.web_unavailable"),
        (page(429, headers={"Retry-After": "9"}), RateLimited, "vk.too_many_requests"),
    ],
    ids=["signed-out", "redirected", "unavailable", "throttled"],
)
def test_a_page_without_a_token(answer: httpx2.Response, kind: type[PlatformError], code: str) -> None:
    with pytest.raises(kind) as failed:
        web_token(answer)
    assert failed.value.code == code
