"""Private chats between people and bots: what a notification bot needs (getUpdates, sendMessage).

A person writes to a bot (the control API plays the person: `/start <code>` after
opening a t.me deep link); the bot reads it with getUpdates and answers with
sendMessage. Offsets follow the Bot API: an update is confirmed, and forgotten,
once getUpdates is called with an offset above its update_id; a negative offset
reads the last -offset updates and forgets the rest.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any

from autopost_sandbox.core import Clock

# Ids of the people the control API makes; far from the seeded bots and the channel owner.
FIRST_PERSON_ID = 200000001
MAX_UPDATES_PER_CALL = 100
# getUpdates' long poll is capped like Telegram's (it answers well before a minute).
MAX_POLL_SECONDS = 50


@dataclass(frozen=True)
class ChatPerson:
    id: int
    first_name: str
    username: str | None = None


@dataclass
class PrivateMessage:
    message_id: int
    date: int
    text: str
    # Who wrote it: the person (an incoming message) or the bot (an answer).
    from_bot: bool
    entities: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class PrivateChat:
    """One person's chat with one bot; the chat id is the person's id, as on Telegram."""

    bot_id: int
    person: ChatPerson
    messages: list[PrivateMessage] = field(default_factory=list)

    def add(self, message: PrivateMessage) -> PrivateMessage:
        self.messages.append(message)
        return message

    def next_message_id(self) -> int:
        return self.messages[-1].message_id + 1 if self.messages else 1


@dataclass
class BotInbox:
    """A bot's pending updates, oldest first, and a wake-up for long polls."""

    updates: list[dict[str, Any]] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)


def _command_entities(text: str) -> list[dict[str, Any]]:
    if not text.startswith("/"):
        return []
    command = text.split(maxsplit=1)[0]
    return [{"type": "bot_command", "offset": 0, "length": len(command)}]


class PrivateChats:
    """Every private chat of the sandbox and every bot's update queue."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.reset()

    def reset(self) -> None:
        self.chats: dict[tuple[int, int], PrivateChat] = {}
        self.inboxes: dict[int, BotInbox] = {}
        self._people = itertools.count(FIRST_PERSON_ID)
        self._update_ids = itertools.count(1)

    def new_person(self, first_name: str, username: str | None = None) -> ChatPerson:
        return ChatPerson(id=next(self._people), first_name=first_name, username=username)

    def chat(self, bot_id: int, chat_id: int) -> PrivateChat | None:
        return self.chats.get((bot_id, chat_id))

    def _inbox(self, bot_id: int) -> BotInbox:
        return self.inboxes.setdefault(bot_id, BotInbox())

    def person_writes(self, bot_id: int, person: ChatPerson, text: str) -> tuple[PrivateChat, dict[str, Any]]:
        """The person sends `text` to the bot: the chat starts if it had not, and the bot gets an update."""
        chat = self.chats.setdefault((bot_id, person.id), PrivateChat(bot_id, person))
        message = chat.add(
            PrivateMessage(
                message_id=chat.next_message_id(),
                date=int(self.clock.now()),
                text=text,
                from_bot=False,
                entities=_command_entities(text),
            )
        )
        update = {"update_id": next(self._update_ids), "message": incoming_json(chat, message)}
        inbox = self._inbox(bot_id)
        inbox.updates.append(update)
        inbox.arrived.set()
        return chat, update

    def bot_writes(self, chat: PrivateChat, text: str, entities: list[dict[str, Any]]) -> PrivateMessage:
        message = PrivateMessage(
            message_id=chat.next_message_id(),
            date=int(self.clock.now()),
            text=text,
            from_bot=True,
            entities=entities,
        )
        return chat.add(message)

    def confirm(self, bot_id: int, offset: int) -> None:
        """Forget what getUpdates with this offset confirms (Bot API: getUpdates, `offset`)."""
        inbox = self._inbox(bot_id)
        if offset > 0:
            inbox.updates = [u for u in inbox.updates if u["update_id"] >= offset]
        elif offset < 0:
            inbox.updates = inbox.updates[offset:]

    def pending(self, bot_id: int, limit: int) -> list[dict[str, Any]]:
        return list(self._inbox(bot_id).updates[:limit])

    async def wait_for_updates(
        self, bot_id: int, offset: int, limit: int, wait_seconds: float
    ) -> list[dict[str, Any]]:
        """Confirm by `offset`, then answer what is pending, waiting up to `wait_seconds` for something."""
        self.confirm(bot_id, offset)
        inbox = self._inbox(bot_id)
        if not inbox.updates and wait_seconds > 0:
            inbox.arrived.clear()
            try:
                await asyncio.wait_for(inbox.arrived.wait(), timeout=min(wait_seconds, MAX_POLL_SECONDS))
            except TimeoutError:
                return []
        return self.pending(bot_id, limit)


def person_json(person: ChatPerson) -> dict[str, Any]:
    body: dict[str, Any] = {"id": person.id, "is_bot": False, "first_name": person.first_name}
    if person.username:
        body["username"] = person.username
    return body


def private_chat_json(person: ChatPerson) -> dict[str, Any]:
    body: dict[str, Any] = {"id": person.id, "type": "private", "first_name": person.first_name}
    if person.username:
        body["username"] = person.username
    return body


def incoming_json(chat: PrivateChat, message: PrivateMessage) -> dict[str, Any]:
    body: dict[str, Any] = {
        "message_id": message.message_id,
        "from": person_json(chat.person),
        "chat": private_chat_json(chat.person),
        "date": message.date,
        "text": message.text,
    }
    if message.entities:
        body["entities"] = message.entities
    return body
