"""How Дзен and Yandex ID answers map to the error classes (httpx2.MockTransport, no sandbox)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx2
import pytest
from pydantic import SecretStr

from autopost.platforms.base import Credentials
from autopost.platforms.dzen import DzenProvider
from autopost.platforms.errors import (
    DEFAULT_RETRY_AFTER,
    AuthExpired,
    Permanent,
    PlatformError,
    RateLimited,
    Transient,
)
from autopost.settings import DzenSettings
from autopost_sandbox.dzen.publisher_api import api_error
from tests.platforms.rendered import text_of

TOKEN = "y0_secret-token-value"
SETTINGS = DzenSettings(
    api_url="https://dzen.test",
    oauth_url="https://oauth.test",
    login_url="https://login.test",
    client_id="app",
    client_secret=SecretStr("app-secret"),
)


def disk_error(status: int, error: str, message: str, **headers: str) -> httpx2.Response:
    body = {"error": error, "message": message, "description": f"{error} in English"}
    return httpx2.Response(status, json=body, headers=headers)


def provider_answering(response: httpx2.Response) -> tuple[DzenProvider, list[httpx2.Request]]:
    seen: list[httpx2.Request] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return response

    return DzenProvider(SETTINGS, transport=httpx2.MockTransport(answer)), seen


async def verify_fails(response: httpx2.Response) -> tuple[PlatformError, list[httpx2.Request]]:
    provider, seen = provider_answering(response)
    with pytest.raises(PlatformError) as failure:
        await provider.verify(credentials=Credentials(TOKEN))
    return failure.value, seen


@pytest.mark.parametrize(
    ("response", "kind", "code", "message"),
    [
        (
            disk_error(429, "TooManyRequestsError", "Слишком много запросов.", **{"Retry-After": "12"}),
            RateLimited,
            "dzen.rate_limited",
            "Дзен просит подождать",
        ),
        (
            disk_error(503, "ServiceUnavailableError", "Сервис временно недоступен."),
            Transient,
            "dzen.unavailable",
            "Дзен временно недоступен, повторим позже",
        ),
        (
            httpx2.Response(502, text="<html>Bad gateway</html>"),
            Transient,
            "dzen.unavailable",
            "Дзен временно недоступен, повторим позже",
        ),
        (
            disk_error(401, "UnauthorizedError", "Не авторизован."),
            AuthExpired,
            "dzen.token_expired",
            "Доступ к Дзену истёк или отозван, подключите Дзен заново",
        ),
        (
            disk_error(403, "PublisherNotApprovedError", "Аккаунт не является одобренным издателем Дзена."),
            Permanent,
            "dzen.not_publisher",
            "У аккаунта нет канала в Дзене или он не одобрен для публикаций",
        ),
        (
            disk_error(400, "FieldValidationError", "Ошибка проверки поля «title»."),
            Permanent,
            "dzen.refused",
            "Дзен отклонил запрос: Ошибка проверки поля «title».",
        ),
        (
            disk_error(413, "FileTooLargeError", "Файл слишком большой."),
            Permanent,
            "dzen.platform_file_too_large",
            "Файл больше 4 ГБ — это лимит Дзена",
        ),
        (
            httpx2.Response(200, text="<html>maintenance</html>"),
            Transient,
            "dzen.bad_answer",
            "Дзен временно недоступен, повторим позже",
        ),
    ],
)
async def test_answers_map_to_error_classes(
    response: httpx2.Response, kind: type[PlatformError], code: str, message: str
) -> None:
    failure, seen = await verify_fails(response)

    assert type(failure) is kind
    assert (failure.code, text_of(failure)) == (code, message)
    assert TOKEN not in str(failure) and TOKEN not in failure.detail
    [request] = seen
    assert request.headers["authorization"] == f"OAuth {TOKEN}"
    assert TOKEN not in str(request.url)


async def test_retry_after_as_seconds_or_as_a_date() -> None:
    in_seconds, _ = await verify_fails(disk_error(429, "TooManyRequestsError", "", **{"Retry-After": "12"}))
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    as_date, _ = await verify_fails(disk_error(429, "TooManyRequestsError", "", **{"Retry-After": later}))
    missing, _ = await verify_fails(disk_error(429, "TooManyRequestsError", ""))

    assert isinstance(in_seconds, RateLimited) and in_seconds.retry_after == 12.0
    assert isinstance(as_date, RateLimited) and 25 <= as_date.retry_after <= 30
    assert isinstance(missing, RateLimited) and missing.retry_after == DEFAULT_RETRY_AFTER


async def test_an_unreachable_platform_is_transient() -> None:
    def refuse(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("connection refused", request=request)

    provider = DzenProvider(SETTINGS, transport=httpx2.MockTransport(refuse))
    with pytest.raises(Transient) as failure:
        await provider.verify(credentials=Credentials(TOKEN))

    assert failure.value.code == "dzen.unreachable"


def token_endpoint(response: httpx2.Response, seen: list[dict[str, Any]]) -> httpx2.MockTransport:
    def answer(request: httpx2.Request) -> httpx2.Response:
        seen.append({"url": str(request.url), "form": dict(httpx2.QueryParams(request.content.decode()))})
        return response

    return httpx2.MockTransport(answer)


@pytest.mark.parametrize(
    ("response", "kind", "code"),
    [
        (
            httpx2.Response(400, json={"error": "invalid_grant", "error_description": "x"}),
            AuthExpired,
            "dzen.refresh_refused",
        ),
        (
            httpx2.Response(400, json={"error": "invalid_client", "error_description": "x"}),
            Permanent,
            "dzen.oauth_client",
        ),
        (httpx2.Response(503, text="down"), Transient, "dzen.oauth_unavailable"),
        (
            httpx2.Response(429, text="slow down", headers={"Retry-After": "5"}),
            RateLimited,
            "dzen.oauth_rate_limited",
        ),
    ],
)
async def test_refresh_failures_map_to_error_classes(
    response: httpx2.Response, kind: type[PlatformError], code: str
) -> None:
    seen: list[dict[str, Any]] = []
    provider = DzenProvider(SETTINGS, transport=token_endpoint(response, seen))

    with pytest.raises(PlatformError) as failure:
        await provider.refresh(credentials=Credentials(TOKEN, refresh_token="1:old-refresh"))

    assert type(failure.value) is kind
    assert failure.value.code == code
    assert "1:old-refresh" not in str(failure.value)
    [call] = seen
    assert call["url"] == "https://oauth.test/token"
    assert call["form"] == {
        "grant_type": "refresh_token",
        "refresh_token": "1:old-refresh",
        "client_id": "app",
        "client_secret": "app-secret",
    }


async def test_a_refresh_without_a_new_refresh_token_keeps_the_old_one() -> None:
    answer = httpx2.Response(200, json={"access_token": "y0_new", "token_type": "bearer", "expires_in": 3600})
    provider = DzenProvider(SETTINGS, transport=token_endpoint(answer, []))

    tokens = await provider.refresh(credentials=Credentials(TOKEN, refresh_token="1:old-refresh"))

    assert (tokens.access_token, tokens.refresh_token) == ("y0_new", "1:old-refresh")
    assert tokens.expires_at is not None


def test_error_bodies_in_these_tests_have_the_sandbox_shape() -> None:
    sandbox_body = json.loads(bytes(api_error("FieldValidationError", field="title").body))
    ours = disk_error(400, "FieldValidationError", "Ошибка проверки поля «title».").json()

    assert sandbox_body.keys() == ours.keys()
    assert sandbox_body["message"] == ours["message"]
