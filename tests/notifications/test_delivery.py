"""Members hear of what they must act on: one mail per happening in their language, Telegram once
linked, their channel choices respected, an SMTP outage outlived."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from autopost.alerts.announce import announce
from autopost.alerts.models import AlertKind
from autopost.connections.maintenance import announce_expiring_connections
from autopost.connections.models import SESSION_ENDS_AT, Connection
from autopost.db import transaction, utcnow
from autopost.notifications.linking import redeem
from autopost.notifications.models import NotificationDelivery, TelegramLink
from autopost.notifications.tasks import poll_telegram, sweep_notifications
from autopost.notifications.usecases import save_preferences
from autopost.platforms.catalog import Platform
from autopost.publications.models import PublicationStatus
from autopost.workspaces.access import resolve_member
from autopost.workspaces.models import Role
from autopost_sandbox.mailbox import Mailbox, MailServer, Received
from autopost_testing.servers import free_port
from tests.notifications.conftest import (
    QUICK_NOTIFY,
    add_member,
    break_connection,
    chat_messages,
    deliveries,
    dispatch,
    drain_alerts,
    eventually,
    link_telegram,
)
from tests.support.stack import Stack, StackFactory


async def test_a_failure_after_retries_is_one_mail_with_its_reason_and_link(
    notify_stack: Stack, mailbox: Mailbox
) -> None:
    stack = notify_stack
    vk = await stack.connect(Platform.VK)
    await stack.fault(Platform.VK, "server_error", on="video.save", count=2)
    await stack.start_worker()  # periodic passes on: dispatch, delivery sweeper
    [failed_id] = await stack.publish(vk)
    assert (await stack.wait_for(failed_id)).status is PublicationStatus.FAILED
    assert len(await stack.event_kinds(failed_id)) > 3  # retried before it failed

    [mail] = await eventually(lambda: _mails(mailbox, stack.user.email))
    assert mail.subject == "Публикация не вышла: «Цветокоррекция за 60 секунд» в VK"
    assert "Причина: VK не отвечает: попытки закончились (2)" in mail.text
    link = f"{stack.settings.public_url}/publications?tab=history#row-{failed_id}"
    assert link in mail.text
    assert mail.html is not None and f'href="{link}"' in mail.html

    # Another dispatch pass and sweep plan nothing more for this member: one row, sent, so no
    # sweep can queue it again. (Their counts are the whole database's, other tests' rows too.)
    await dispatch(stack)
    [delivery] = await eventually(lambda: _sent(stack))
    await sweep_notifications(stack.runtime)
    assert (delivery.channel, delivery.attempts, delivery.sent_at is not None) == ("email", 1, True)
    assert [row.id for row in await deliveries(stack, stack.user.id)] == [delivery.id]
    assert len(mailbox.mails(stack.user.email)) == 1


async def _mails(mailbox: Mailbox, to: str) -> list[Received]:
    return mailbox.mails(to)


async def test_each_member_reads_it_in_their_language_and_viewers_hear_nothing(
    notify_stack: Stack, mailbox: Mailbox
) -> None:
    stack = notify_stack
    editor = await add_member(stack, Role.EDITOR, locale="en")
    viewer = await add_member(stack, Role.VIEWER)
    bot = await break_connection(stack)
    assert await dispatch(stack) >= 1
    await stack.start_worker(periodic=False)

    [russian] = await eventually(lambda: _mails(mailbox, stack.user.email))
    [english] = await eventually(lambda: _mails(mailbox, editor.email))
    assert russian.subject.startswith("Переподключите Telegram: «")
    assert english.subject.startswith("Reconnect Telegram: «")
    link = f"{stack.settings.public_url}/settings/platforms#connection-{bot.id}"
    assert link in russian.text and link in english.text
    assert "Reason:" in english.text and "Причина:" in russian.text
    assert mailbox.mails(viewer.email) == []


async def test_telegram_after_start_linking_and_mail_switched_off(
    notify_stack: Stack, mailbox: Mailbox
) -> None:
    stack = notify_stack
    chat_id = await link_telegram(stack, stack.user)
    assert await poll_telegram(stack.runtime) == 1
    assert await chat_messages(stack, chat_id) == ["Уведомления автопостинга будут приходить в этот чат."]
    async with transaction(stack.runtime.session_factory) as session:
        member = await resolve_member(session, await session.merge(stack.user), None)
        await save_preferences(session, member, email=False, telegram=True)

    bot = await break_connection(stack)
    await dispatch(stack)
    await stack.start_worker(periodic=False)
    messages = await eventually(lambda: _bot_messages(stack, chat_id, 2))
    notice = messages[-1]
    assert notice.startswith("Переподключите Telegram: «")
    assert f"{stack.settings.public_url}/settings/platforms#connection-{bot.id}" in notice
    assert "Причина:" in notice
    [delivery] = await eventually(lambda: _sent(stack))
    assert delivery.channel == "telegram"
    assert mailbox.mails(stack.user.email) == []


async def _sent(stack: Stack) -> list[NotificationDelivery]:
    rows = await deliveries(stack, stack.user.id)
    return rows if rows and all(row.sent_at is not None for row in rows) else []


async def _bot_messages(stack: Stack, chat_id: int, count: int) -> list[str] | None:
    messages = await chat_messages(stack, chat_id)
    return messages if len(messages) >= count else None


async def test_a_code_works_once(notify_stack: Stack) -> None:
    stack = notify_stack
    await link_telegram(stack, stack.user)
    assert await poll_telegram(stack.runtime) == 1
    other = await stack.world.new_user()
    await link_telegram(stack, other)
    async with transaction(stack.runtime.session_factory) as session:
        assert await redeem(session, "not-a-code", "1") is None
    assert await poll_telegram(stack.runtime) == 1


async def test_one_happening_announced_twice_and_dispatched_twice_is_one_mail(
    notify_stack: Stack, mailbox: Mailbox
) -> None:
    stack = notify_stack
    bot = await stack.connect(Platform.TELEGRAM)
    for _ in range(2):
        async with transaction(stack.runtime.session_factory) as session:
            announce(
                session,
                stack.user.id,
                AlertKind.CONNECTION_NEEDS_RECONNECT,
                subject_id=bot.id,
                dedup_key=f"{bot.id}:once",
                connection_id=str(bot.id),
                platform="telegram",
                code="telegram.token_revoked",
                params={},
            )
        assert await dispatch(stack) == 1
    assert await dispatch(stack) == 0
    await stack.start_worker(periodic=False)
    await eventually(lambda: _mails(mailbox, stack.user.email))
    assert len(await eventually(lambda: _sent(stack))) == 1
    assert await sweep_notifications(stack.runtime) == 0
    assert len(mailbox.mails(stack.user.email)) == 1


async def test_smtp_down_is_retried_then_delivered(stack_factory: StackFactory) -> None:
    port = free_port()  # nothing listens there yet
    stack = await stack_factory(smtp_url=f"smtp://127.0.0.1:{port}", notify=QUICK_NOTIFY)
    await drain_alerts(stack)
    await break_connection(stack)
    await dispatch(stack)
    await stack.start_worker(periodic=False)

    async def failed_once() -> bool:
        rows = await deliveries(stack, stack.user.id)
        return bool(rows) and rows[0].last_error is not None and rows[0].sent_at is None

    await eventually(failed_once)
    server = MailServer(port).start()
    try:
        [mail] = await eventually(lambda: _mails(server.mailbox, stack.user.email))
        assert "Причина:" in mail.text
        [delivery] = await eventually(lambda: _sent(stack))
    finally:
        server.stop()
    assert delivery.attempts >= 2 and delivery.sent_at is not None and delivery.last_error is None


async def test_an_expiring_token_is_told_once_per_expiry(notify_stack: Stack, mailbox: Mailbox) -> None:
    stack = notify_stack
    bot = await stack.connect(Platform.TELEGRAM)
    expires = utcnow() + timedelta(days=2)
    async with transaction(stack.runtime.session_factory) as session:
        (await session.get_one(Connection, bot.id)).token_expires_at = expires
    assert await announce_expiring_connections(stack.runtime) >= 1
    assert await announce_expiring_connections(stack.runtime) == 0
    await dispatch(stack)
    await stack.start_worker(periodic=False)
    [mail] = await eventually(lambda: _mails(mailbox, stack.user.email))
    assert mail.subject.startswith("Telegram: вход в «")
    assert expires.astimezone(ZoneInfo("Europe/Moscow")).strftime("%d.%m.%Y %H:%M") in mail.subject
    assert f"#connection-{bot.id}" in mail.text


async def test_a_web_session_records_its_end_and_is_told_before_it(
    notify_stack: Stack, mailbox: Mailbox
) -> None:
    stack = notify_stack
    dzen = await stack.connect(Platform.DZEN)  # through the session form's cookie export
    assert dzen.meta[SESSION_ENDS_AT] == "2038-01-01T00:00:00+00:00"  # the demo cookies' expiry
    assert await announce_expiring_connections(stack.runtime) == 0  # far away
    ends = utcnow() + timedelta(days=1)
    async with transaction(stack.runtime.session_factory) as session:
        connection = await session.get_one(Connection, dzen.id)
        connection.meta = {**connection.meta, SESSION_ENDS_AT: ends.isoformat()}
    assert await announce_expiring_connections(stack.runtime) == 1
    assert await announce_expiring_connections(stack.runtime) == 0
    await dispatch(stack)
    await stack.start_worker(periodic=False)
    [mail] = await eventually(lambda: _mails(mailbox, stack.user.email))
    assert mail.subject.startswith("Дзен: вход в «")
    assert f"#connection-{dzen.id}" in mail.text


async def test_a_chat_that_cannot_be_written_to_is_given_up_at_once(notify_stack: Stack) -> None:
    stack = notify_stack
    await link_telegram(stack, stack.user)
    assert await poll_telegram(stack.runtime) == 1
    async with transaction(stack.runtime.session_factory) as session:
        # A chat id the bot never talked with: Telegram answers 403, however often it is tried.
        link = await session.scalar(select(TelegramLink).where(TelegramLink.user_id == stack.user.id))
        assert link is not None
        link.chat_id = "200099999"
        member = await resolve_member(session, await session.merge(stack.user), None)
        await save_preferences(session, member, email=False, telegram=True)
    await break_connection(stack)
    await dispatch(stack)
    await stack.start_worker(periodic=False)

    async def given_up() -> list[NotificationDelivery]:
        rows = await deliveries(stack, stack.user.id)
        return rows if rows and rows[0].attempts >= QUICK_NOTIFY["attempts"] else []

    [delivery] = await eventually(given_up)
    assert delivery.sent_at is None
    assert delivery.last_error is not None and "can't initiate conversation" in delivery.last_error
    # Given up: the sweep (which counts the whole database's rows) does not queue it again.
    await sweep_notifications(stack.runtime)
    assert await stack.runtime.queues.notification_job_state(delivery.id) not in (
        "waiting",
        "delayed",
        "active",
    )
