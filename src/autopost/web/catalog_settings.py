"""The words of Настройки → Платформы and of the disconnect confirmation."""

from __future__ import annotations

Forms = dict[str, str]
Entry = dict[str, str | Forms]

SETTINGS: dict[str, Entry] = {
    "settings.title": {"ru": "Настройки: платформы", "en": "Settings: platforms"},
    "settings.intro": {
        "ru": "Подключите аккаунты, в которые будут публиковаться клипы. Токены доступа хранятся "
        "в зашифрованном виде и никому не показываются.",
        "en": "Connect the accounts your clips will be published to. Access tokens are stored "
        "encrypted and never shown to anyone.",
    },
    "settings.limit": {"ru": "файлы до {limit}", "en": "files up to {limit}"},
    "settings.upgrade_text": {
        "ru": "{platform} недоступен на вашем тарифе «{plan}». Он есть на тарифах {plans}.",
        "en": "{platform} is not included in your {plan} plan. It comes with {plans}.",
    },
    "settings.upgrade_how": {
        "ru": "Чтобы повысить тариф, напишите в поддержку КлипМейкера.",
        "en": "To upgrade your plan, write to ClipMaker support.",
    },
    "settings.accounts": {"ru": "Подключённые аккаунты: {platform}", "en": "Connected {platform} accounts"},
    "settings.not_connected": {"ru": "Не подключено.", "en": "Not connected."},
    "settings.active": {"ru": "Подключено", "en": "Connected"},
    "settings.checked": {"ru": "проверено {when}", "en": "checked {when}"},
    "settings.needs_reconnect": {"ru": "Нужно переподключить", "en": "Needs reconnecting"},
    "settings.reconnect": {"ru": "Переподключить", "en": "Reconnect"},
    "settings.reconnect_platform": {"ru": "Переподключить {platform}", "en": "Reconnect {platform}"},
    "settings.connect": {"ru": "Подключить {platform}", "en": "Connect {platform}"},
    "settings.connect_another": {
        "ru": "Подключить ещё аккаунт {platform}",
        "en": "Connect another {platform} account",
    },
    "settings.telegram_add": {"ru": "Подключить ещё канал", "en": "Connect another channel"},
    "settings.connect_submit": {"ru": "Подключить", "en": "Connect"},
    "settings.test": {"ru": "Проверить", "en": "Test"},
    "settings.disconnect": {"ru": "Отключить", "en": "Disconnect"},
    "settings.test_ok": {"ru": "{account}: подключение работает", "en": "{account}: the connection works"},
    "settings.test_failed": {"ru": "{account}: {reason}", "en": "{account}: {reason}"},
    "settings.connected": {"ru": "{platform} подключён", "en": "{platform} is connected"},
    "settings.connected_account": {
        "ru": "{platform} подключён: {account}",
        "en": "{platform} is connected: {account}",
    },
    "settings.connect_failed": {
        "ru": "Не удалось подключить {platform}. Попробуйте ещё раз.",
        "en": "Could not connect {platform}. Please try again.",
    },
    "settings.disconnected": {
        "ru": {
            "one": "{account} отключён. Отменена {count} запланированная публикация.",
            "few": "{account} отключён. Отменены {count} запланированные публикации.",
            "many": "{account} отключён. Отменено {count} запланированных публикаций.",
        },
        "en": {
            "one": "{account} is disconnected. {count} scheduled publication was cancelled.",
            "other": "{account} is disconnected. {count} scheduled publications were cancelled.",
        },
    },
    "settings.disconnected_none": {
        "ru": "{account} отключён. Запланированных публикаций не было.",
        "en": "{account} is disconnected. Nothing was scheduled.",
    },
    "settings.private_channel": {"ru": "Частный канал", "en": "Private channel"},
    "settings.bot": {"ru": "бот {bot}", "en": "bot {bot}"},
    "settings.vk_page": {"ru": "Личная страница", "en": "Personal page"},
    "settings.vk_community": {"ru": "Сообщество", "en": "Community"},
    "settings.vk_target": {"ru": "Куда публиковать", "en": "Publish to"},
    "settings.vk_target_page": {"ru": "Моя страница", "en": "My page"},
    "settings.vk_target_saved": {"ru": "VK: публикуем в «{target}»", "en": "VK: publishing to “{target}”"},
    "settings.dzen_channel": {"ru": "Канал в Дзене", "en": "Дзен channel"},
    "settings.rutube_by_token": {"ru": "Аккаунт подключён по токену", "en": "Connected with a token"},
    "settings.bot_token": {"ru": "Токен бота", "en": "Bot token"},
    "settings.bot_token_help": {
        "ru": "Напишите @BotFather в Telegram, отправьте команду /newbot и скопируйте токен из ответа. "
        "Затем добавьте бота в администраторы канала с правом публиковать сообщения.",
        "en": "Message @BotFather in Telegram, send /newbot and copy the token it replies with. "
        "Then make the bot an administrator of the channel, allowed to post messages.",
    },
    "settings.channel": {"ru": "Канал", "en": "Channel"},
    "settings.channel_placeholder": {"ru": "@имя_канала", "en": "@channel_name"},
    "settings.channel_help": {
        "ru": "Публичный канал — как @имя_канала. Частный — числовой идентификатор, начинается с -100.",
        "en": "A public channel as @channel_name. A private one by its numeric id, starting with -100.",
    },
    "settings.rutube_how": {"ru": "Как подключить", "en": "How to connect"},
    "settings.rutube_by_token_choice": {"ru": "По токену", "en": "With a token"},
    "settings.rutube_by_password_choice": {"ru": "По логину и паролю", "en": "With login and password"},
    "settings.rutube_token": {"ru": "Токен Rutube", "en": "Rutube token"},
    "settings.rutube_token_help": {
        "ru": "Токен доступа к программному интерфейсу Rutube. Новые аккаунты Rutube подключаются только так.",
        "en": "An access token for Rutube's API. New Rutube accounts can only connect this way.",
    },
    "settings.rutube_login": {"ru": "Логин (электронная почта)", "en": "Login (email)"},
    "settings.rutube_password": {"ru": "Пароль", "en": "Password"},
    "settings.rutube_password_help": {
        "ru": "Пароль не сохраняется: он один раз обменивается на токен.",
        "en": "The password is not stored: it is exchanged for a token once.",
    },
    "settings.vk_note": {
        "ru": "Для администратора сервиса: права приложения VK на видео и на стену выдаются "
        "только после одобрения заявки в VK.",
        "en": "For the service operator: VK grants an app the video and wall scopes only after it approves "
        "the app's request.",
    },
    "settings.dzen_note": {
        "ru": "Публиковать в Дзен через программный интерфейс могут только одобренные Дзеном издатели. "
        "Обмен с Дзеном в этой версии смоделирован по описанию протокола и проверен на учебном стенде, "
        "а не на настоящем Дзене.",
        "en": "Only publishers approved by Дзен may publish through its API. In this version the Дзен "
        "protocol is modelled from its description and tested against a sandbox, not the real Дзен.",
    },
    "connect.missing.telegram.token": {
        "ru": "Укажите токен бота и канал",
        "en": "Enter the bot token and the channel",
    },
    "connect.missing.rutube.token": {"ru": "Вставьте токен Rutube", "en": "Paste the Rutube token"},
    "connect.missing.rutube.password": {
        "ru": "Укажите логин и пароль Rutube",
        "en": "Enter the Rutube login and password",
    },
    "disconnect.heading": {"ru": "Отключить {account}?", "en": "Disconnect {account}?"},
    "disconnect.tokens": {
        "ru": "Токены доступа будут удалены: публиковать в этот аккаунт будет нельзя, пока вы не подключите его снова.",
        "en": "The access tokens will be deleted: nothing can be published there until you connect it again.",
    },
    "disconnect.will_cancel": {
        "ru": {
            "one": "Будет отменена {count} запланированная публикация.",
            "few": "Будут отменены {count} запланированные публикации.",
            "many": "Будут отменены {count} запланированных публикаций.",
        },
        "en": {
            "one": "{count} scheduled publication will be cancelled.",
            "other": "{count} scheduled publications will be cancelled.",
        },
    },
    "disconnect.nothing_scheduled": {
        "ru": "Запланированных публикаций в этот аккаунт нет.",
        "en": "Nothing is scheduled to this account.",
    },
}
