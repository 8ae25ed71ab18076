"""Every word of the interface, in Russian and English (see web.i18n for how they are used).

The Russian side has no English words in it: platform names are names, and
the only Latin letters are those (VK, Rutube, Telegram, UTC) and @BotFather.
"""

from __future__ import annotations

from autopost.i18n import MESSAGES
from autopost.web.catalog_settings import SETTINGS, Entry, Forms

__all__ = ["CATALOG", "Entry", "Forms"]

_CORE: dict[str, Entry] = {
    "app.name": {"ru": "КлипМейкер · Автопостинг", "en": "ClipMaker · Autopost"},
    "nav.skip": {"ru": "Перейти к содержимому", "en": "Skip to content"},
    "nav.label": {"ru": "Основное меню", "en": "Main menu"},
    "nav.clips": {"ru": "Клипы", "en": "Clips"},
    "nav.publications": {"ru": "Публикации", "en": "Publications"},
    "nav.settings": {"ru": "Платформы", "en": "Platforms"},
    "nav.logout": {"ru": "Выйти", "en": "Log out"},
    "plan.label": {"ru": "Тариф", "en": "Plan"},
    # Plan names are shared with the API's messages (autopost.i18n).
    **{
        key: {lang: text for lang, text in texts.items()}
        for key, texts in MESSAGES.items()
        if key.startswith("plan.")
    },
    "list.and": {"ru": "{head} и {last}", "en": "{head} and {last}"},
    "dialog.close": {"ru": "Закрыть", "en": "Close"},
    "dialog.cancel": {"ru": "Отмена", "en": "Cancel"},
    "pager.label": {"ru": "Страницы", "en": "Pages"},
    "pager.prev": {"ru": "← Назад", "en": "← Previous"},
    "pager.next": {"ru": "Дальше →", "en": "Next →"},
    "pager.page": {"ru": "Страница {page}", "en": "Page {page}"},
    "csrf.stale": {
        "ru": "Страница устарела. Обновите её и повторите действие.",
        "en": "The page is out of date. Reload it and try again.",
    },
    "login.title": {"ru": "Вход", "en": "Log in"},
    "login.email": {"ru": "Электронная почта", "en": "Email"},
    "login.password": {"ru": "Пароль", "en": "Password"},
    "login.submit": {"ru": "Войти", "en": "Log in"},
    "login.failed": {"ru": "Неверная электронная почта или пароль", "en": "Wrong email or password"},
}

