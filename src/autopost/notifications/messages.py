"""What a notification says: the happening, its reason (the alert's code from the catalog) and an
absolute link to the page that mends it, in the reader's language; as mail (text + HTML) or a
Telegram message."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from autopost.alerts.models import Alert, AlertKind
from autopost.clips.models import Clip
from autopost.connections.models import Connection
from autopost.i18n import N_, gettext, render
from autopost.mail import Mail
from autopost.publications.models import Publication
from autopost.workspaces.models import DEFAULT_TIME_ZONE, Workspace

SUBJECTS = {
    AlertKind.PUBLICATION_FAILED: N_("Publication failed: «{title}» on {platform}"),
    AlertKind.CONNECTION_NEEDS_RECONNECT: N_("Reconnect {platform}: «{account}» stopped working"),
    AlertKind.CONNECTION_EXPIRING: N_("{platform}: the sign-in of «{account}» ends on {date}"),
    AlertKind.APPROVAL_REQUESTED: N_("Awaiting your approval: «{title}» on {platform}"),
    AlertKind.APPROVAL_DECIDED: N_("Your publication «{title}» on {platform} was {decision}"),
}
ACTIONS = {
    AlertKind.PUBLICATION_FAILED: N_("Open the publication"),
    AlertKind.CONNECTION_NEEDS_RECONNECT: N_("Reconnect the account"),
    AlertKind.CONNECTION_EXPIRING: N_("Reconnect the account"),
    AlertKind.APPROVAL_REQUESTED: N_("Open the approval list"),
    AlertKind.APPROVAL_DECIDED: N_("Open the publication"),
}
DECISIONS = {"approved": N_("approved"), "rejected": N_("rejected")}
EXPIRING_REASON = N_("Reconnect the account before then, or its publications will fail.")
REQUESTED_REASON = N_("An editor asked for approval in «{workspace}»; it goes out only once approved.")
NO_COMMENT = N_("No comment.")


@dataclass(frozen=True)
class Notice:
    subject: str
    reason: str
    link: str
    action: str

    def mail(self, to: str, lang: str) -> Mail:
        label = gettext(lang, "Reason")
        text = f"{self.subject}\n\n{label}: {self.reason}\n\n{self.action}: {self.link}\n"
        html = (
            f"<p><strong>{escape(self.subject)}</strong></p>"
            f"<p>{escape(label)}: {escape(self.reason)}</p>"
            f'<p><a href="{escape(self.link)}">{escape(self.action)}</a></p>'
        )
        return Mail(to=to, subject=self.subject, text=text, html=html)

    def telegram_text(self, lang: str) -> str:
        return f"{self.subject}\n\n{gettext(lang, 'Reason')}: {self.reason}\n\n{self.action}: {self.link}"


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or DEFAULT_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIME_ZONE)


def _id(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


@dataclass(frozen=True)
class _Subject:
    """What the alert is about, read in the alert's workspace only."""

    workspace: Workspace
    publication: Publication | None
    connection: Connection | None
    clip_title: str

    @property
    def title(self) -> str:
        if self.publication is not None and self.publication.title:
            return self.publication.title
        return self.clip_title or "—"


async def _subject(session: AsyncSession, alert: Alert) -> _Subject:
    workspace = await session.get_one(Workspace, alert.workspace_id)
    publication = await session.get(Publication, _id(alert.data.get("publication_id")) or alert.subject_id)
    if publication is not None and publication.workspace_id != alert.workspace_id:
        publication = None
    connection_id = _id(alert.data.get("connection_id")) or (
        publication.connection_id if publication else None
    )
    connection = await session.get(Connection, connection_id) if connection_id else None
    if connection is not None and connection.workspace_id != alert.workspace_id:
        connection = None
    clip = await session.get(Clip, publication.clip_id) if publication else None
    return _Subject(workspace, publication, connection, clip.title if clip else "")


def _link(public_url: str, alert: Alert, subject: _Subject) -> str:
    base = public_url.rstrip("/")
    if alert.kind in (AlertKind.CONNECTION_NEEDS_RECONNECT, AlertKind.CONNECTION_EXPIRING):
        anchor = f"#connection-{subject.connection.id}" if subject.connection else ""
        return f"{base}/settings/platforms{anchor}"
    if alert.kind == AlertKind.APPROVAL_REQUESTED:
        return f"{base}/publications?" + urlencode({"tab": "scheduled", "status": "awaiting_approval"})
    anchor = f"#row-{subject.publication.id}" if subject.publication else ""
    return f"{base}/publications?tab=history{anchor}"


def _reason(alert: Alert, subject: _Subject, lang: str) -> str:
    data = alert.data
    if alert.kind == AlertKind.CONNECTION_EXPIRING:
        return gettext(lang, EXPIRING_REASON)
    if alert.kind == AlertKind.APPROVAL_REQUESTED:
        return gettext(lang, REQUESTED_REASON, workspace=subject.workspace.name)
    if alert.kind == AlertKind.APPROVAL_DECIDED and "code" not in data:
        comment = str(data.get("comment") or "").strip()
        return comment or gettext(lang, NO_COMMENT)
    return render(str(data.get("code", "")), lang, **dict(data.get("params") or {}))


def _expires(alert: Alert, subject: _Subject) -> str:
    raw = alert.data.get("expires_at")
    if not raw:
        return "—"
    zone = _zone(subject.workspace.time_zone)
    return datetime.fromisoformat(str(raw)).astimezone(zone).strftime("%d.%m.%Y %H:%M")


async def compose(session: AsyncSession, public_url: str, alert: Alert, lang: str) -> Notice:
    """The notice of `alert` for a reader of `lang`."""
    subject = await _subject(session, alert)
    kind = AlertKind(alert.kind)
    platform = alert.data.get("platform") or (subject.connection.platform.value if subject.connection else "")
    decision = DECISIONS.get(str(alert.data.get("decision", "")), "")
    values = {
        "title": subject.title,
        "platform": platform,
        "account": subject.connection.shown_name if subject.connection else "—",
        "date": _expires(alert, subject),
        "decision": gettext(lang, decision) if decision else "—",
    }
    return Notice(
        subject=gettext(lang, SUBJECTS[kind], **values),
        reason=_reason(alert, subject, lang),
        link=_link(public_url, alert, subject),
        action=gettext(lang, ACTIONS[kind]),
    )
