"""VK's error answers mapped once onto the error hierarchy: stable codes, Russian messages.

VK answers every API error with HTTP 200 and {"error": {error_code, error_msg, ...}}
(codes from vk-api-schema/errors.json); the upload server answers
{error, error_code, error_descr} with an HTTP error status. The table below is
the one place to change if VK turns out to behave differently.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from autopost.platforms.errors import AuthExpired, Permanent, PlatformError, RateLimited, Transient

TOKEN_EXPIRED = "Токен VK истёк или отозван, переподключите VK"
NO_RIGHTS_COMMUNITY = "Нет прав на публикацию в сообществе"
NO_RIGHTS_OWN = (
    "VK отказал в доступе: приложению не выданы права на видео или стену. Переподключите VK; "
    "если не поможет, права выдаёт поддержка VK после проверки приложения"
)
CAPTCHA = (
    "VK просит ввести капчу. Откройте VK в браузере, подтвердите, что вы не робот, и нажмите «Повторить»"
)
VALIDATION = "VK требует подтверждения входа: откройте VK и переподключите аккаунт"
PROCESSING_FAILED = "VK не смог обработать видео. Проверьте файл (MP4, H.264) и загрузите его заново"
VK_BUSY = "Внутренняя ошибка VK, повторим позже"

# Error 6 is per second; 9 (flood control) is VK stopping repeated actions for a while; 29 is
# a method's daily quota (video.save: 5000 calls a day per app), which VK resets the next day.
TOO_MANY_RETRY_SECONDS = 1.0
FLOOD_RETRY_SECONDS = 600.0
MOSCOW = ZoneInfo("Europe/Moscow")

NO_RIGHTS_CODES = frozenset({15, 27, 204, 214})


def seconds_until_tomorrow(now: datetime | None = None) -> float:
    """Seconds until 00:05 Moscow time (assumption: VK's daily quotas reset at midnight in Moscow)."""
    moment = (now or datetime.now(MOSCOW)).astimezone(MOSCOW)
    tomorrow = (moment + timedelta(days=1)).replace(hour=0, minute=5, second=0, microsecond=0)
    return (tomorrow - moment).total_seconds()


def _parameter(message: str) -> str:
    """VK words a bad parameter as '<description>: <which parameter and why>'."""
    _, _, detail = message.partition(": ")
    return detail or "параметры запроса"


def classify_error(error: Mapping[str, Any], *, community: bool) -> PlatformError:
    """The error class for a VK API error object; `community` says the call targeted a community."""
    code = error.get("error_code")
    message = str(error.get("error_msg", ""))
    detail = f"VK error {code}: {message}"
    if code == 5:
        return AuthExpired("vk.token_expired", TOKEN_EXPIRED, detail)
    if code == 6:
        return RateLimited(
            "vk.too_many_requests",
            "VK просит делать запросы реже, повторим через секунду",
            detail,
            retry_after=TOO_MANY_RETRY_SECONDS,
        )
    if code == 9:
        return RateLimited(
            "vk.flood_control",
            "VK временно ограничил однотипные действия, повторим позже",
            detail,
            retry_after=FLOOD_RETRY_SECONDS,
        )
    if code == 29:
        return RateLimited(
            "vk.daily_limit",
            "Исчерпан дневной лимит VK на загрузку видео, продолжим завтра",
            detail,
            retry_after=seconds_until_tomorrow(),
        )
    if code in (1, 10, 13):
        return Transient("vk.internal_error", VK_BUSY, detail)
    return _refusal(code, message, detail, community=community)


def _refusal(code: object, message: str, detail: str, *, community: bool) -> PlatformError:
    """Answers retrying will not fix: missing rights, captcha, bad input."""
    if code in NO_RIGHTS_CODES:
        if community:
            return Permanent("vk.no_rights", NO_RIGHTS_COMMUNITY, detail)
        return Permanent("vk.access_denied", NO_RIGHTS_OWN, detail)
    if code == 14:
        # We cannot solve captchas for the user, and a blind retry usually meets another one.
        return Permanent("vk.captcha", CAPTCHA, detail)
    if code == 17:
        return Permanent("vk.validation_required", VALIDATION, detail)
    if code == 18:
        return Permanent("vk.user_deleted", "Страница VK удалена или заблокирована", detail)
    if code == 22:
        # Encoding of this file failed: asking again answers 22 again, so fail now with advice.
        return Permanent("vk.processing_failed", PROCESSING_FAILED, detail)
    if code == 100:
        return Permanent("vk.bad_parameter", f"VK отклонил запрос: {_parameter(message)}", detail)
    if code == 3:
        return Permanent("vk.unknown_method", "Метод VK недоступен этому приложению", detail)
    return Permanent("vk.refused", f"VK отклонил запрос (ошибка {code})", detail)


def classify_status(status: int, retry_after: str | None) -> PlatformError:
    """An answer without VK's envelope: a gateway error page or throttling in front of VK."""
    detail = f"HTTP {status} without a VK answer"
    if status == 429:
        seconds = float(retry_after) if retry_after and retry_after.isdigit() else TOO_MANY_RETRY_SECONDS
        return RateLimited(
            "vk.too_many_requests", "VK просит делать запросы реже", detail, retry_after=seconds
        )
    return Transient("vk.bad_answer", "VK ответил ошибкой, повторим позже", detail)


def classify_upload_error(status: int, body: Any) -> PlatformError:
    """The upload server refused the file for a reason other than a used or expired URL."""
    name = body.get("error") if isinstance(body, dict) else None
    detail = f"upload server: HTTP {status} {name or ''}".strip()
    if not 400 <= status < 500 or status == 429:
        return Transient("vk.upload_failed", "Сервер загрузки VK не принял файл, повторим позже", detail)
    return Permanent("vk.upload_refused", "Сервер загрузки VK отклонил файл", detail)
