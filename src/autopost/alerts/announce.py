"""Announce an alert inside the caller's transaction: it exists exactly when what it tells of does."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from autopost.alerts.models import Alert, AlertKind


def announce(
    session: AsyncSession,
    workspace_id: uuid.UUID,
    kind: AlertKind,
    *,
    subject_id: uuid.UUID | None,
    dedup_key: str,
    **data: Any,
) -> Alert:
    """Add an alert; `dedup_key` names the happening, so announcing it again reaches nobody twice.

    `data` is JSON with no secrets: ids, codes and their params, names a reader knows.
    """
    alert = Alert(
        workspace_id=workspace_id,
        kind=kind.value,
        subject_id=subject_id,
        dedup_key=f"{kind.value}:{dedup_key}",
        data=data,
    )
    session.add(alert)
    return alert
