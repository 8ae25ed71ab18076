"""The helpers every platform's answer classification shares: Retry-After and status tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx2
import pytest

from autopost.platforms.answers import StatusTable, parse_retry_after, retry_after
from autopost.platforms.dzen import answers as dzen_answers
from autopost.platforms.errors import (
    DEFAULT_RETRY_AFTER,
    AuthExpired,
    Permanent,
    PlatformError,
    RateLimited,
    Transient,
)
from autopost.platforms.messages import MESSAGES
from autopost.platforms.rutube import answers as rutube_answers
from autopost.platforms.telegram import answers as telegram_answers
from autopost.platforms.vk import answers as vk_answers

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def throttled(retry_after_header: str | None = None) -> httpx2.Response:
    headers = {"Retry-After": retry_after_header} if retry_after_header is not None else {}
    return httpx2.Response(429, headers=headers)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("12", 12.0),
        (" 7 ", 7.0),
        ("0", 0.0),
        ("1.5", 1.5),
        (format_datetime(NOW + timedelta(seconds=30), usegmt=True), 30.0),
        # A moment already past: go now, not "a negative wait".
        (format_datetime(NOW - timedelta(minutes=5), usegmt=True), 0.0),
    ],
)
def test_retry_after_in_seconds_or_as_an_http_date(value: str, seconds: float) -> None:
    assert parse_retry_after(value, now=NOW.timestamp()) == seconds


@pytest.mark.parametrize("value", [None, "", "   ", "soon", "12s", "-5", "-0.5", "nan", "inf", "Mon, 99 Foo"])
def test_a_missing_negative_or_garbled_retry_after_is_no_wait_at_all(value: str | None) -> None:
    assert parse_retry_after(value, now=NOW.timestamp()) is None


def test_an_unusable_header_waits_the_one_documented_default() -> None:
    assert retry_after(throttled()) == DEFAULT_RETRY_AFTER
    assert retry_after(throttled("whenever")) == DEFAULT_RETRY_AFTER
    assert retry_after(throttled("-3")) == DEFAULT_RETRY_AFTER
    assert DEFAULT_RETRY_AFTER == 5.0


def test_a_wait_stated_in_the_body_wins_over_the_header() -> None:
    assert retry_after(throttled("9"), stated=3.0) == 3.0
    assert retry_after(throttled("9"), stated=None) == 9.0
    # A nonsense body value falls back to the header, then to the default.
    assert retry_after(throttled("9"), stated=-1.0) == 9.0
    assert retry_after(throttled(), stated=float("nan")) == DEFAULT_RETRY_AFTER


TABLE = StatusTable(
    statuses={
        401: (AuthExpired, "demo.token_expired"),
        404: (Permanent, "demo.not_found"),
        429: (RateLimited, "demo.rate_limited"),
        503: (RateLimited, "demo.overloaded"),
    },
    server_error=(Transient, "demo.unavailable"),
)


@pytest.mark.parametrize(
    ("status", "kind", "code"),
    [
        (401, AuthExpired, "demo.token_expired"),
        (404, Permanent, "demo.not_found"),
        (429, RateLimited, "demo.rate_limited"),
        # A status named in the table wins over the 5xx catch-all.
        (503, RateLimited, "demo.overloaded"),
        (500, Transient, "demo.unavailable"),
        (502, Transient, "demo.unavailable"),
    ],
)
def test_a_status_table_gives_the_class_and_code_with_detail_and_params(
    status: int, kind: type[PlatformError], code: str
) -> None:
    error = TABLE.error(httpx2.Response(status, headers={"Retry-After": "4"}), "HTTP detail", reason="x")

    assert type(error) is kind and error is not None
    assert (error.code, error.detail, error.params) == (code, "HTTP detail", {"reason": "x"})
    if isinstance(error, RateLimited):
        assert error.retry_after == 4.0


def test_statuses_outside_the_table_are_left_to_the_platform() -> None:
    for status in (200, 400, 403, 409):
        assert TABLE.error(httpx2.Response(status), "detail") is None
    assert StatusTable().error(httpx2.Response(500), "detail") is None


def test_a_rate_limit_from_the_table_reads_a_stated_wait_first() -> None:
    error = TABLE.error(httpx2.Response(429, headers={"Retry-After": "4"}), "detail", stated_wait=11.0)
    assert isinstance(error, RateLimited) and error.retry_after == 11.0
    assert isinstance(TABLE.error(throttled(), "detail"), RateLimited)
    missing = TABLE.error(throttled(), "detail")
    assert isinstance(missing, RateLimited) and missing.retry_after == DEFAULT_RETRY_AFTER


def test_an_error_carries_its_code_params_and_detail_but_no_text() -> None:
    error = RateLimited("demo.rate_limited", "HTTP 429", retry_after=2.5, platform="Demo")

    assert (error.code, error.detail, error.params, error.retry_after) == (
        "demo.rate_limited",
        "HTTP 429",
        {"platform": "Demo"},
        2.5,
    )
    assert str(error) == "demo.rate_limited: HTTP 429" and str(Permanent("demo.refused")) == "demo.refused"
    assert not hasattr(error, "message")


PLATFORM_TABLES = {
    "vk": [vk_answers.GATEWAY],
    "rutube": [rutube_answers.STATUSES],
    "dzen": [dzen_answers.STATUSES],
    "telegram": [telegram_answers.BOT_API_STATUSES, telegram_answers.PREVIEW_STATUSES],
}


@pytest.mark.parametrize("platform", sorted(PLATFORM_TABLES))
def test_every_platform_table_throttles_on_429_with_its_own_texted_codes(platform: str) -> None:
    for table in PLATFORM_TABLES[platform]:
        throttle = table.rule(429)
        assert throttle is not None and throttle[0] is RateLimited
        rules = [*table.statuses.values(), *([table.server_error] if table.server_error else [])]
        assert all(code.startswith(f"{platform}.") and code in MESSAGES for _, code in rules)
        if table.server_error is not None:
            assert table.server_error[0] is Transient and table.rule(599) == table.server_error
