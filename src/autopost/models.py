"""Every table, imported in one place for Alembic and tests."""

from autopost.alerts.models import Alert
from autopost.clips.models import Clip
from autopost.connections.models import Connection, OAuthState
from autopost.db import Base
from autopost.notifications.models import NotificationDelivery, NotificationPreference, TelegramLink
from autopost.publications.models import IdempotencyKey, Publication, PublicationEvent
from autopost.series.models import PostingSlot, Series
from autopost.stats.models import StatsSnapshot
from autopost.templates.models import TextTemplate
from autopost.users.models import ApiToken, User, UserSession
from autopost.webhooks.models import WebhookDelivery, WebhookEndpoint
from autopost.workspaces.audit import AuditEntry
from autopost.workspaces.models import Invitation, Membership, Workspace

__all__ = [
    "Alert",
    "ApiToken",
    "AuditEntry",
    "Base",
    "Clip",
    "Connection",
    "IdempotencyKey",
    "Invitation",
    "Membership",
    "NotificationDelivery",
    "NotificationPreference",
    "OAuthState",
    "PostingSlot",
    "Publication",
    "PublicationEvent",
    "Series",
    "StatsSnapshot",
    "TelegramLink",
    "TextTemplate",
    "User",
    "UserSession",
    "WebhookDelivery",
    "WebhookEndpoint",
    "Workspace",
]