_CLIPS: dict[str, Entry] = {
    "clips.title": {"ru": "Клипы", "en": "Clips"},
    "clips.empty_title": {"ru": "Клипов пока нет", "en": "No clips yet"},
    "clips.empty_what": {
        "ru": "Клип — это готовое короткое видео, например фрагмент длинного урока. Здесь его можно "
        "опубликовать в VK Клипы, Rutube, Дзен и Telegram сразу или по расписанию и следить за просмотрами.",
        "en": "A clip is a finished short video, such as a fragment of a long lesson. Here you publish it "
        "to VK Clips, Rutube, Дзен and Telegram at once or on a schedule, and follow its views.",
    },
    "clips.empty_where": {
        "ru": "Клипы появляются здесь сами, когда вы отправляете их из КлипМейкера или загружаете "
        "через программный интерфейс сервиса.",
        "en": "Clips appear here when you send them from ClipMaker or upload them through the service's API.",
    },
    "clips.no_connections": {
        "ru": "Ни одна платформа ещё не подключена.",
        "en": "No platform is connected yet.",
    },
    "clips.connect_link": {"ru": "Подключить платформы", "en": "Connect platforms"},
    "clip.untitled": {"ru": "Без названия", "en": "Untitled"},
    "clip.duration": {"ru": "Длительность", "en": "Duration"},
    "clip.size": {"ru": "Размер", "en": "Size"},
    "clip.created": {"ru": "Загружен", "en": "Uploaded"},
    "clip.targets": {"ru": "Куда публикуется клип", "en": "Where this clip goes"},
    "clip.no_publications": {"ru": "Ещё не публиковался.", "en": "Not published yet."},
    "clip.status.pending": {"ru": "Клип обрабатывается…", "en": "The clip is being processed…"},
    "clip.status.rendering": {"ru": "Клип ещё готовится…", "en": "The clip is still rendering…"},
    "clip.status.failed": {"ru": "Клип не удалось обработать", "en": "The clip could not be processed"},
    "clip.status.ready": {"ru": "Готов к публикации", "en": "Ready to publish"},
    "action.publish": {"ru": "Опубликовать", "en": "Publish"},
    "action.schedule": {"ru": "Запланировать", "en": "Schedule"},
    "action.open": {"ru": "Открыть", "en": "Open"},
    "action.new_tab": {"ru": "(в новой вкладке)", "en": "(opens in a new tab)"},
    "action.retry": {"ru": "Повторить", "en": "Retry"},
    "action.cancel": {"ru": "Отменить", "en": "Cancel"},
    "action.reschedule": {"ru": "Перенести", "en": "Reschedule"},
    "badge.scheduled": {"ru": "Запланировано на {when}", "en": "Scheduled for {when}"},
    "badge.queued": {"ru": "В очереди", "en": "Queued"},
    "badge.retrying": {"ru": "Повторная попытка {when}", "en": "Next attempt {when}"},
    "badge.publishing": {"ru": "Публикация… {percent}\u00a0%", "en": "Publishing… {percent}%"},
    "badge.progress_label": {"ru": "Ход загрузки", "en": "Upload progress"},
    "badge.processing": {
        "ru": "Публикация… платформа обрабатывает видео",
        "en": "Publishing… the platform is processing the video",
    },
    "badge.published": {"ru": "Опубликовано", "en": "Published"},
    "badge.failed": {"ru": "Ошибка: {reason}", "en": "Error: {reason}"},
    "badge.unknown_error": {"ru": "причина неизвестна", "en": "unknown reason"},
    "badge.cancelled": {"ru": "Отменено", "en": "Cancelled"},
    "stats.views": {"ru": "Просмотры", "en": "Views"},
    "stats.likes": {"ru": "Лайки", "en": "Likes"},
    "stats.shares": {"ru": "Репосты", "en": "Shares"},
    "stats.comments": {"ru": "Комментарии", "en": "Comments"},
    "stats.chart_label": {"ru": "График просмотров", "en": "Views over time"},
    "stats.updated": {"ru": "Статистика обновлена {when}", "en": "Stats updated {when}"},
    "stats.pending": {
        "ru": "Статистика появится после первого обновления",
        "en": "Stats will appear after the first refresh",
    },
    "stats.unavailable": {"ru": "Статистика недоступна", "en": "Stats unavailable"},
}

