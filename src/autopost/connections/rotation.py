"""Key rotation: re-seal every stored token under the newest key.

Batches commit one by one, so an interrupted run keeps its progress and a
re-run picks up what is left. Each row is updated only if it still holds the
ciphertext we read: a token refreshed meanwhile by a running worker is never
overwritten with an older secret.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import String, select, type_coerce, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from autopost.connections.models import Connection, OAuthState
from autopost.db import Base, transaction
from autopost.security.vault import FORMAT_VERSION, Binding, EncryptedToken, Vault, VaultError
from autopost.webhooks.models import WebhookEndpoint

SEALED_COLUMNS: tuple[tuple[type[Base], str], ...] = (
    (Connection, "access_token"),
    (Connection, "refresh_token"),
    (OAuthState, "code_verifier"),
    (WebhookEndpoint, "secret"),
)


@dataclass
class RotationReport:
    resealed: int = 0
    skipped_changed: int = 0
    unreadable: list[str] = field(default_factory=list)


async def rotate_tokens(
    factory: async_sessionmaker[AsyncSession],
    vault: Vault,
    *,
    batch_size: int = 200,
    on_batch: Callable[[RotationReport], None] | None = None,
) -> RotationReport:
    report = RotationReport()
    for model, column_name in SEALED_COLUMNS:
        last_id: uuid.UUID | None = None
        while True:
            async with transaction(factory) as session:
                rows = await _stale_batch(session, model, column_name, vault, last_id, batch_size)
                if not rows:
                    break
                for row_id, token in rows:
                    await _reseal_row(session, model, column_name, row_id, token, vault, report)
                last_id = rows[-1][0]
            if on_batch:
                on_batch(report)
    return report


async def _stale_batch(
    session: AsyncSession,
    model: type[Base],
    column_name: str,
    vault: Vault,
    after: uuid.UUID | None,
    limit: int,
) -> list[tuple[uuid.UUID, EncryptedToken]]:
    column = getattr(model, column_name)
    row_id = model.id  # type: ignore[attr-defined]
    current = f"{FORMAT_VERSION}:{vault.primary_key_id}:%"
    query = select(row_id, column).where(column.is_not(None), ~type_coerce(column, String).like(current))
    if after is not None:
        query = query.where(row_id > after)
    result = await session.execute(query.order_by(row_id).limit(limit))
    return [(r[0], r[1]) for r in result.all()]


async def _reseal_row(
    session: AsyncSession,
    model: type[Base],
    column_name: str,
    row_id: uuid.UUID,
    token: EncryptedToken,
    vault: Vault,
    report: RotationReport,
) -> None:
    binding = Binding(model.__tablename__, str(row_id), column_name)
    try:
        fresh = vault.reseal(token, binding)
    except VaultError as exc:
        report.unreadable.append(f"{model.__tablename__}.{column_name} {row_id}: {exc}")
        return
    column = getattr(model, column_name)
    result = await session.execute(
        update(model)
        .where(model.id == row_id, column == token)  # type: ignore[attr-defined]
        .values({column_name: fresh})
        .execution_options(synchronize_session=False)
    )
    if result.rowcount:  # type: ignore[attr-defined]
        report.resealed += 1
    else:
        report.skipped_changed += 1
