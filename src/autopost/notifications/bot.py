"""The operator's notification bot over the Bot API: who it is, what people wrote it, and messages out.

The same Bot API client as the Telegram provider (autopost.platforms.telegram.botapi), so the
token stays out of every printable URL and answers are judged in one place.
"""

from __future__ import annotations

from typing import Any

from autopost.platforms.telegram.botapi import BotApi, open_client
from autopost.settings import Settings

# A getUpdates long poll must not be cut by the HTTP timeout while it legitimately waits.
HTTP_MARGIN_SECONDS = 15


def _token(settings: Settings) -> str:
    return settings.notify.telegram_bot_token.get_secret_value()


async def _call(settings: Settings, method: str, params: dict[str, str | int], wait: int = 0) -> Any:
    api_url = settings.notify.telegram_api_url
    async with open_client(api_url, None, float(wait + HTTP_MARGIN_SECONDS)) as client:
        return await BotApi(client, _token(settings)).call(method, params)


async def bot_username(settings: Settings) -> str:
    """The bot's @username (without the @), which its t.me deep links name."""
    me = await _call(settings, "getMe", {})
    return str(me["username"])


async def updates(settings: Settings, offset: int, wait: int) -> list[dict[str, Any]]:
    """Updates from `offset` on (confirming those before it), waiting up to `wait` s for one."""
    params: dict[str, str | int] = {"offset": offset, "timeout": wait, "allowed_updates": '["message"]'}
    result = await _call(settings, "getUpdates", params, wait)
    return list(result or [])


async def send_text(settings: Settings, chat_id: str, text: str) -> None:
    await _call(settings, "sendMessage", {"chat_id": chat_id, "text": text})
