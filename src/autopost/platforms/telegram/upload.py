"""The one sendVideo call: where the post goes, its multipart body, and the moment it may exist.

sendVideo uploads and posts in one request, so there is no id to save before
the post exists. What can be saved is that the request went out whole: the
body is streamed through `LastPieceHook`, which awaits a checkpoint just
before its final piece leaves, and says whether that piece was handed over.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from autopost.platforms.base import PublishRequest
from autopost.platforms.errors import Permanent
from autopost.platforms.multipart import SmallFile, StreamingMultipart

_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
_LINK = re.compile(r"^(?:https?://)?(?:t\.me|telegram\.me)/(?:s/)?([A-Za-z0-9_]+)/?$")
_CHAT_ID = re.compile(r"^-100\d{1,15}$")


def channel_ref(typed: str) -> str:
    """The channel as the Bot API takes it: "@name" or "-100…" (a t.me link or a bare name also do)."""
    text = typed.strip()
    if _CHAT_ID.match(text):
        return text
    link = _LINK.match(text)
    name = link.group(1) if link else text.removeprefix("@")
    if _USERNAME.match(name):
        return f"@{name}"
    raise Permanent("telegram.chat_not_found", "channel is neither @name nor -100…")


@dataclass(frozen=True)
class Target:
    """The channel posts go to: its numeric id and, for public channels, its @username (no "@")."""

    chat_id: int
    username: str | None

    @classmethod
    def from_chat(cls, chat: Mapping[str, Any]) -> Target:
        username = chat.get("username")
        return cls(int(chat["id"]), str(username) if username else None)

    @classmethod
    def from_meta(cls, meta: Mapping[str, Any]) -> Target | None:
        """What verify() stored on the connection (or a checkpoint saved), if it is there."""
        chat_id = meta.get("chat_id")
        if not isinstance(chat_id, int | str) or not str(chat_id).lstrip("-").isdigit():
            return None
        username = meta.get("channel_username")
        return cls(int(chat_id), str(username) if username else None)

    def post_url(self, message_id: int | str) -> str:
        if self.username:
            return f"https://t.me/{self.username}/{message_id}"
        # t.me/c/ links use the chat id without its -100 prefix.
        return f"https://t.me/c/{str(-self.chat_id).removeprefix('100')}/{message_id}"

    def as_checkpoint(self) -> dict[str, Any]:
        return {"chat_id": self.chat_id, "channel_username": self.username}


def sent_duration(request: PublishRequest) -> int | None:
    """The whole seconds we tell Telegram (it reads nothing from the file itself)."""
    return round(request.clip.duration) if request.clip.duration is not None else None


def video_body(request: PublishRequest, target: Target, caption: str) -> StreamingMultipart:
    clip = request.clip
    fields = {"chat_id": str(target.chat_id), "caption": caption, "supports_streaming": "true"}
    duration = sent_duration(request)
    for name, value in (("duration", duration), ("width", clip.width), ("height", clip.height)):
        if value is not None:
            fields[name] = str(value)
    small_files = {}
    if clip.thumbnail:
        # Telegram drops a thumbnail it does not like (not JPEG, over 320 px or 200 kB) without an error.
        fields["thumbnail"] = "attach://thumbnail"
        small_files["thumbnail"] = SmallFile("thumbnail.jpg", "image/jpeg", clip.thumbnail)
    return StreamingMultipart(
        fields=fields,
        clip_field="video",
        clip=clip,
        small_files=small_files,
        on_progress=request.on_progress,
    )


class LastPieceHook:
    """Streams pieces, awaiting `before_last` just before the final one goes out."""

    def __init__(self, pieces: AsyncIterator[bytes], before_last: Callable[[], Awaitable[None]]) -> None:
        self._pieces = pieces
        self._before_last = before_last
        self.hooked = False
        self.whole = False

    async def stream(self) -> AsyncIterator[bytes]:
        held: bytes | None = None
        async for piece in self._pieces:
            if held is not None:
                yield held
            held = piece
        self.hooked = True
        await self._before_last()
        if held is not None:
            yield held
        # Resumed only once the transport has taken the final piece.
        self.whole = True

    def body_sent(self) -> bool:
        return self.whole
