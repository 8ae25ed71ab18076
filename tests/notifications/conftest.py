"""Notification worlds: a stack whose mail goes to the real local SMTP server, with quick retries."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx2
import pytest
from sqlalchemy import select

from autopost.alerts.dispatch import dispatch_alerts
from autopost.connections.models import Connection
from autopost.connections.usecases import check_connection
from autopost.db import transaction
from autopost.notifications.linking import new_link_code
from autopost.notifications.models import NotificationDelivery
from autopost.platforms.catalog import Platform
from autopost.users.models import User
from autopost.worker import ALERT_PLANNERS
from autopost.workspaces.models import Membership, Role
from autopost_sandbox.mailbox import MailServer
from autopost_sandbox.telegram.world import NOTIFY_BOT
from tests.support.stack import Stack, StackFactory

T = TypeVar("T")

# Quick retries and polls, and the sandbox's bot as the operator's notification bot.
QUICK_NOTIFY = {
    "retry_base_seconds": 0.2,
    "telegram_poll_seconds": 1,
    "attempts": 6,
    "telegram_bot_token": NOTIFY_BOT.token,
}


async def eventually(probe: Callable[[], Awaitable[T]], timeout: float = 30) -> T:
    """The first truthy answer of `probe`, asked every 50 ms (fails after `timeout` s)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        answer = await probe()
        if answer:
            return answer
        assert asyncio.get_running_loop().time() < deadline, "never happened"
        await asyncio.sleep(0.05)


@pytest.fixture
async def notify_stack(stack_factory: StackFactory, mail_server: MailServer) -> Stack:
    """A stack mailing to the test SMTP server; earlier tests' alerts on this database are drained."""
    stack = await stack_factory(retry_delays_seconds=[0.1], smtp_url=mail_server.url, notify=QUICK_NOTIFY)
    await drain_alerts(stack)
    return stack


async def drain_alerts(stack: Stack) -> None:
    async def nothing(*_: Any) -> list[Any]:
        return []

    while await dispatch_alerts(stack.runtime, [nothing]):
        pass


async def dispatch(stack: Stack) -> int:
    return await dispatch_alerts(stack.runtime, ALERT_PLANNERS)


async def add_member(stack: Stack, role: Role, locale: str = "ru") -> User:
    """Another user, a member of the stack user's workspace with `role`, reading in `locale`."""
    user = await stack.world.new_user()
    async with transaction(stack.runtime.session_factory) as session:
        found = await session.get_one(User, user.id)
        found.locale = locale
        session.add(Membership(workspace_id=stack.user.id, user_id=user.id, role=role))
    return found


async def break_connection(stack: Stack, platform: Platform = Platform.TELEGRAM) -> Connection:
    """A connection the platform stopped accepting, found by a check: one needs_reconnect alert."""
    connection = await stack.connect(platform)
    await stack.fault(Platform.TELEGRAM, "token_expired", on="getMe", count=1)
    async with transaction(stack.runtime.session_factory) as session:
        await check_connection(session, stack.runtime, await session.get_one(Connection, connection.id))
    return connection


async def deliveries(stack: Stack, user_id: uuid.UUID) -> list[NotificationDelivery]:
    async with stack.runtime.session_factory() as session:
        rows = await session.scalars(
            select(NotificationDelivery)
            .where(NotificationDelivery.user_id == user_id)
            .order_by(NotificationDelivery.created_at)
        )
        return list(rows)


async def link_telegram(stack: Stack, user: User) -> int:
    """Link the user's Telegram the way a person does: the deep link's code sent as /start <code>."""
    async with transaction(stack.runtime.session_factory) as session:
        code = await new_link_code(session, stack.settings, await session.get_one(User, user.id))
    async with httpx2.AsyncClient(base_url=f"{stack.sandbox.url}/_sandbox", timeout=10) as control:
        written = await control.post("/telegram/messages", json={"text": f"/start {code}"})
    written.raise_for_status()
    chat_id: int = written.json()["chat_id"]
    return chat_id


async def chat_messages(stack: Stack, chat_id: int) -> list[str]:
    """What the notification bot wrote to the chat, in order."""
    async with httpx2.AsyncClient(base_url=f"{stack.sandbox.url}/_sandbox", timeout=10) as control:
        answer = await control.get(f"/telegram/chats/{chat_id}")
    answer.raise_for_status()
    return [m["text"] for m in answer.json()["messages"] if m["from_bot"]]
