"""The Bot API methods the emulator serves: getMe, getChat, getChatMember, sendVideo (and, from
autopost_sandbox.telegram.messaging, a notification bot's getUpdates and sendMessage).

Each method reads only the parameters declared in PARAMETERS (all of them exist
in Bot API 10.3, checked by the contract tests); any other parameter is ignored.
Error texts are the real API's (platforms.md §Telegram, telegram-bot-api sources).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from autopost_sandbox.core import ReceivedPost, SandboxState
from autopost_sandbox.telegram import messaging
from autopost_sandbox.telegram.entities import MAX_CAPTION_LENGTH, parse_caption
from autopost_sandbox.telegram.media import accepted_thumbnail, video_mime_type
from autopost_sandbox.telegram.wire import ApiCall, ApiError, to_bool, to_int
from autopost_sandbox.telegram.world import (
    Bot,
    Channel,
    ChannelMessage,
    Person,
    StoredFile,
    TelegramWorld,
    opaque_id,
)
from autopost_sandbox.uploads import ReceivedFile

PARAMETERS: dict[str, tuple[str, ...]] = {
    "getMe": (),
    "getChat": ("chat_id",),
    "getChatMember": ("chat_id", "user_id"),
    "sendVideo": (
        "chat_id", "video", "duration", "width", "height", "thumbnail", "caption", "parse_mode",
        "caption_entities", "show_caption_above_media", "has_spoiler", "supports_streaming",
        "disable_notification", "protect_content",
    ),
    **messaging.PARAMETERS,
}  # fmt: skip
RETURNS = {
    "getMe": "User",
    "getChat": "ChatFullInfo",
    "getChatMember": "ChatMember",
    "sendVideo": "Message",
    **messaging.RETURNS,
}

NOT_MEMBER = ApiError(403, "Forbidden: bot is not a member of the channel chat")


@dataclass
class Call:
    """One authorised call: who makes it, with which parameters."""

    state: SandboxState
    world: TelegramWorld
    bot: Bot
    method: str
    api: ApiCall

    def arg(self, name: str) -> str:
        if name not in PARAMETERS[self.method]:
            raise KeyError(f"{self.method} does not declare parameter {name}")
        return self.api.args.get(name, "")

    def file(self, name: str) -> ReceivedFile | None:
        """A file part sent under `name` itself or referenced as attach://<part name>."""
        value = self.arg(name)
        if value.startswith("attach://"):
            return self.api.files.get(value.removeprefix("attach://"))
        return self.api.files.get(name)


def user_json(user: Bot | Person) -> dict[str, Any]:
    body: dict[str, Any] = {"id": user.id, "is_bot": isinstance(user, Bot), "first_name": user.first_name}
    body["username"] = user.username
    return body


def chat_json(channel: Channel) -> dict[str, Any]:
    body: dict[str, Any] = {"id": channel.id, "title": channel.title, "type": "channel"}
    if channel.username:
        body["username"] = channel.username
    return body


def get_me(call: Call) -> dict[str, Any]:
    return user_json(call.bot) | {
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
        "has_topics_enabled": False,
    }


def visible_channel(call: Call) -> Channel:
    """Resolve chat_id; a private channel the bot is not in is as unknown as a missing one."""
    raw = call.arg("chat_id").strip()
    if not raw:
        raise ApiError.bad_request("chat_id is empty")
    channel: Channel | None
    if raw.startswith("@"):
        channel = call.world.channel_by_username(raw[1:])
    else:
        chat_id = to_int(raw)
        channel = call.world.channels.get(chat_id) if chat_id else None
    if channel is None or (channel.username is None and call.bot.id not in channel.members):
        raise ApiError.bad_request("chat not found")
    return channel


