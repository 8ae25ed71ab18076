"""What an audit entry says on Settings → Log, in the reader's language and the workspace's time zone.

An entry stores its action and the names and ids it is about (workspaces.audit);
the sentence is made here when it is read, like every other stored code.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from autopost.i18n import N_, gettext, render
from autopost.web.formatting import format_datetime
from autopost.workspaces.audit import AuditEntry

TEXTS = {
    "connected": N_("Connected {platform}: {account}"),
    "disconnected": N_("Disconnected {platform}: {account}"),
    "published": N_("Published «{clip}» to {targets}"),
    "scheduled": N_("Scheduled «{clip}» for {when} to {targets}"),
    "approved": N_("Approved a publication"),
    "rejected": N_("Rejected a publication"),
    "invited": N_("Invited {email} as {role}"),
    "invitation_revoked": N_("Revoked the invitation of {email}"),
    "joined": N_("Joined the workspace as {role}"),
    "role_changed": N_("Changed the role of {email}: {was} → {role}"),
    "member_removed": N_("Removed {email} ({role}) from the workspace"),
    "webhook_changed": N_("Changed a webhook"),
}
SETTINGS = {
    "name": N_("name «{value}»"),
    "time_zone": N_("time zone {value}"),
}


def _settings_text(data: dict[str, Any], lang: str) -> str:
    parts = [gettext(lang, SETTINGS[key], value=data[key]) for key in SETTINGS if key in data]
    if "approval_required" in data:
        approval = N_("approval on") if data["approval_required"] else N_("approval off")
        parts.append(gettext(lang, approval))
    return gettext(lang, "Changed the workspace settings: {changes}", changes=", ".join(parts))


def _params(data: dict[str, Any], lang: str, zone: ZoneInfo) -> dict[str, Any]:
    params = dict(data)
    for key in ("role", "was"):
        if key in params:
            params[key] = render(f"role.{params[key]}", lang)
    if "platform" in params:
        params["platform"] = render(f"platform.{params['platform']}", lang)
    if "targets" in params:
        params["targets"] = ", ".join(
            f"{render('platform.' + str(t.get('platform')), lang)} · {t.get('account', '')}"
            for t in params["targets"]
        )
    if params.get("scheduled_at"):
        params["when"] = format_datetime(datetime.fromisoformat(params["scheduled_at"]), zone)
    return params


def describe(entry: AuditEntry, lang: str, zone: ZoneInfo) -> str:
    """The entry as one sentence (without who and when: the log shows those in columns of their own)."""
    data = entry.data or {}
    if entry.action == "settings_changed":
        return _settings_text(data, lang)
    key = "scheduled" if entry.action == "published" and data.get("scheduled_at") else entry.action
    text = TEXTS.get(key)
    if text is None:
        return entry.action
    return gettext(lang, text, **_params(data, lang, zone))
