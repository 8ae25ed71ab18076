"""Cross-check: aiogram 3.31 (Bot API 10.3), a second client we did not write, against the emulator.

aiogram validates every answer against its pydantic models of Bot API 10.3, so an answer the
current API would not give (a field missing that 10.3 requires) fails here. Nothing of aiogram
is changed: only its server base URL points at the sandbox.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from typing import Any

import aiogram
import httpx2
import pydantic
import pytest
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import BufferedInputFile, ChatFullInfo, ChatMemberAdministrator

from autopost_sandbox.telegram.world import NOTIFY_BOT
from tests.conftest import Sandbox

ADMIN = "7000000001:AAHb3vQm2Xk9LpR4tZs8YwNc1DfGj6UeKoA"
VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 256


@pytest.fixture
async def bot(sandbox: Sandbox) -> AsyncIterator[aiogram.Bot]:
    server = TelegramAPIServer.from_base(f"{sandbox.url}/telegram")
    client = aiogram.Bot(ADMIN, session=aiogram.client.session.aiohttp.AiohttpSession(api=server))
    async with client.context():
        yield client


def telegram_posts(sandbox: Sandbox) -> list[dict[str, Any]]:
    with sandbox.control() as control:
        return [p for p in control.get("/state").json()["posts"] if p["platform"] == "telegram"]


def video() -> BufferedInputFile:
    return BufferedInputFile(VIDEO, filename="clip.mp4")


def test_aiogram_models_bot_api_10_3() -> None:
    assert aiogram.__version__ == "3.31.0" and aiogram.__api_version__ == "10.3"


async def test_aiogram_connects_and_sends_a_video_to_the_channel(sandbox: Sandbox, bot: aiogram.Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (7000000001, "clipmaker_demo_bot", True)
    chat = await bot.get_chat("@clipmaker_demo")
    assert isinstance(chat, ChatFullInfo)
    assert (chat.id, chat.type, chat.username) == (-1001000000001, ChatType.CHANNEL, "clipmaker_demo")
    member = await bot.get_chat_member("@clipmaker_demo", me.id)
    assert isinstance(member, ChatMemberAdministrator) and member.status == ChatMemberStatus.ADMINISTRATOR
    assert member.can_post_messages and member.can_send_welcome_messages
    message = await bot.send_video(
        "@clipmaker_demo",
        video(),
        caption="<b>Клип</b> дня",
        parse_mode="HTML",
        duration=12,
        width=1080,
        height=1920,
        supports_streaming=True,
    )
    assert message.message_id == 2 and message.chat.id == -1001000000001
    assert message.sender_chat is not None and message.sender_chat.username == "clipmaker_demo"
    assert message.caption == "Клип дня" and message.caption_entities is not None
    assert message.caption_entities[0].type == "bold"
    assert message.video is not None
    assert (message.video.width, message.video.height, message.video.file_size) == (1080, 1920, len(VIDEO))
    [post] = telegram_posts(sandbox)
    assert post["sha256"] == hashlib.sha256(VIDEO).hexdigest()
    assert post["extra"]["file_id"] == message.video.file_id


async def test_an_administrator_without_the_10_3_field_is_refused_by_aiogram(sandbox: Sandbox) -> None:
    # What the emulator answered before following Bot API 10.3: aiogram would not read it.
    answer = httpx2.post(
        f"{sandbox.url}/telegram/bot{ADMIN}/getChatMember",
        json={"chat_id": "@clipmaker_demo", "user_id": 7000000001},
    ).json()["result"]
    ChatMemberAdministrator.model_validate(answer)
    del answer["can_send_welcome_messages"]
    with pytest.raises(pydantic.ValidationError, match="can_send_welcome_messages"):
        ChatMemberAdministrator.model_validate(answer)


async def test_aiogram_reads_the_overload_429_as_retry_after_60(sandbox: Sandbox, bot: aiogram.Bot) -> None:
    with sandbox.control() as control:
        fault = {"platform": "telegram", "fault": "overloaded", "on": "sendVideo"}
        control.post("/faults", json=fault).raise_for_status()
    with pytest.raises(TelegramRetryAfter) as raised:
        await bot.send_video("@clipmaker_demo", video())
    assert raised.value.retry_after == 60
    assert "Too Many Requests: retry after 60" in raised.value.message
    assert telegram_posts(sandbox) == []
    assert (await bot.send_video("@clipmaker_demo", video())).message_id == 2


async def test_aiogram_classifies_the_emulators_errors(bot: aiogram.Bot) -> None:
    with pytest.raises(TelegramForbiddenError, match="bot is not a member of the channel chat"):
        await bot.send_video("@clipmaker_other", video())
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.get_chat("@nobody_here")


async def test_aiogram_reads_a_start_and_answers_in_private(sandbox: Sandbox) -> None:
    """The notification bot's side: getUpdates (with offset) and sendMessage, through aiogram's models."""
    with sandbox.control() as control:
        person = control.post("/telegram/messages", json={"text": "/start abc", "first_name": "Анна"}).json()
    server = TelegramAPIServer.from_base(f"{sandbox.url}/telegram")
    notify = aiogram.Bot(NOTIFY_BOT.token, session=aiogram.client.session.aiohttp.AiohttpSession(api=server))
    async with notify.context():
        [update] = await notify.get_updates(timeout=1)
        assert update.message is not None and update.message.text == "/start abc"
        assert update.message.chat.type == ChatType.PRIVATE and update.message.chat.id == person["chat_id"]
        assert await notify.get_updates(offset=update.update_id + 1, timeout=0) == []
        sent = await notify.send_message(person["chat_id"], "Готово")
        assert sent.chat.id == person["chat_id"] and sent.text == "Готово"
        with pytest.raises(TelegramForbiddenError):
            await notify.send_message(200009999, "hi")
