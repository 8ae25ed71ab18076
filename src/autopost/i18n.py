"""Messages people read, in Russian (the default) and English, by stable code.

Errors carry a code and parameters; the text is rendered for the reader's
language where it is shown (API responses, pages). Stored history stays in the
language it was written in.
"""

from __future__ import annotations

from typing import Any, Literal

from autopost.platforms.catalog import MiB, format_limit, format_size
from autopost.platforms.messages import MESSAGES as PLATFORM_MESSAGES

Lang = Literal["ru", "en"]
LANGS: tuple[Lang, ...] = ("ru", "en")

MESSAGES: dict[str, dict[Lang, str]] = {
    "plan.free": {"ru": "Бесплатный", "en": "Free"},
    "plan.start": {"ru": "Старт", "en": "Start"},
    "plan.pro": {"ru": "Про", "en": "Pro"},
    "plan.business": {"ru": "Бизнес", "en": "Business"},
    "bad_request": {"ru": "Некорректный запрос", "en": "Bad request"},
    "validation_error": {"ru": "Некорректные данные: {detail}", "en": "Invalid data: {detail}"},
    "not_authenticated": {
        "ru": "Нужна авторизация: войдите или передайте API-токен в заголовке Authorization: Bearer",
        "en": "Authentication required: log in or send an API token as Authorization: Bearer",
    },
    "csrf_failed": {
        "ru": "Форма устарела, обновите страницу и повторите",
        "en": "The form has expired, reload the page and try again",
    },
    "not_found": {"ru": "Не найдено", "en": "Not found"},
    "rate_limited": {
        "ru": "Слишком много запросов, повторите через {seconds} с",
        "en": "Too many requests, try again in {seconds} s",
    },
    "login_failed": {"ru": "Неверный email или пароль", "en": "Wrong email or password"},
    "connect_throttled": {
        "ru": "Слишком много неудачных подключений. Повторите через {minutes} мин",
        "en": "Too many failed connection attempts. Try again in {minutes} min",
    },
    "login_throttled": {
        "ru": "Слишком много неудачных попыток входа. Повторите через {seconds} с",
        "en": "Too many failed login attempts. Try again in {seconds} s",
    },
    "login_throttled_minutes": {
        "ru": "Слишком много неудачных попыток входа. Повторите через {minutes} мин",
        "en": "Too many failed login attempts. Try again in {minutes} min",
    },
    "clip_not_ready": {"ru": "Клип ещё не готов к публикации", "en": "The clip is not ready to publish yet"},
    "plan_excludes_platform": {
        "ru": "{platform} недоступен на тарифе {plan} — повысьте тариф",
        "en": "{platform} is not included in the {plan} plan — upgrade your plan",
    },
    "file_too_large": {
        "ru": "Файл {size} больше лимита {platform} {limit}",
        "en": "The file ({size}) exceeds the {platform} limit of {limit}",
    },
    "needs_reconnect": {"ru": "Нужно переподключить {platform}", "en": "{platform} needs to be reconnected"},
    "caption_too_long": {
        "ru": "Подпись для {platform}: {length} символов, можно не больше {limit}",
        "en": "{platform} caption: {length} characters, at most {limit} allowed",
    },
    "title_too_long": {
        "ru": "Название для {platform}: {length} символов, можно не больше {limit}",
        "en": "{platform} title: {length} characters, at most {limit} allowed",
    },
    "title_missing": {"ru": "Для {platform} нужно название", "en": "{platform} needs a title"},
    "description_too_long": {
        "ru": "Описание для {platform}: {length} символов, можно не больше {limit}",
        "en": "{platform} description: {length} characters, at most {limit} allowed",
    },
    "scheduled_at_without_offset": {
        "ru": "Укажите время со смещением часового пояса",
        "en": "Give the time with its time zone offset",
    },
    "scheduled_too_soon": {
        "ru": "Время публикации должно быть не раньше чем через {lead}",
        "en": "The publication time must be at least {lead} ahead",
    },
    "duplicate_target": {
        "ru": "Один и тот же аккаунт выбран дважды",
        "en": "The same account is chosen twice",
    },
    "already_live": {
        "ru": "Этот клип уже публикуется в этот аккаунт {platform}",
        "en": "This clip is already being published to this {platform} account",
    },
    "no_targets": {"ru": "Выберите хотя бы одну платформу", "en": "Choose at least one platform"},
    "already_publishing": {
        "ru": "Публикация уже идёт, отменить её нельзя",
        "en": "The publication is already running and cannot be cancelled",
    },
    "not_cancellable": {
        "ru": "Эту публикацию уже нельзя отменить",
        "en": "This publication can no longer be cancelled",
    },
    "not_reschedulable": {
        "ru": "Перенести можно только запланированную публикацию",
        "en": "Only a scheduled publication can be rescheduled",
    },
    "not_retryable": {
        "ru": "Повторить можно только публикацию с ошибкой",
        "en": "Only a failed publication can be retried",
    },
    "clip_busy": {
        "ru": "Клип сейчас публикуется, удалить его нельзя",
        "en": "The clip is being published and cannot be deleted",
    },
    "clip_too_large": {"ru": "Файл больше {limit}", "en": "The file is larger than {limit}"},
    "not_a_video": {
        "ru": "Файл не является видео: загрузите MP4, MOV или WebM",
        "en": "The file is not a video: upload MP4, MOV or WebM",
    },
    "source_unreachable": {
        "ru": "Не удалось скачать клип по ссылке: {detail}",
        "en": "Could not download the clip from the link: {detail}",
    },
    "oauth_state_invalid": {
        "ru": "Ссылка подключения устарела или уже использована, начните подключение заново",
        "en": "The connection link has expired or was already used, start connecting again",
    },
    "oauth_not_configured": {
        "ru": "Подключение {platform} не настроено администратором",
        "en": "{platform} connection is not configured by the administrator",
    },
    "oauth_denied": {"ru": "Доступ не был разрешён", "en": "Access was not granted"},
    "idempotency_conflict": {
        "ru": "Этот Idempotency-Key уже использован для другого запроса",
        "en": "This Idempotency-Key was already used for a different request",
    },
    "token_platform_only": {
        "ru": "Для {platform} используйте подключение через OAuth",
        "en": "Use the OAuth connection for {platform}",
    },
}


def render(code: str, lang: str = "ru", **params: Any) -> str:
    """The message for `code` in `lang` (Russian when unknown), with its parameters filled in."""
    texts = MESSAGES.get(code)
    if texts is None:
        return _render_platform(code, params)
    template = texts.get(lang if lang in LANGS else "ru", texts["ru"])
    plan = MESSAGES.get(f"plan.{params.get('plan')}")
    if plan is not None:
        params = {**params, "plan": plan.get(lang if lang in LANGS else "ru", plan["ru"])}
    return template.format(**params)


def _render_platform(code: str, params: dict[str, Any]) -> str:
    """A platform error's text (platforms/messages.py, Russian until the catalogs translate it)."""
    template = PLATFORM_MESSAGES.get(code)
    if template is None:
        return code
    shown = {
        name: (format_limit(value) if value % MiB == 0 else format_size(value))
        if name.endswith("_bytes") and isinstance(value, int)
        else value
        for name, value in params.items()
    }
    return template.format(**shown)


def pick_language(accept_language: str | None, fallback: str | None = None) -> Lang:
    """The language the caller asked for (Accept-Language), else the user's setting, else Russian."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGS:
            return tag
    return fallback if fallback in LANGS else "ru"
