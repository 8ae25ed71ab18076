"""Dzen connections made through Yandex OAuth need reconnecting: Dzen now connects through a
browser session (Yandex OAuth grants no Dzen access; platforms.md Part 2).

The reason is stored as a code (`dzen.session_required`), rendered in each reader's language.
What the row said before is kept in its meta under `before_0007`, so a downgrade puts it back.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REASON = "dzen.session_required"
KEPT = "before_0007"

connections = sa.table(
    "connections",
    sa.column("id", sa.Uuid()),
    sa.column("platform", sa.String()),
    sa.column("kind", sa.String()),
    sa.column("status", sa.String()),
    sa.column("meta", sa.JSON()),
    sa.column("last_error_code", sa.String()),
    sa.column("last_error_params", sa.JSON()),
)


def _dzen_oauth_rows() -> Sequence[Any]:
    query = sa.select(connections).where(connections.c.platform == "dzen", connections.c.kind == "oauth")
    return op.get_bind().execute(query).all()


def upgrade() -> None:
    for row in _dzen_oauth_rows():
        before = {"status": row.status, "code": row.last_error_code, "params": row.last_error_params}
        op.get_bind().execute(
            connections.update()
            .where(connections.c.id == row.id)
            .values(
                status="needs_reconnect",
                last_error_code=REASON,
                last_error_params={},
                meta={**(row.meta or {}), KEPT: before},
            )
        )


def downgrade() -> None:
    for row in _dzen_oauth_rows():
        meta = dict(row.meta or {})
        before = meta.pop(KEPT, None)
        if not isinstance(before, dict):
            continue  # not changed by this migration
        op.get_bind().execute(
            connections.update()
            .where(connections.c.id == row.id)
            .values(
                status=before["status"],
                last_error_code=before["code"],
                last_error_params=before["params"],
                meta=meta,
            )
        )
