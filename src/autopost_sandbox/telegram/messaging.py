"""The Bot API methods of a bot that talks to people in private: getUpdates and sendMessage.

Error texts are the real API's: a bot cannot write first to someone who never
started it (403), an unknown chat is "chat not found", text is 1-4096 characters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from autopost_sandbox.telegram.chats import (
    MAX_UPDATES_PER_CALL,
    PrivateChat,
    PrivateMessage,
    private_chat_json,
)
from autopost_sandbox.telegram.entities import parse_caption
from autopost_sandbox.telegram.wire import ApiError, to_int

if TYPE_CHECKING:
    from autopost_sandbox.telegram.methods import Call

MAX_MESSAGE_LENGTH = 4096

PARAMETERS: dict[str, tuple[str, ...]] = {
    "getUpdates": ("offset", "limit", "timeout", "allowed_updates"),
    "sendMessage": ("chat_id", "text", "parse_mode", "entities", "disable_notification", "protect_content"),
}
RETURNS = {"getUpdates": "Array of Update", "sendMessage": "Message"}

CANT_INITIATE = ApiError(403, "Forbidden: bot can't initiate conversation with a user")


async def get_updates(call: Call) -> list[dict[str, Any]]:
    limit = to_int(call.arg("limit"), MAX_UPDATES_PER_CALL)
    limit = min(max(limit, 1), MAX_UPDATES_PER_CALL)
    timeout = max(0, to_int(call.arg("timeout")))
    offset = to_int(call.arg("offset"))
    return await call.world.private.wait_for_updates(call.bot.id, offset, limit, timeout)


def _private_chat(call: Call) -> PrivateChat:
    raw = call.arg("chat_id").strip()
    if not raw:
        raise ApiError.bad_request("chat_id is empty")
    chat_id = to_int(raw)
    if raw.startswith("@") or chat_id == 0:
        raise ApiError.bad_request("chat not found")
    chat = call.world.private.chat(call.bot.id, chat_id)
    if chat is None:
        if chat_id > 0:
            raise CANT_INITIATE
        raise ApiError.bad_request("chat not found")
    return chat


def send_message(call: Call) -> dict[str, Any]:
    formatted = parse_caption(call.arg("text"), call.arg("parse_mode"), call.arg("entities"))
    chat = _private_chat(call)
    if not formatted.text.strip():
        raise ApiError.bad_request("message text is empty")
    if len(formatted.text) > MAX_MESSAGE_LENGTH:
        raise ApiError.bad_request("message is too long")
    message = call.world.private.bot_writes(chat, formatted.text, formatted.entities)
    return outgoing_json(call, chat, message)


def outgoing_json(call: Call, chat: PrivateChat, message: PrivateMessage) -> dict[str, Any]:
    bot = call.bot
    body: dict[str, Any] = {
        "message_id": message.message_id,
        "from": {"id": bot.id, "is_bot": True, "first_name": bot.first_name, "username": bot.username},
        "chat": private_chat_json(chat.person),
        "date": message.date,
        "text": message.text,
    }
    if message.entities:
        body["entities"] = message.entities
    return body