_PUBLISH: dict[str, Entry] = {
    "publish.heading_now": {"ru": "Опубликовать клип", "en": "Publish the clip"},
    "publish.heading_later": {"ru": "Запланировать публикацию", "en": "Schedule the clip"},
    "publish.not_ready": {
        "ru": "Клип ещё не готов к публикации",
        "en": "The clip is not ready to publish yet",
    },
    "publish.not_connected": {"ru": "Не подключено.", "en": "Not connected."},
    "publish.connect_link": {"ru": "Подключить", "en": "Connect"},
    "publish.needs_reconnect": {"ru": "Нужно переподключить", "en": "Needs reconnecting"},
    "publish.plan_excludes": {
        "ru": "Недоступно на тарифе {plan} — повысьте тариф",
        "en": "Not included in the {plan} plan — upgrade your plan",
    },
    "publish.texts_for": {
        "ru": "Название и описание для {platform}",
        "en": "Title and description for {platform}",
    },
    "publish.caption_for": {"ru": "Подпись для {platform}", "en": "Caption for {platform}"},
    "publish.title": {"ru": "Название", "en": "Title"},
    "publish.description": {"ru": "Описание", "en": "Description"},
    "publish.caption": {"ru": "Подпись к видео", "en": "Video caption"},
    "publish.over_limit": {"ru": "Слишком длинно", "en": "Too long"},
    "publish.when": {"ru": "Когда", "en": "When"},
    "publish.now": {"ru": "Сейчас", "en": "Now"},
    "publish.later": {"ru": "Запланировать", "en": "Schedule"},
    "publish.at": {"ru": "Дата и время ({zone})", "en": "Date and time ({zone})"},
    "publish.lead_hint": {
        "ru": "Не раньше чем {lead}",
        "en": "At least {lead} from now",
    },
    "publish.no_time": {"ru": "Укажите дату и время публикации", "en": "Choose the date and time"},
    "publish.done_now": {
        "ru": {
            "one": "{count} публикация поставлена в очередь",
            "few": "{count} публикации поставлены в очередь",
            "many": "{count} публикаций поставлено в очередь",
        },
        "en": {"one": "{count} publication is queued", "other": "{count} publications are queued"},
    },
    "publish.done_later": {
        "ru": {
            "one": "{count} публикация запланирована",
            "few": "{count} публикации запланированы",
            "many": "{count} публикаций запланировано",
        },
        "en": {"one": "{count} publication is scheduled", "other": "{count} publications are scheduled"},
    },
    "reschedule.heading": {"ru": "Перенести публикацию", "en": "Reschedule the publication"},
    "reschedule.now_at": {"ru": "сейчас запланирована на {when}", "en": "now scheduled for {when}"},
    "reschedule.submit": {"ru": "Перенести", "en": "Reschedule"},
    "notice.cancelled": {"ru": "Публикация отменена", "en": "The publication is cancelled"},
    "notice.retried": {
        "ru": "Публикация снова поставлена в очередь",
        "en": "The publication is queued again",
    },
    "notice.rescheduled": {"ru": "Публикация перенесена", "en": "The publication is rescheduled"},
    "publications.title": {"ru": "Публикации", "en": "Publications"},
    "publications.tabs": {"ru": "Разделы", "en": "Sections"},
    "publications.tab_scheduled": {"ru": "Запланированные", "en": "Scheduled"},
    "publications.tab_history": {"ru": "История", "en": "History"},
    "publications.empty_scheduled": {"ru": "Запланированных публикаций нет.", "en": "Nothing is scheduled."},
    "publications.empty_history": {"ru": "История пока пуста.", "en": "No history yet."},
    "filters.label": {"ru": "Фильтры", "en": "Filters"},
    "filters.platform": {"ru": "Платформа", "en": "Platform"},
    "filters.status": {"ru": "Статус", "en": "Status"},
    "filters.all_platforms": {"ru": "Все платформы", "en": "All platforms"},
    "filters.all_statuses": {"ru": "Все статусы", "en": "All statuses"},
    "filters.apply": {"ru": "Показать", "en": "Show"},
    "status.scheduled": {"ru": "Запланировано", "en": "Scheduled"},
    "status.publishing": {"ru": "Публикуется", "en": "Publishing"},
    "status.published": {"ru": "Опубликовано", "en": "Published"},
    "status.failed": {"ru": "Ошибка", "en": "Failed"},
    "status.cancelled": {"ru": "Отменено", "en": "Cancelled"},
    "table.clip": {"ru": "Клип", "en": "Clip"},
    "table.platform": {"ru": "Платформа", "en": "Platform"},
    "table.account": {"ru": "Аккаунт", "en": "Account"},
    "table.time": {"ru": "Время", "en": "Time"},
    "table.status": {"ru": "Статус", "en": "Status"},
    "table.actions": {"ru": "Действия", "en": "Actions"},
    "table.now": {"ru": "Сейчас", "en": "Now"},
}

CATALOG: dict[str, Entry] = {**_CORE, **_CLIPS, **_PUBLISH, **SETTINGS}
