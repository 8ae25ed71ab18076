"""The Telegram world both emulators share: bots, channels, stored files and channel messages.

Seeded on construction and on reset(): one bot that administers a public and a
private channel, one bot that is only a member of the public channel, a public
channel no demo bot belongs to, and a well-formed token Telegram never issued.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
from dataclasses import dataclass, field
from typing import Any, Literal

from autopost_sandbox.core import Clock
from autopost_sandbox.http import DemoAccount
from autopost_sandbox.telegram.chats import PrivateChats
from autopost_sandbox.telegram.flood import FloodControl

MemberStatus = Literal["creator", "administrator", "member"]

# A week before the sandbox starts: the channels exist before any clip is posted.
CHANNEL_AGE_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class Bot:
    id: int
    token: str
    first_name: str
    username: str


@dataclass(frozen=True)
class Person:
    """A human account (the channels' owner): getChatMember can be asked about it."""

    id: int
    first_name: str
    username: str


@dataclass
class Channel:
    id: int
    title: str
    username: str | None
    description: str
    subscribers: int
    members: dict[int, MemberStatus]
    created_at: float = 0.0

    @property
    def internal_id(self) -> str:
        """The id t.me/c/ links use: the chat id without its -100 prefix."""
        return str(-self.id)[3:]

    def post_url(self, message_id: int) -> str:
        if self.username:
            return f"https://t.me/{self.username}/{message_id}"
        return f"https://t.me/c/{self.internal_id}/{message_id}"


@dataclass
class StoredFile:
    """A file a bot uploaded; its file_id only works for that bot, as on Telegram."""

    file_id: str
    file_unique_id: str
    bot_id: int
    size: int
    sha256: str
    file_name: str
    mime_type: str
    # width, height, duration and thumbnail as first sent: a resend by file_id shows them again.
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class ChannelMessage:
    channel_id: int
    message_id: int
    date: int
    caption: str = ""
    caption_entities: list[dict[str, Any]] = field(default_factory=list)
    video: dict[str, Any] | None = None
    service_text: str | None = None


DEMO_OWNER = Person(id=100000001, first_name="Demo Owner", username="clipmaker_owner")
ADMIN_BOT = Bot(
    id=7000000001,
    token="7000000001:AAHb3vQm2Xk9LpR4tZs8YwNc1DfGj6UeKoA",
    first_name="КлипМейкер Демо",
    username="clipmaker_demo_bot",
)
MEMBER_BOT = Bot(
    id=7000000002,
    token="7000000002:AAEr5TnW7yHq0ZcV3bMx6KsLd2PfJ8GiUoN",
    first_name="КлипМейкер Подписчик",
    username="clipmaker_member_bot",
)
# The operator's notification bot: people link it with /start <code> and get messages in private.
NOTIFY_BOT = Bot(
    id=7000000004,
    token="7000000004:AAGn4oTf8RwQ2XcY6vMz1LsKd9PhJ3EiUbT",
    first_name="Автопостинг: уведомления",
    username="autopost_notify_bot",
)
# Well-formed (<bot_id>:<35 chars>) but never issued: every call answers 401 Unauthorized.
INVALID_TOKEN = "7000000003:AAFx0Qw1Er2Ty3Ui4Op5As6Df7Gh8Jk9LzX"

# Seeded tenants' bot ids (process-wide, so two sandboxes in one process never share one).
_NEXT_TENANT = itertools.count(7100000001)

PUBLIC_CHANNEL_ID = -1001000000001
PRIVATE_CHANNEL_ID = -1001000000002
FOREIGN_CHANNEL_ID = -1001000000003


def _seed_channels() -> list[Channel]:
    return [
        Channel(
            id=PUBLIC_CHANNEL_ID,
            title="КлипМейкер — демо",
            username="clipmaker_demo",
            description="Demo channel of the autopost sandbox",
            subscribers=1530,
            members={DEMO_OWNER.id: "creator", ADMIN_BOT.id: "administrator", MEMBER_BOT.id: "member"},
        ),
        Channel(
            id=PRIVATE_CHANNEL_ID,
            title="КлипМейкер — закрытый",
            username=None,
            description="Private demo channel (no public username)",
            subscribers=42,
            members={DEMO_OWNER.id: "creator", ADMIN_BOT.id: "administrator"},
        ),
        Channel(
            id=FOREIGN_CHANNEL_ID,
            title="Чужой канал",
            username="clipmaker_other",
            description="A public channel no demo bot belongs to",
            subscribers=98765,
            members={DEMO_OWNER.id: "creator"},
        ),
    ]


def opaque_id(prefix: str, seed: str, length: int) -> str:
    digest = hashlib.sha512(seed.encode()).digest()
    return prefix + base64.urlsafe_b64encode(digest).decode().rstrip("=")[:length]


class TelegramWorld:
    """Everything the Bot API and t.me emulators agree on; all times come from the sandbox clock."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.private = PrivateChats(clock)
        self.reset()

    def reset(self) -> None:
        self.bots = {b.token: b for b in (ADMIN_BOT, MEMBER_BOT, NOTIFY_BOT)}
        self.seeded: list[DemoAccount] = []
        self.channels = {c.id: c for c in _seed_channels()}
        self.files: dict[tuple[int, str], StoredFile] = {}
        self.messages: dict[int, list[ChannelMessage]] = {}
        self.flood = FloodControl()
        self.private.reset()
        self._file_seq = itertools.count(1)
        created = int(self.clock.now()) - CHANNEL_AGE_SECONDS
        for channel in self.channels.values():
            channel.created_at = created
            # Message 1 of every channel is the "Channel created" service message, so posts start at 2.
            service = ChannelMessage(channel.id, 1, created, service_text="Channel created")
            self.messages[channel.id] = [service]

    def seed_tenants(self, count: int, public_url: str) -> list[DemoAccount]:
        """Bots, each the admin (may post) of a public channel of its own; they live until reset."""
        made = []
        for _ in range(count):
            number = next(_NEXT_TENANT)
            bot = Bot(
                number,
                f"{number}:AA{opaque_id('', f'seeded-bot:{number}', 33)}",
                "Клиент",
                f"tenant{number}_bot",
            )
            channel = Channel(
                id=-1002000000000 - number,
                title=f"Канал клиента {number}",
                username=f"tenant_channel{number}",
                description="Seeded channel of the autopost sandbox",
                subscribers=100,
                members={DEMO_OWNER.id: "creator", bot.id: "administrator"},
                created_at=int(self.clock.now()) - CHANNEL_AGE_SECONDS,
            )
            self.bots[bot.token] = bot
            self.channels[channel.id] = channel
            self.messages[channel.id] = [
                ChannelMessage(channel.id, 1, int(channel.created_at), service_text="Channel created")
            ]
            made.append(
                DemoAccount(
                    "telegram",
                    f"Seeded bot @{bot.username}, admin of @{channel.username} with can_post_messages",
                    {
                        "api_base_url": f"{public_url}/telegram",
                        "bot_token": bot.token,
                        "bot_username": bot.username,
                        "channel": f"@{channel.username}",
                        "channel_id": str(channel.id),
                    },
                )
            )
        self.seeded.extend(made)
        return made

    def bot_by_token(self, token: str) -> Bot | None:
        return self.bots.get(token)

    def user(self, user_id: int) -> Bot | Person | None:
        candidates: list[Bot | Person] = [DEMO_OWNER, *self.bots.values()]
        for candidate in candidates:
            if candidate.id == user_id:
                return candidate
        return None

    def bot_by_username(self, username: str) -> Bot | None:
        wanted = username.lower().lstrip("@")
        return next((b for b in self.bots.values() if b.username.lower() == wanted), None)

    def channel_by_username(self, username: str) -> Channel | None:
        wanted = username.lower()
        for channel in self.channels.values():
            if channel.username is not None and channel.username.lower() == wanted:
                return channel
        return None

    def add_file(self, bot_id: int, size: int, sha256: str, file_name: str, mime_type: str) -> StoredFile:
        seq = next(self._file_seq)
        stored = StoredFile(
            file_id=opaque_id("BAACAgIAAxkDAAI", f"video:{bot_id}:{seq}", 56),
            file_unique_id=opaque_id("AgAD", f"unique:{seq}", 12),
            bot_id=bot_id,
            size=size,
            sha256=sha256,
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[(bot_id, stored.file_id)] = stored
        return stored

    def thumbnail_ids(self, bot_id: int) -> tuple[str, str]:
        seq = next(self._file_seq)
        return (
            opaque_id("AAMCAgADGQMAAg", f"thumb:{bot_id}:{seq}", 56),
            opaque_id("AQAD", f"thumb-unique:{seq}", 12),
        )

    def file(self, bot_id: int, file_id: str) -> StoredFile | None:
        return self.files.get((bot_id, file_id))

    def post(self, channel: Channel, **content: Any) -> ChannelMessage:
        history = self.messages[channel.id]
        message = ChannelMessage(
            channel_id=channel.id,
            message_id=history[-1].message_id + 1,
            date=int(self.clock.now()),
            **content,
        )
        history.append(message)
        return message

    def history(self, channel_id: int) -> list[ChannelMessage]:
        return list(self.messages.get(channel_id, []))

    def demo_accounts(self, public_url: str) -> list[DemoAccount]:
        api = f"{public_url}/telegram"
        return [
            DemoAccount(
                "telegram",
                "Bot administering @clipmaker_demo (public) and a private channel, with can_post_messages",
                {
                    "api_base_url": api,
                    "bot_token": ADMIN_BOT.token,
                    "bot_username": ADMIN_BOT.username,
                    "channel": "@clipmaker_demo",
                    "private_channel_id": str(PRIVATE_CHANNEL_ID),
                },
            ),
            DemoAccount(
                "telegram",
                "Bot that is only a member of @clipmaker_demo: sendVideo answers 400 (needs admin rights)",
                {"api_base_url": api, "bot_token": MEMBER_BOT.token, "channel": "@clipmaker_demo"},
            ),
            DemoAccount(
                "telegram",
                "Public channel no demo bot belongs to: sendVideo answers 403 bot is not a member",
                {"api_base_url": api, "bot_token": ADMIN_BOT.token, "channel": "@clipmaker_other"},
            ),
            DemoAccount(
                "telegram",
                "Invalid (revoked) token, well-formed: every call answers 401 Unauthorized",
                {"api_base_url": api, "bot_token": INVALID_TOKEN, "channel": "@clipmaker_demo"},
            ),
            *self.seeded,
        ]
