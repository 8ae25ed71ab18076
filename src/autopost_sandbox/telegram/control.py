"""/_sandbox/telegram: play the person on the other side of a bot's private chat.

POST /_sandbox/telegram/messages {"bot": "autopost_notify_bot", "text": "/start <code>",
"first_name": "Анна", "user_id": 200000001?}: the person (a new one unless user_id names one
who wrote before) sends the text to the bot, as the t.me deep link's «Start» button does.
GET /_sandbox/telegram/chats/<chat_id>?bot=<username>: every message of that chat, both ways.
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from autopost_sandbox.telegram.world import NOTIFY_BOT, TelegramWorld


def _bad(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def control_app(world: TelegramWorld) -> Starlette:
    async def person_writes(request: Request) -> JSONResponse:
        body: Any = await request.json()
        if not isinstance(body, dict) or not isinstance(body.get("text"), str) or not body["text"]:
            return _bad("text must be a non-empty string")
        bot = world.bot_by_username(str(body.get("bot") or NOTIFY_BOT.username))
        if bot is None:
            return _bad("no such bot", 404)
        user_id = body.get("user_id")
        known = world.private.chat(bot.id, user_id) if isinstance(user_id, int) else None
        if user_id is not None and known is None:
            return _bad("user_id names no person who wrote to this bot", 404)
        person = known.person if known else world.private.new_person(str(body.get("first_name") or "Анна"))
        _, update = world.private.person_writes(bot.id, person, body["text"])
        return JSONResponse(
            {"user_id": person.id, "chat_id": person.id, "update_id": update["update_id"]}, status_code=201
        )

    async def chat_messages(request: Request) -> JSONResponse:
        bot = world.bot_by_username(request.query_params.get("bot") or NOTIFY_BOT.username)
        try:
            chat_id = int(request.path_params["chat_id"])
        except ValueError:
            return _bad("chat_id must be a number")
        chat = world.private.chat(bot.id, chat_id) if bot else None
        if chat is None:
            return _bad("no such chat", 404)
        messages = [
            {"message_id": m.message_id, "date": m.date, "text": m.text, "from_bot": m.from_bot}
            for m in chat.messages
        ]
        return JSONResponse({"chat_id": chat_id, "bot": bot.username if bot else "", "messages": messages})

    return Starlette(
        routes=[
            Route("/messages", person_writes, methods=["POST"]),
            Route("/chats/{chat_id}", chat_messages, methods=["GET"]),
        ]
    )
