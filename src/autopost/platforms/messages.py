"""What each platform error code says to a person, in Russian (the gettext source language).

Every PlatformError's code has its text here, whoever raises it (a provider, the
clip's byte source, the engine around a provider call). Providers raise errors
with a code and parameters only; autopost.i18n renders the text in the reader's
language. `N_` marks the texts for Babel's extraction without translating them.

Parameters: `{platform}` a platform's name; `{length}` / `{limit}` character
counts; `*_bytes` sizes in bytes (formatted per language where rendered);
`{reason}`, `{parameter}`, `{error}`, `{error_code}`, `{status}` the platform's own
words or numbers, shown as they came.
"""

from __future__ import annotations

from autopost.platforms.catalog import Platform


def N_(text: str) -> str:
    """Mark a text for extraction (gettext's conventional name); it is translated where shown."""
    return text


MESSAGES: dict[str, str] = {
    # ------------------------------------------------------------ around every provider call
    "clip_missing": N_("Файл клипа не найден"),
    "clip_changed": N_("Файл клипа изменился или повреждён, загрузите его заново"),
    "clip_source_unavailable": N_("Источник клипа недоступен, повторим позже"),
    # The clip's source URL now leads somewhere the outbound guard refuses (autopost.security.outbound).
    "source_refused": N_("Ссылка ведёт на адрес, с которого клипы не скачиваются"),
    "token_missing": N_("Токен истёк, переподключите платформу"),
    "token_expired": N_("Токен истёк, переподключите платформу"),
    "refresh_busy": N_("Обновляем токен платформы, повторим позже"),
    "internal_error": N_("Внутренняя ошибка, повторим автоматически"),
    # ------------------------------------------------------------ web sessions (cookie exports)
    "web_session.unreadable": N_(
        "Не удалось прочитать cookies. Вставьте экспорт целиком: файл cookies.txt, JSON из расширения "
        "или заголовок Cookie"
    ),
    "web_session.no_cookies": N_(
        "В экспорте нет действующих cookies для {domain}. Войдите на {domain} в браузере "
        "и экспортируйте cookies заново"
    ),
    # ------------------------------------------------------------ VK
    "vk.token_expired": N_("Токен VK истёк или отозван, переподключите VK"),
    "vk.too_many_requests": N_("VK просит делать запросы реже, повторим чуть позже"),
    "vk.flood_control": N_("VK временно ограничил однотипные действия, повторим позже"),
    "vk.daily_limit": N_("Исчерпан дневной лимит VK на загрузку видео, продолжим завтра"),
    "vk.internal_error": N_("Внутренняя ошибка VK, повторим позже"),
    "vk.bad_answer": N_("VK ответил ошибкой, повторим позже"),
    "vk.no_rights": N_("Нет прав на публикацию в сообществе"),
    "vk.access_denied": N_(
        "VK отказал в доступе: приложению не выданы права на видео или стену. Переподключите VK; "
        "если не поможет, права выдаёт поддержка VK после проверки приложения"
    ),
    "vk.captcha": N_(
        "VK просит ввести капчу. Откройте VK в браузере, подтвердите, что вы не робот, и нажмите «Повторить»"
    ),
    # The link (param captcha_url) is shown beside the text: VK's own check page on VK ID.
    "vk.captcha_check": N_(
        "VK просит подтвердить, что вы не робот. Откройте проверку VK по ссылке, пройдите её "
        "и нажмите «Повторить»"
    ),
    "vk.web_signed_out": N_(
        "Сессия vk.com закончилась: вы вышли из VK в браузере или VK завершил вход. Войдите на vk.com "
        "снова, выгрузите cookies заново и переподключите VK Клипы"
    ),
    "vk.web_unavailable": N_("vk.com не открылся, повторим позже"),
    "vk.validation_required": N_("VK требует подтверждения входа: откройте VK и переподключите аккаунт"),
    "vk.user_deleted": N_("Страница VK удалена или заблокирована"),
    "vk.processing_failed": N_(
        "VK не смог обработать видео. Проверьте файл (MP4, H.264) и загрузите его заново"
    ),
    "vk.bad_parameter": N_("VK отклонил запрос: {parameter}"),
    "vk.unknown_method": N_("Метод VK недоступен этому приложению"),
    "vk.refused": N_("VK отклонил запрос (ошибка {error_code})"),
    "vk.upload_failed": N_("Сервер загрузки VK не принял файл, повторим позже"),
    "vk.upload_refused": N_("Сервер загрузки VK отклонил файл"),
    "vk.upload_url_expired": N_("VK не принял адрес загрузки, повторим позже"),
    "vk.video_missing": N_("Видео не найдено во VK: возможно, его удалили. Опубликуйте клип заново"),
    "vk.not_started": N_("Публикация во VK ещё не начиналась"),
    "vk.file_too_large": N_("Файл {size_bytes} больше предела VK ({limit_bytes})"),
    "vk.title_too_long": N_("Название для VK: {length} символов, можно не больше {limit}"),
    "vk.description_too_long": N_("Описание для VK: {length} символов, можно не больше {limit}"),
    "vk.id_rate_limited": N_("VK ID просит подождать, повторим позже"),
    "vk.id_unavailable": N_("VK ID временно недоступен, повторим позже"),
    "vk.id_unreachable": N_("Платформа недоступна, повторим позже"),
    "vk.id_client": N_("VK ID не узнал приложение: проверьте client_id в настройках"),
    "vk.id_no_answer": N_("VK ID не ответил вовремя, подключите VK ещё раз"),
    "vk.id_refused": N_("VK ID отказал во входе ({error}), подключите VK ещё раз"),
    "vk.code_refused": N_("Код входа VK устарел или уже использован, подключите VK ещё раз"),
    "vk.refresh_refused": N_("Токен VK истёк, переподключите VK"),
    "vk.refresh_lost": N_("VK ID не ответил при обновлении токена, переподключите VK"),
    "vk.scope_missing": N_(
        "VK не выдал приложению доступ к видео (scope video). VK выдаёт его приложениям VK ID "
        "только после проверки: администратору сервиса нужно запросить доступ в поддержке VK"
    ),
    "vk.device_id_missing": N_("VK не вернул device_id: начните подключение заново"),
    # ------------------------------------------------------------ Rutube
    "rutube.server_error": N_("Rutube временно недоступен, повторим позже"),
    "rutube.bad_answer": N_("Rutube ответил непонятно, повторим позже"),
    "rutube.token_invalid": N_("Rutube не принимает токен. Подключите аккаунт Rutube заново"),
    "rutube.rate_limited": N_("Rutube просит подождать, повторим позже"),
    "rutube.not_found": N_("Rutube: не найдено"),
    "rutube.forbidden": N_("Rutube не даёт доступа к этому видео"),
    # Rutube answers a mistyped password and a password-less account alike: both are named.
    "rutube.login_refused": N_(
        "Rutube не пустил по логину и паролю: возможно, пароль неверный, или аккаунт входит "
        "через VK ID, Госуслуги или по номеру телефона — у таких аккаунтов нет пароля. "
        "Проверьте пароль или подключите аккаунт по токену Rutube"
    ),
    "rutube.bad_request": N_("Rutube отклонил запрос: {reason}"),
    "rutube.bad_field.url": N_("Rutube отклонил запрос: ссылка на файл — {reason}"),
    "rutube.bad_field.title": N_("Rutube отклонил запрос: название — {reason}"),
    "rutube.bad_field.description": N_("Rutube отклонил запрос: описание — {reason}"),
    "rutube.bad_field.category_id": N_("Rutube отклонил запрос: категория — {reason}"),
    "rutube.bad_field.is_hidden": N_("Rutube отклонил запрос: видимость — {reason}"),
    "rutube.bad_field.username": N_("Rutube отклонил запрос: логин — {reason}"),
    "rutube.bad_field.password": N_("Rutube отклонил запрос: пароль — {reason}"),
    "rutube.rejected": N_("Rutube отклонил запрос (HTTP {status})"),
    "rutube.reconnect": N_("Токен Rutube не обновляется автоматически. Подключите аккаунт Rutube заново"),
    "rutube.file_too_large": N_("Файл {size_bytes} больше предела Rutube ({limit_bytes})"),
    "rutube.title_too_long": N_("Название длиннее {limit} символов — Rutube столько не принимает"),
    "rutube.description_too_long": N_("Описание длиннее {limit} символов — Rutube столько не принимает"),
    "rutube.no_media_url": N_("Нет ссылки, по которой Rutube скачал бы клип"),
    "rutube.create_unconfirmed": N_(
        "Rutube не подтвердил создание видео. Повторная попытка сначала проверит канал, "
        "чтобы не опубликовать видео дважды"
    ),
    "rutube.ambiguous": N_(
        "Не удалось понять, опубликовано ли видео: на Rutube несколько похожих. "
        "Проверьте канал, прежде чем повторять"
    ),
    "rutube.lookup_inconclusive": N_(
        "Не удалось понять, опубликовано ли видео. Проверьте канал на Rutube, прежде чем повторять"
    ),
    "rutube.video_deleted": N_("Видео удалено на Rutube"),
    "rutube.video_rejected": N_("Rutube не принял видео ({reason})"),
    "rutube.download_failed": N_("Rutube не смог скачать файл клипа по нашей ссылке"),
    "rutube.not_a_video": N_("Rutube не распознал файл как видео"),
    "rutube.platform_file_too_large": N_("Rutube не принял файл: он больше {limit_bytes}"),
    "rutube.processing_failed": N_("Rutube не смог обработать видео"),
    # ------------------------------------------------------------ Дзен
    "dzen.rate_limited": N_("Дзен просит подождать"),
    "dzen.unavailable": N_("Дзен временно недоступен, повторим позже"),
    "dzen.bad_answer": N_("Дзен временно недоступен, повторим позже"),
    "dzen.token_expired": N_("Доступ к Дзену истёк или отозван, подключите Дзен заново"),
    "dzen.no_refresh_token": N_("Доступ к Дзену истёк или отозван, подключите Дзен заново"),
    "dzen.not_publisher": N_("У аккаунта нет канала в Дзене или он не одобрен для публикаций"),
    "dzen.forbidden": N_("У аккаунта нет канала в Дзене или он не одобрен для публикаций"),
    "dzen.refused": N_("Дзен отклонил запрос: {reason}"),
    "dzen.platform_file_too_large": N_("Файл больше {limit_bytes} — это лимит Дзена"),
    "dzen.size_mismatch": N_("Дзен получил не столько байт, сколько ждал: клип изменился"),
    "dzen.not_found": N_("Дзен не нашёл загрузку или видео"),
    "dzen.upload_expired": N_("Сессия загрузки в Дзене истекла"),
    "dzen.upload_already_completed": N_("Файл уже загружен в Дзен"),
    "dzen.upload_already_published": N_("Видео из этой загрузки уже создано"),
    "dzen.processing_failed": N_("Дзен не смог обработать видео"),
    "dzen.unsupported_format": N_("Дзен не принял формат файла: нужен MP4, MOV или WebM"),
    "dzen.video_failed": N_("Дзен не опубликовал видео: {reason}"),
    "dzen.empty_file": N_("Файл клипа пуст"),
    "dzen.file_too_large": N_("Файл {size_bytes} больше лимита Дзена {limit_bytes}"),
    "dzen.title_missing": N_("Для Дзена нужно название видео"),
    "dzen.title_too_long": N_("Название для Дзена: {length} символов, можно не больше {limit}"),
    "dzen.description_too_long": N_("Описание для Дзена: {length} символов, можно не больше {limit}"),
    "dzen.publish_unconfirmed": N_(
        "Не удалось понять, опубликовано ли видео. Проверьте канал в Дзене, прежде чем повторять"
    ),
    "dzen.publish_not_confirmed": N_(
        "Дзен не подтвердил создание видео, проверим и повторим позже (второе видео не появится)"
    ),
    "dzen.oauth_rate_limited": N_("Яндекс ID просит подождать"),
    "dzen.oauth_unavailable": N_("Яндекс ID временно недоступен, повторим позже"),
    "dzen.oauth_unreachable": N_("Яндекс ID временно недоступен, повторим позже"),
    "dzen.oauth_bad_answer": N_("Яндекс ID временно недоступен, повторим позже"),
    "dzen.oauth_client": N_("Приложение Яндекс ID настроено неверно: проверьте client_id и client_secret"),
    "dzen.refresh_refused": N_("Яндекс не продлил доступ к Дзену — подключите Дзен заново"),
    "dzen.oauth_code": N_("Код входа Яндекса устарел или уже использован — подключите Дзен ещё раз"),
    "dzen.oauth_refused": N_("Яндекс отказал во входе ({error})"),
    # ------------------------------------------------------------ Telegram
    "telegram.unavailable": N_("Telegram временно недоступен, повторим позже"),
    "telegram.rate_limited": N_("Telegram просит подождать: слишком много публикаций подряд"),
    "telegram.token_revoked": N_(
        "Telegram не принимает токен бота: его отозвали. Подключите канал заново с новым токеном"
    ),
    "telegram.bad_token": N_("Неверный токен бота: возьмите его у @BotFather"),
    "telegram.platform_file_too_large": N_("Telegram не принял файл: он больше, чем разрешено боту"),
    "telegram.chat_not_found": N_("Канал не найден: проверьте @имя или -100…"),
    "telegram.not_member": N_("Бот не добавлен в канал"),
    "telegram.not_admin": N_("Бот не является админом канала"),
    "telegram.forbidden": N_("Бот не является админом канала"),
    "telegram.platform_caption_too_long": N_(
        "Подпись длиннее, чем принимает Telegram. Сократите название или описание"
    ),
    "telegram.bad_caption": N_("Telegram не смог разобрать подпись"),
    "telegram.rejected": N_("Telegram отклонил публикацию: {reason}"),
    "telegram.not_a_channel": N_("Это не канал: укажите @имя или -100… канала, где бот — админ"),
    "telegram.no_refresh": N_(
        "Токен бота не обновляется: если его отозвали, подключите канал заново с новым токеном"
    ),
    "telegram.outcome_unknown": N_(
        "Не удалось понять, опубликован ли пост. Проверьте канал, прежде чем повторять"
    ),
    "telegram.file_too_large": N_(
        "Telegram принимает от бота видео до {limit_bytes}, а клип весит {size_bytes}"
    ),
    "telegram.caption_too_long": N_(
        "Подпись для Telegram длиннее {limit} символов (сейчас {length}): сократите название или описание"
    ),
    "telegram.preview_rate_limited": N_("t.me просит подождать, повторим позже"),
    "telegram.preview_unavailable": N_("Страница канала t.me недоступна, повторим позже"),
}

# Transport failures (platforms.http.send): the same words on every platform.
for _platform in Platform:
    MESSAGES[f"{_platform}.unreachable"] = N_("Платформа недоступна, повторим позже")
    MESSAGES[f"{_platform}.connection_lost"] = N_("Платформа недоступна, повторим позже")
    MESSAGES[f"{_platform}.no_answer"] = N_(
        "Платформа не ответила вовремя. Проверьте, не появилась ли публикация, прежде чем повторять"
    )