def get_chat(call: Call) -> dict[str, Any]:
    channel = visible_channel(call)
    body = chat_json(channel) | {
        "accent_color_id": channel.id % 7,
        "max_reaction_count": 11,
        "description": channel.description,
        "accepted_gift_types": dict.fromkeys(
            (
                "unlimited_gifts",
                "limited_gifts",
                "unique_gifts",
                "premium_subscription",
                "gifts_from_channels",
            ),
            False,
        ),
    }
    if channel.members.get(call.bot.id) == "administrator":
        body["invite_link"] = "https://t.me/+" + opaque_id("", f"invite:{channel.id}", 16)
    return body


def _member_json(channel: Channel, user: Bot | Person) -> dict[str, Any]:
    status = channel.members.get(user.id)
    if status == "creator":
        return {"status": "creator", "user": user_json(user), "is_anonymous": False}
    if status == "member":
        return {"status": "member", "user": user_json(user)}
    if status is None:
        return {"status": "left", "user": user_json(user)}
    rights = (
        "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
        "can_change_info", "can_invite_users", "can_post_stories", "can_edit_stories",
        "can_delete_stories", "can_post_messages", "can_edit_messages",
        # Required since Bot API 10.3; aiogram 3.31 refuses an administrator without it.
        "can_send_welcome_messages",
    )  # fmt: skip
    return {
        "status": "administrator",
        "user": user_json(user),
        "can_be_edited": False,
        "is_anonymous": False,
        "can_promote_members": False,
        **dict.fromkeys(rights, True),
    }


def get_chat_member(call: Call) -> dict[str, Any]:
    user_id = to_int(call.arg("user_id"))
    if user_id <= 0:
        raise ApiError.bad_request("invalid user_id specified")
    channel = visible_channel(call)
    user = call.world.user(user_id)
    if user is None:
        raise ApiError.bad_request("user not found")
    if user_id != call.bot.id:
        # A bot sees its own membership; other members of a channel only as an administrator.
        own = channel.members.get(call.bot.id)
        if own is None:
            raise NOT_MEMBER
        if own == "member":
            raise ApiError.bad_request("member list is inaccessible")
    return _member_json(channel, user)


def _video_argument(call: Call) -> ReceivedFile | str:
    """The video the call names; only its presence is checked before the chat is."""
    uploaded = call.file("video")
    if uploaded is not None:
        return uploaded
    value = call.arg("video").strip()
    if not value or value.startswith("attach://"):
        raise ApiError.bad_request("there is no video in the request")
    return value


def _resolve_video(call: Call, video: ReceivedFile | str) -> ReceivedFile | StoredFile:
    if isinstance(video, ReceivedFile):
        if video.size == 0:
            raise ApiError.bad_request("file must be non-empty")
        return video
    if video.startswith(("http://", "https://")):
        # The sandbox cannot fetch URLs the way Telegram does; providers upload the bytes.
        raise ApiError.bad_request("failed to get HTTP URL content")
    stored = call.world.file(call.bot.id, video)
    if stored is None:
        raise ApiError.bad_request("wrong file identifier/HTTP URL specified")
    return stored


def _require_poster(call: Call, channel: Channel) -> None:
    status = channel.members.get(call.bot.id)
    if status is None:
        raise NOT_MEMBER
    if status == "member":
        raise ApiError.bad_request("need administrator rights in the channel chat")


def _store_upload(call: Call, part: ReceivedFile) -> StoredFile:
    stored = call.world.add_file(call.bot.id, part.size, part.sha256, part.filename, video_mime_type(part))
    attributes: dict[str, Any] = {
        "duration": max(0, to_int(call.arg("duration"))),
        "width": max(0, to_int(call.arg("width"))),
        "height": max(0, to_int(call.arg("height"))),
    }
    thumbnail = accepted_thumbnail(call.file("thumbnail"))
    if thumbnail is not None:
        file_id, unique_id = call.world.thumbnail_ids(call.bot.id)
        attributes["thumbnail"] = {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "file_size": thumbnail.size,
            "width": thumbnail.width,
            "height": thumbnail.height,
        }
    stored.attributes = attributes
    return stored


