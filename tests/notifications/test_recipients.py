"""Who hears of what: owners and editors of failures and broken accounts, owners and approvers of
approval requests, the creator of a decision on their publication; nobody of a publication that went out."""

from __future__ import annotations

import uuid

from autopost.alerts.announce import announce
from autopost.alerts.models import AlertKind
from autopost.db import transaction
from autopost.platforms.catalog import Platform
from autopost.workspaces.models import Role
from autopost_sandbox.mailbox import Mailbox, Received
from tests.notifications.conftest import add_member, deliveries, dispatch, eventually
from tests.support.stack import Stack


async def _announce(stack: Stack, kind: AlertKind, publication_id: uuid.UUID, **data: object) -> None:
    async with transaction(stack.runtime.session_factory) as session:
        announce(
            session,
            stack.user.id,
            kind,
            subject_id=publication_id,
            dedup_key=f"{publication_id}:{uuid.uuid4()}",
            publication_id=str(publication_id),
            platform="telegram",
            **data,
        )


async def _heard(stack: Stack, *users: uuid.UUID) -> list[int]:
    return [len(await deliveries(stack, user)) for user in users]


async def test_each_kind_reaches_its_people(notify_stack: Stack, mailbox: Mailbox) -> None:
    stack = notify_stack
    editor = await add_member(stack, Role.EDITOR, locale="en")
    approver = await add_member(stack, Role.APPROVER)
    viewer = await add_member(stack, Role.VIEWER)
    everyone = (stack.user.id, editor.id, approver.id, viewer.id)
    bot = await stack.connect(Platform.TELEGRAM)
    [publication_id] = await stack.publish(bot)  # created by the owner, stack.user

    await _announce(stack, AlertKind.APPROVAL_REQUESTED, publication_id)
    await dispatch(stack)
    assert await _heard(stack, *everyone) == [1, 0, 1, 0]

    await _announce(
        stack, AlertKind.APPROVAL_DECIDED, publication_id, decision="rejected", comment="Другой титр"
    )
    await _announce(stack, AlertKind.PUBLICATION_PUBLISHED, publication_id)
    await dispatch(stack)
    assert await _heard(stack, *everyone) == [2, 0, 1, 0]  # the creator only; nobody hears of «published»

    await stack.start_worker(periodic=False)
    mails = await eventually(lambda: _at_least(mailbox, stack.user.email, 2))
    decided = next(m for m in mails if "отклонена" in m.subject)
    assert "Причина: Другой титр" in decided.text
    requested = next(m for m in mails if m.subject.startswith("Ждёт вашего согласования"))
    assert "/publications?tab=scheduled&status=awaiting_approval" in requested.text
    [to_approver] = await eventually(lambda: _at_least(mailbox, approver.email, 1))
    assert to_approver.subject == requested.subject


async def _at_least(mailbox: Mailbox, to: str, count: int) -> list[Received]:
    mails = mailbox.mails(to)
    return mails if len(mails) >= count else []
