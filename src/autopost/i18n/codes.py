"""The code table: every stable code whose text people read, mapped to its Russian source text.

Errors, refusals and history events travel and are stored as a code plus
parameters; `autopost.i18n.render` looks the code up here (and in
`autopost.platforms.messages` for platform error codes), translates the text
with the gettext catalogs and fills the parameters in the reader's language.
`N_` only marks a text for Babel's extraction.
"""

from __future__ import annotations


def N_(text: str) -> str:
    """Mark a text for extraction (gettext's conventional name); it is translated where shown."""
    return text


NAMES: dict[str, str] = {
    "plan.free": N_("Бесплатный"),
    "plan.start": N_("Старт"),
    "plan.pro": N_("Про"),
    "plan.business": N_("Бизнес"),
    "platform.vk": N_("VK"),
    "platform.rutube": N_("Rutube"),
    "platform.dzen": N_("Дзен"),
    "platform.telegram": N_("Telegram"),
    "status.scheduled": N_("Запланировано"),
    "status.publishing": N_("Публикуется"),
    "status.published": N_("Опубликовано"),
    "status.failed": N_("Ошибка"),
    "status.cancelled": N_("Отменено"),
    "clip.status.pending": N_("Клип обрабатывается…"),
    "clip.status.rendering": N_("Клип ещё готовится…"),
    "clip.status.failed": N_("Клип не удалось обработать"),
    "clip.status.ready": N_("Готов к публикации"),
}

REFUSALS: dict[str, str] = {
    "bad_request": N_("Некорректный запрос"),
    "validation_error": N_("Некорректные данные: {detail}"),
    "not_authenticated": N_(
        "Нужна авторизация: войдите или передайте API-токен в заголовке Authorization: Bearer"
    ),
    "csrf_failed": N_("Форма устарела, обновите страницу и повторите"),
    "not_found": N_("Не найдено"),
    "rate_limited": N_("Слишком много запросов, повторите через {seconds} с"),
    "login_failed": N_("Неверный email или пароль"),
    "login_throttled": N_("Слишком много неудачных попыток входа. Повторите через {seconds} с"),
    "login_throttled_minutes": N_("Слишком много неудачных попыток входа. Повторите через {minutes} мин"),
    "connect_throttled": N_("Слишком много неудачных подключений. Повторите через {minutes} мин"),
    "request_too_large": N_("Запрос больше {limit_bytes}"),
    "wrong_password": N_("Текущий пароль указан неверно"),
    "password_too_short": N_("Пароль должен быть не короче {min} символов"),
    "token_expiry_past": N_("Срок действия должен быть в будущем"),
    "token_not_found": N_("Токен {id} не найден"),
    "token_already_revoked": N_("Токен {id} уже отозван"),
    "clip_not_ready": N_("Клип ещё не готов к публикации"),
    "plan_excludes_platform": N_("{platform} недоступен на тарифе {plan} — повысьте тариф"),
    "file_too_large": N_("Файл {size_bytes} больше лимита {platform} {limit_bytes}"),
    "needs_reconnect": N_("Нужно переподключить {platform}"),
    "caption_too_long": N_("Подпись для {platform}: {length} символов, можно не больше {limit}"),
    "title_too_long": N_("Название для {platform}: {length} символов, можно не больше {limit}"),
    "title_missing": N_("Для {platform} нужно название"),
    "description_too_long": N_("Описание для {platform}: {length} символов, можно не больше {limit}"),
    "scheduled_at_without_offset": N_("Укажите время со смещением часового пояса"),
    "scheduled_too_soon": N_("Время публикации должно быть не раньше чем через {lead_seconds}"),
    "duplicate_target": N_("Один и тот же аккаунт выбран дважды"),
    "already_live": N_("Этот клип уже публикуется в этот аккаунт {platform}"),
    "already_published": N_(
        "Клип уже опубликован в этот аккаунт {platform}. Чтобы опубликовать его ещё раз, отметьте «Опубликовать ещё раз»"
    ),
    "no_targets": N_("Выберите хотя бы одну платформу"),
    "already_publishing": N_("Публикация уже идёт, отменить её нельзя"),
    "not_cancellable": N_("Эту публикацию уже нельзя отменить"),
    "not_reschedulable": N_("Перенести можно только запланированную публикацию"),
    "not_retryable": N_("Повторить можно только публикацию с ошибкой"),
    "clip_busy": N_("Клип сейчас публикуется, удалить его нельзя"),
    "clip_too_large": N_("Файл больше {limit_bytes}"),
    "not_a_video": N_("Файл не является видео: загрузите MP4, MOV или WebM"),
    "source_unreachable": N_("Не удалось скачать клип по ссылке: {detail}"),
    "oauth_state_invalid": N_("Ссылка подключения устарела или уже использована, начните подключение заново"),
    "oauth_not_configured": N_("Подключение {platform} не настроено администратором"),
    "oauth_denied": N_("Доступ не был разрешён"),
    "oauth_other_browser": N_(
        "Подключение начато в другом браузере. Войдите здесь и начните подключение заново"
    ),
    "oauth_other_user": N_(
        "Подключение начато другим пользователем. Начните подключение заново в своём аккаунте"
    ),
    "idempotency_conflict": N_("Этот Idempotency-Key уже использован для другого запроса"),
    "token_platform_only": N_("Для {platform} используйте подключение через OAuth"),
    "web_session_unsupported": N_("{platform} не подключается через сессию браузера"),
}

# How a publication's failure is told beyond its PlatformError's own code (every PlatformError code,
# also those the engine raises around a provider call, has its text in autopost.platforms.messages).
FAILURES: dict[str, str] = {
    "attempts_exhausted": N_(
        "{platform} не отвечает: попытки закончились ({attempts}). Нажмите «Повторить» позже"
    ),
    # A sentence stored before texts became codes (migration 0003): shown as it was written.
    "legacy": N_("{text}"),
}

# History events: the text of an event is its kind's, filled from the event's data.
EVENTS: dict[str, str] = {
    "event.created": N_("Публикация поставлена в очередь"),
    "event.scheduled": N_("Публикация запланирована"),
    "event.rescheduled": N_("Публикация перенесена"),
    "event.started": N_("Попытка {attempt}: начинаем"),
    "event.processing": N_("Файл загружен, платформа обрабатывает видео"),
    "event.published": N_("Опубликовано"),
    "event.rate_limited": N_("Платформа просит подождать"),
    "event.retry_scheduled": N_("{reason}. Повторим автоматически"),
    "event.token_refreshed": N_("Токен платформы обновлён"),
    "event.failed": N_("{reason}"),
    "event.cancelled": N_("Публикация отменена"),
    "event.cancelled.disconnect": N_("Отменено: платформа отключена"),
    "event.retried": N_("Повторная публикация по запросу"),
    "event.requeued": N_("Задача восстановлена в очереди"),
}

CODES: dict[str, str] = {**NAMES, **REFUSALS, **FAILURES, **EVENTS}
