"""Cross-check: python-telegram-bot 22.8, a client we did not write, pointed at the emulator."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from fractions import Fraction
from typing import Any

import av
import pytest
import telegram
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter

from tests.conftest import Sandbox

ADMIN = "7000000001:AAHb3vQm2Xk9LpR4tZs8YwNc1DfGj6UeKoA"
REVOKED = "7000000003:AAFx0Qw1Er2Ty3Ui4Op5As6Df7Gh8Jk9LzX"
VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 256
# PTB 22 warns that RetryAfter.retry_after will become a timedelta; seconds() reads either.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


def seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else value


def make_jpeg(width: int, height: int) -> bytes:
    codec = av.CodecContext.create("mjpeg", "w")
    codec.width, codec.height = width, height
    codec.pix_fmt = "yuvj420p"
    codec.time_base = Fraction(1, 25)
    frame = av.VideoFrame(width, height, "yuvj420p")
    return b"".join(bytes(p) for p in [*codec.encode(frame), *codec.encode(None)])


def bot(sandbox: Sandbox, token: str = ADMIN) -> telegram.Bot:
    return telegram.Bot(
        token,
        base_url=f"{sandbox.url}/telegram/bot",
        base_file_url=f"{sandbox.url}/telegram/file/bot",
    )


def telegram_posts(sandbox: Sandbox) -> list[dict[str, Any]]:
    with sandbox.control() as control:
        return [p for p in control.get("/state").json()["posts"] if p["platform"] == "telegram"]


async def test_ptb_connects_and_sends_a_video_with_thumbnail_to_the_channel(sandbox: Sandbox) -> None:
    async with bot(sandbox) as client:
        assert client.username == "clipmaker_demo_bot"
        chat = await client.get_chat("@clipmaker_demo")
        assert chat.type == "channel" and chat.username == "clipmaker_demo"
        member = await client.get_chat_member("@clipmaker_demo", client.id)
        assert member.status == ChatMemberStatus.ADMINISTRATOR
        assert isinstance(member, telegram.ChatMemberAdministrator) and member.can_post_messages
        message = await client.send_video(
            chat_id="@clipmaker_demo",
            video=telegram.InputFile(VIDEO, filename="clip.mp4"),
            thumbnail=make_jpeg(320, 180),
            caption="<b>Клип</b> дня",
            parse_mode=ParseMode.HTML,
            duration=12,
            width=1080,
            height=1920,
            supports_streaming=True,
        )
    assert message.link == "https://t.me/clipmaker_demo/2"
    assert message.sender_chat is not None and message.sender_chat.id == -1001000000001
    assert message.caption == "Клип дня"
    assert message.caption_entities[0].type == telegram.MessageEntity.BOLD
    assert message.video is not None and message.video.thumbnail is not None
    assert (message.video.width, message.video.height, message.video.file_size) == (1080, 1920, len(VIDEO))
    assert (message.video.thumbnail.width, message.video.thumbnail.height) == (320, 180)
    [post] = telegram_posts(sandbox)
    assert post["sha256"] == hashlib.sha256(VIDEO).hexdigest()
    assert post["extra"]["file_id"] == message.video.file_id


async def test_ptb_surfaces_a_429_as_retry_after(sandbox: Sandbox) -> None:
    with sandbox.control() as control:
        fault = {"platform": "telegram", "fault": "rate_limit", "retry_after": 23, "on": "sendVideo"}
        control.post("/faults", json=fault).raise_for_status()
    async with bot(sandbox) as client:
        with pytest.raises(RetryAfter) as raised:
            await client.send_video("@clipmaker_demo", video=telegram.InputFile(VIDEO, filename="clip.mp4"))
    assert seconds(raised.value.retry_after) == 23
    assert telegram_posts(sandbox) == []


async def test_ptb_surfaces_the_real_flood_limit_as_retry_after(sandbox: Sandbox) -> None:
    async with bot(sandbox) as client:
        for _ in range(20):
            await client.send_video("@clipmaker_demo", video=telegram.InputFile(VIDEO, filename="c.mp4"))
        with pytest.raises(RetryAfter) as raised:
            await client.send_video("@clipmaker_demo", video=telegram.InputFile(VIDEO, filename="c.mp4"))
    assert 1 <= seconds(raised.value.retry_after) <= 60


async def test_ptb_classifies_the_emulators_errors(sandbox: Sandbox) -> None:
    with pytest.raises(InvalidToken):
        async with bot(sandbox, REVOKED):
            pass
    async with bot(sandbox) as client:
        with pytest.raises(Forbidden, match="bot is not a member of the channel chat"):
            await client.send_video("@clipmaker_other", video=telegram.InputFile(VIDEO, filename="c.mp4"))
        with pytest.raises(BadRequest, match="Message caption is too long"):
            await client.send_video(
                "@clipmaker_demo", video=telegram.InputFile(VIDEO, filename="c.mp4"), caption="x" * 1025
            )
