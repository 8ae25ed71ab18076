"""The alerts planner of notifications: who hears of an alert, by which channels (one row each).

Who gets what, kept simple on purpose:
- publication.failed, connection.needs_reconnect, connection.expiring: the workspace's owners
  and editors (the people who can retry, reconnect or replace an account);
- approval.requested: owners and approvers (the people who can decide);
- approval.decided: the publication's creator when it is recorded and still a member, else the
  owners and editors;
- publication.published / publication.cancelled: nobody (nothing to act on).
A member hears by e-mail and by Telegram unless they switched a channel off; Telegram only once
their chat is linked and the operator configured the bot, e-mail only when SMTP is configured.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.alerts.dispatch import AfterCommit
from autopost.alerts.models import Alert, AlertKind
from autopost.db import utcnow
from autopost.mail import mail_configured
from autopost.notifications.models import Channel, NotificationDelivery, NotificationPreference, TelegramLink
from autopost.notifications.queue import enqueue_delivery
from autopost.publications.models import Publication
from autopost.runtime import Runtime
from autopost.settings import Settings
from autopost.workspaces.models import Membership, Role

ACTORS = (Role.OWNER, Role.EDITOR)
DECIDERS = (Role.OWNER, Role.APPROVER)
AUDIENCE: dict[str, tuple[Role, ...]] = {
    AlertKind.PUBLICATION_FAILED: ACTORS,
    AlertKind.CONNECTION_NEEDS_RECONNECT: ACTORS,
    AlertKind.CONNECTION_EXPIRING: ACTORS,
    AlertKind.APPROVAL_REQUESTED: DECIDERS,
    AlertKind.APPROVAL_DECIDED: ACTORS,
}


def telegram_configured(settings: Settings) -> bool:
    return bool(settings.notify.telegram_bot_token.get_secret_value())


async def _members_with_roles(
    session: AsyncSession, workspace_id: uuid.UUID, roles: Sequence[Role]
) -> list[uuid.UUID]:
    rows = await session.scalars(
        select(Membership.user_id).where(Membership.workspace_id == workspace_id, Membership.role.in_(roles))
    )
    return list(rows)


async def _creator(session: AsyncSession, alert: Alert) -> uuid.UUID | None:
    """The publication's creator if recorded and still a member of the workspace."""
    publication_id = alert.data.get("publication_id") or alert.subject_id
    if publication_id is None:
        return None
    creator = await session.scalar(
        select(Publication.created_by_id).where(
            Publication.id == uuid.UUID(str(publication_id)), Publication.workspace_id == alert.workspace_id
        )
    )
    if creator is None:
        return None
    member = await session.scalar(
        select(Membership.user_id).where(
            Membership.workspace_id == alert.workspace_id, Membership.user_id == creator
        )
    )
    return member


async def recipients(session: AsyncSession, alert: Alert) -> list[uuid.UUID]:
    """The members who hear of `alert` (see the module docstring); none for kinds nobody acts on."""
    roles = AUDIENCE.get(alert.kind)
    if roles is None:
        return []
    if alert.kind == AlertKind.APPROVAL_DECIDED:
        creator = await _creator(session, alert)
        if creator is not None:
            return [creator]
    return await _members_with_roles(session, alert.workspace_id, roles)


async def channels_of(
    session: AsyncSession, settings: Settings, workspace_id: uuid.UUID, users: Sequence[uuid.UUID]
) -> list[tuple[uuid.UUID, Channel]]:
    """Each user's channels in the workspace, after their preferences and what is configured."""
    if not users:
        return []
    preferences = {
        p.user_id: p
        for p in await session.scalars(
            select(NotificationPreference).where(
                NotificationPreference.workspace_id == workspace_id, NotificationPreference.user_id.in_(users)
            )
        )
    }
    linked = set(
        await session.scalars(
            select(TelegramLink.user_id).where(
                TelegramLink.user_id.in_(users), TelegramLink.chat_id.is_not(None)
            )
        )
    )
    mail, telegram = mail_configured(settings), telegram_configured(settings)
    chosen: list[tuple[uuid.UUID, Channel]] = []
    for user_id in users:
        preference = preferences.get(user_id)
        if mail and (preference is None or preference.email):
            chosen.append((user_id, Channel.EMAIL))
        if telegram and user_id in linked and (preference is None or preference.telegram):
            chosen.append((user_id, Channel.TELEGRAM))
    return chosen


async def insert_new_deliveries(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> list[uuid.UUID]:
    """Insert the rows no earlier pass or announcement planned; the ids of those inserted."""
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(NotificationDelivery)
        .values(list(rows))
        .on_conflict_do_nothing(index_elements=["dedup_key", "user_id", "channel"])
        .returning(NotificationDelivery.id)
    )
    return list((await session.scalars(statement)).all())


async def plan_notifications(session: AsyncSession, runtime: Runtime, alert: Alert) -> list[AfterCommit]:
    """The alerts planner (ALERT_PLANNERS): delivery rows now, their jobs after the commit."""
    users = await recipients(session, alert)
    chosen = await channels_of(session, runtime.settings, alert.workspace_id, users)
    rows = [
        {
            "id": uuid.uuid4(),
            "alert_id": alert.id,
            "workspace_id": alert.workspace_id,
            "user_id": user_id,
            "channel": channel.value,
            "dedup_key": alert.dedup_key,
            "attempts": 0,
            "created_at": utcnow(),
        }
        for user_id, channel in chosen
    ]
    created = await insert_new_deliveries(session, rows)

    async def enqueue(runtime: Runtime) -> None:
        for delivery_id in created:
            await enqueue_delivery(runtime, delivery_id)

    return [enqueue] if created else []
