"""Publications, their events and connections store codes and parameters instead of sentences.

- publications: `error_params` (JSON) next to `error_code`; `error_message` dropped.
- publication_events: `message` dropped; the text is rendered from `kind` + `data`.
- connections: `last_error` becomes `last_error_code` + `last_error_params`.

Rows written before keep what they said: a stored sentence whose code is unknown, or
whose text needs parameters the row does not have, is kept under the code `legacy`
with params {"text": ...} (events: data["legacy_text"]). Downgrade writes the Russian
text back.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_publications = sa.table(
    "publications",
    sa.column("id", sa.Uuid()),
    sa.column("error_code", sa.String()),
    sa.column("error_message", sa.Text()),
    sa.column("error_params", sa.JSON()),
)
_events = sa.table(
    "publication_events",
    sa.column("id", sa.Uuid()),
    sa.column("kind", sa.String()),
    sa.column("message", sa.Text()),
    sa.column("data", sa.JSON()),
)
_connections = sa.table(
    "connections",
    sa.column("id", sa.Uuid()),
    sa.column("last_error", sa.Text()),
    sa.column("last_error_code", sa.String()),
    sa.column("last_error_params", sa.JSON()),
)


def _renders_without_params(code: str | None) -> bool:
    """A code whose text the new code table has and that needs no parameters (old rows have none)."""
    from autopost.i18n import code_table

    text = code_table().get(code or "")
    return text is not None and "{" not in text


def _as_code(code: str | None, message: str) -> tuple[str, dict[str, Any]]:
    if _renders_without_params(code):
        assert code is not None
        return code, {}
    return "legacy", {"text": message}


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column("publications", sa.Column("error_params", sa.JSON(), nullable=True))
    op.add_column("connections", sa.Column("last_error_code", sa.String(length=64), nullable=True))
    op.add_column("connections", sa.Column("last_error_params", sa.JSON(), nullable=True))

    publication_rows = bind.execute(
        sa.select(_publications.c.id, _publications.c.error_code, _publications.c.error_message).where(
            _publications.c.error_message.is_not(None)
        )
    ).all()
    for row_id, code, message in publication_rows:
        new_code, params = _as_code(code, message)
        bind.execute(
            _publications.update()
            .where(_publications.c.id == row_id)
            .values(error_code=new_code, error_params=params)
        )
    connection_rows = bind.execute(
        sa.select(_connections.c.id, _connections.c.last_error).where(_connections.c.last_error.is_not(None))
    ).all()
    for row_id, message in connection_rows:
        bind.execute(
            _connections.update()
            .where(_connections.c.id == row_id)
            .values(last_error_code="legacy", last_error_params={"text": message})
        )
    event_rows = bind.execute(
        sa.select(_events.c.id, _events.c.kind, _events.c.message, _events.c.data)
    ).all()
    for row_id, kind, message, data in event_rows:
        if message and not _renders_without_params(f"event.{kind}"):
            bind.execute(
                _events.update()
                .where(_events.c.id == row_id)
                .values(data={**(data or {}), "legacy_text": message})
            )

    # Plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35): copying the table in batch mode would drop
    # the old one, and SQLite's foreign keys would cascade that into the rows referencing it.
    op.drop_column("publications", "error_message")
    op.drop_column("publication_events", "message")
    op.drop_column("connections", "last_error")


def downgrade() -> None:
    from autopost.i18n import render
    from autopost.publications.events import event_text

    bind = op.get_bind()
    op.add_column("publications", sa.Column("error_message", sa.Text(), nullable=True))
    # NOT NULL needs a default for the existing rows; it stays (changing it would copy the table).
    op.add_column("publication_events", sa.Column("message", sa.Text(), nullable=False, server_default=""))
    op.add_column("connections", sa.Column("last_error", sa.Text(), nullable=True))

    publication_rows = bind.execute(
        sa.select(_publications.c.id, _publications.c.error_code, _publications.c.error_params).where(
            _publications.c.error_code.is_not(None)
        )
    ).all()
    for row_id, code, params in publication_rows:
        bind.execute(
            _publications.update()
            .where(_publications.c.id == row_id)
            .values(error_message=render(code, "ru", **(params or {})))
        )
    connection_rows = bind.execute(
        sa.select(_connections.c.id, _connections.c.last_error_code, _connections.c.last_error_params).where(
            _connections.c.last_error_code.is_not(None)
        )
    ).all()
    for row_id, code, params in connection_rows:
        bind.execute(
            _connections.update()
            .where(_connections.c.id == row_id)
            .values(last_error=render(code, "ru", **(params or {})))
        )
    for row_id, kind, data in bind.execute(sa.select(_events.c.id, _events.c.kind, _events.c.data)).all():
        bind.execute(
            _events.update().where(_events.c.id == row_id).values(message=event_text(kind, data, "ru"))
        )

    op.drop_column("publications", "error_params")
    op.drop_column("connections", "last_error_params")
    op.drop_column("connections", "last_error_code")
