"""The one exception handler: a refusal's kind is its HTTP status, its code renders in the caller's language."""

from __future__ import annotations

import httpx2
import pytest
from fastapi import FastAPI

from autopost.app import STATUS_OF_KIND, install_error_handlers
from autopost.connections.schemas import TokenConnectIn
from autopost.refusals import Kind, Refused


def _app(refusal: Refused) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/refuse")
    async def refuse() -> None:
        raise refusal

    return app


async def _ask(refusal: Refused, lang: str = "ru") -> httpx2.Response:
    transport = httpx2.ASGITransport(app=_app(refusal))
    async with httpx2.AsyncClient(transport=transport, base_url="http://app") as client:
        return await client.get("/refuse", headers={"Accept-Language": lang})


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (Kind.NOT_FOUND, 404),
        (Kind.FORBIDDEN, 403),
        (Kind.CONFLICT, 409),
        (Kind.INVALID, 422),
        (Kind.THROTTLED, 429),
        (Kind.UNAVAILABLE, 502),
        (Kind.UNAUTHENTICATED, 401),
        (Kind.TOO_LARGE, 413),
    ],
)
async def test_each_kind_answers_with_its_status(kind: Kind, status: int) -> None:
    answer = await _ask(Refused("not_found", kind))
    assert answer.status_code == status
    assert answer.json() == {"error": {"code": "not_found", "message": "Не найдено"}}
    assert "retry-after" not in answer.headers


def test_every_kind_has_a_status() -> None:
    assert set(STATUS_OF_KIND) == set(Kind)


async def test_a_throttled_refusal_says_when_to_come_back_in_the_callers_language() -> None:
    answer = await _ask(Refused("rate_limited", Kind.THROTTLED, seconds=42), lang="en")
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "42"
    assert answer.json()["error"]["message"] == "Too many requests, try again in 42 s"


async def test_a_refused_connect_reads_the_platforms_own_words() -> None:
    refused = Refused("telegram.rejected", Kind.INVALID, reason="chat is archived")
    answer = await _ask(refused)
    assert answer.status_code == 422
    assert answer.json()["error"] == {
        "code": "telegram.rejected",
        "message": "Telegram отклонил публикацию: chat is archived",
    }
    english = await _ask(refused, lang="en")
    assert english.json()["error"]["message"] == "Telegram rejected the post: chat is archived"


async def test_a_check_of_ours_in_a_request_body_reads_in_the_callers_language() -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/connect")
    async def connect(body: TokenConnectIn) -> None:
        raise AssertionError(body)

    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://app") as client:
        russian = await client.post("/connect", json={"platform": "telegram", "bot_token": None})
        english = await client.post(
            "/connect", json={"platform": "rutube"}, headers={"Accept-Language": "en"}
        )
    assert russian.status_code == english.status_code == 422
    assert russian.json()["error"] == {
        "code": "validation_error",
        "message": "Некорректные данные: body: Telegram: нужны bot_token и channel",
    }
    assert (
        english.json()["error"]["message"]
        == "Invalid data: body: Rutube needs a token, or username and password"
    )