def video_json(stored: StoredFile) -> dict[str, Any]:
    body = dict(stored.attributes)
    if stored.file_name:
        body["file_name"] = stored.file_name
    return body | {
        "mime_type": stored.mime_type,
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
    }


def _check_flood(call: Call, channel: Channel) -> None:
    if not call.state.config.enforce_rate_limits:
        return
    over = call.world.flood.units_over(call.bot.id, channel.id, call.state.clock.now())
    for unit in over:
        call.state.violations.record("telegram", unit)
    if over:
        raise ApiError.too_many_requests(max(over.values()))


def send_video(call: Call) -> dict[str, Any]:
    # Bot API server checks first, then Telegram's: chat, rights, content, flood.
    video = _video_argument(call)
    caption = parse_caption(call.arg("caption"), call.arg("parse_mode"), call.arg("caption_entities"))
    channel = visible_channel(call)
    _require_poster(call, channel)
    if len(caption.text) > MAX_CAPTION_LENGTH:
        raise ApiError.bad_request("message caption is too long")
    source = _resolve_video(call, video)
    _check_flood(call, channel)
    stored = _store_upload(call, source) if isinstance(source, ReceivedFile) else source
    message = call.world.post(
        channel, caption=caption.text, caption_entities=caption.entities, video=video_json(stored)
    )
    call.world.flood.record(call.bot.id, channel.id, call.state.clock.now())
    _record(call, channel, message, stored, reused=not isinstance(source, ReceivedFile))
    return message_json(channel, message) | _message_flags(call)


def _message_flags(call: Call) -> dict[str, Any]:
    flags = {
        "has_protected_content": to_bool(call.arg("protect_content")),
        "has_media_spoiler": to_bool(call.arg("has_spoiler")),
        "show_caption_above_media": to_bool(call.arg("show_caption_above_media")),
    }
    return {name: True for name, value in flags.items() if value}


def message_json(channel: Channel, message: ChannelMessage) -> dict[str, Any]:
    chat = chat_json(channel)
    body: dict[str, Any] = {
        "message_id": message.message_id,
        "sender_chat": chat,
        "chat": chat,
        "date": message.date,
    }
    if message.video is not None:
        body["video"] = message.video
    if message.caption:
        body["caption"] = message.caption
    if message.caption_entities:
        body["caption_entities"] = message.caption_entities
    return body


def _record(call: Call, channel: Channel, message: ChannelMessage, stored: StoredFile, reused: bool) -> None:
    attributes = stored.attributes
    call.state.record_post(
        ReceivedPost(
            platform="telegram",
            owner=f"@{channel.username}" if channel.username else str(channel.id),
            remote_id=str(message.message_id),
            title="",
            caption=message.caption,
            bytes=stored.size,
            sha256=stored.sha256,
            url=channel.post_url(message.message_id),
            extra={
                "chat_id": channel.id,
                "bot_id": call.bot.id,
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "reused_file_id": reused,
                "mime_type": stored.mime_type,
                "thumbnail": attributes.get("thumbnail"),
                "thumbnail_sent": not reused and call.file("thumbnail") is not None,
                "duration": attributes["duration"],
                "width": attributes["width"],
                "height": attributes["height"],
                "supports_streaming": to_bool(call.arg("supports_streaming")),
                "caption_entities": message.caption_entities,
            },
        )
    )


MethodHandler = Callable[[Call], Any]
METHODS: dict[str, MethodHandler] = {
    "getMe": get_me,
    "getChat": get_chat,
    "getChatMember": get_chat_member,
    "sendVideo": send_video,
    "getUpdates": messaging.get_updates,
    "sendMessage": messaging.send_message,
}
# Bot API method names are case-insensitive (https://core.telegram.org/bots/api#making-requests).
CANONICAL = {name.lower(): name for name in METHODS}
