"""Every table, imported in one place for Alembic and tests."""

from autopost.alerts.models import Alert
from autopost.clips.models import Clip
from autopost.connections.models import Connection, OAuthState
from autopost.db import Base
from autopost.publications.models import IdempotencyKey, Publication, PublicationEvent
from autopost.series.models import PostingSlot, Series
from autopost.stats.models import StatsSnapshot
from autopost.users.models import ApiToken, User, UserSession
from autopost.workspaces.audit import AuditEntry
from autopost.workspaces.models import Membership, Workspace

__all__ = [
    "Alert",
    "ApiToken",
    "AuditEntry",
    "Base",
    "Clip",
    "Connection",
    "IdempotencyKey",
    "Membership",
    "OAuthState",
    "PostingSlot",
    "Publication",
    "PublicationEvent",
    "Series",
    "StatsSnapshot",
    "User",
    "UserSession",
    "Workspace",
]
