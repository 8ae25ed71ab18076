"""The sandbox's notification bot side: a person's /start reaches getUpdates with Bot API offsets,
sendMessage answers in the private chat, and both answers match the Bot API spec."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx2

from autopost_sandbox.telegram.world import NOTIFY_BOT
from tests.conftest import Sandbox
from tests.sandbox.test_telegram_contract import assert_result_matches, call


def _person_writes(sandbox: Sandbox, text: str, **extra: Any) -> dict[str, Any]:
    with sandbox.control() as control:
        answer = control.post("/telegram/messages", json={"text": text, **extra})
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_updates_are_confirmed_by_a_higher_offset_and_answered_in_private(sandbox: Sandbox) -> None:
    anna = _person_writes(sandbox, "/start code-1", first_name="Анна")
    _person_writes(sandbox, "hello", user_id=anna["user_id"])
    first = call(sandbox, NOTIFY_BOT.token, "getUpdates")
    assert_result_matches(first, "getUpdates")
    updates = first["result"]
    assert [u["message"]["text"] for u in updates] == ["/start code-1", "hello"]
    assert updates[0]["message"]["chat"] == {"id": anna["chat_id"], "type": "private", "first_name": "Анна"}
    assert updates[0]["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    # Without an offset nothing is confirmed; an offset above the first confirms only it.
    assert len(call(sandbox, NOTIFY_BOT.token, "getUpdates")["result"]) == 2
    last = updates[-1]["update_id"]
    rest = call(sandbox, NOTIFY_BOT.token, "getUpdates", data={"offset": str(last)})["result"]
    assert [u["update_id"] for u in rest] == [last]
    assert call(sandbox, NOTIFY_BOT.token, "getUpdates", data={"offset": str(last + 1)})["result"] == []

    sent = call(sandbox, NOTIFY_BOT.token, "sendMessage", data={"chat_id": anna["chat_id"], "text": "Готово"})
    assert_result_matches(sent, "sendMessage")
    with sandbox.control() as control:
        chat = control.get(f"/telegram/chats/{anna['chat_id']}").json()
    assert [(m["text"], m["from_bot"]) for m in chat["messages"]] == [
        ("/start code-1", False),
        ("hello", False),
        ("Готово", True),
    ]


def test_a_negative_offset_keeps_only_the_last_updates(sandbox: Sandbox) -> None:
    for n in range(3):
        _person_writes(sandbox, f"/start {n}")
    kept = call(sandbox, NOTIFY_BOT.token, "getUpdates", data={"offset": "-1"})["result"]
    assert [u["message"]["text"] for u in kept] == ["/start 2"]
    assert len(call(sandbox, NOTIFY_BOT.token, "getUpdates")["result"]) == 1


def test_a_bot_cannot_write_first_and_unknown_chats_are_not_found(sandbox: Sandbox) -> None:
    never = call(sandbox, NOTIFY_BOT.token, "sendMessage", data={"chat_id": "200009999", "text": "hi"})
    assert (never["error_code"], never["description"]) == (
        403,
        "Forbidden: bot can't initiate conversation with a user",
    )
    anna = _person_writes(sandbox, "/start x")
    empty = call(sandbox, NOTIFY_BOT.token, "sendMessage", data={"chat_id": anna["chat_id"], "text": " "})
    assert (empty["error_code"], empty["description"]) == (400, "Bad Request: message text is empty")


async def test_a_long_poll_answers_as_soon_as_a_person_writes(sandbox: Sandbox) -> None:
    async with httpx2.AsyncClient(base_url=sandbox.url, timeout=30) as client:
        poll = asyncio.create_task(
            client.post(f"/telegram/bot{NOTIFY_BOT.token}/getUpdates", data={"timeout": "20"})
        )
        await asyncio.sleep(0.3)
        assert not poll.done()
        written = await client.post("/_sandbox/telegram/messages", json={"text": "/start late"})
        assert written.status_code == 201
        answer = (await asyncio.wait_for(poll, 10)).json()
    assert [u["message"]["text"] for u in answer["result"]] == ["/start late"]
