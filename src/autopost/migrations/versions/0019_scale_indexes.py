"""Indexes for a year of an agency (bench/scale.py): each list reads one page in its own order.

- publications (workspace_id, created_at): the API list and a clip's cards, newest first.
- publications (workspace_id, status, scheduled_at): the Scheduled tab of one workspace.
- publications (workspace_id, coalesce(published_at, updated_at)): the History tab's order.
- publications (status, published_at): the stats-scheduling pass (published in the last 30 days)
  read by index instead of a sequential scan of every publication.
- clips (workspace_id, created_at): the Clips page and GET /clips, newest first.

Revision ID: 0019
Revises: 0018
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PLAIN = (
    ("publications", "ix_publications_workspace_created", ["workspace_id", "created_at"]),
    (
        "publications",
        "ix_publications_workspace_status_scheduled",
        ["workspace_id", "status", "scheduled_at"],
    ),
    ("publications", "ix_publications_status_published", ["status", "published_at"]),
    ("clips", "ix_clips_workspace_created", ["workspace_id", "created_at"]),
)
HISTORY = "ix_publications_workspace_history"


def upgrade() -> None:
    for table, name, columns in PLAIN:
        op.create_index(name, table, columns, unique=False)
    op.create_index(
        HISTORY, "publications", [sa.column("workspace_id"), sa.text("coalesce(published_at, updated_at)")]
    )


def downgrade() -> None:
    op.drop_index(HISTORY, table_name="publications")
    for table, name, _ in reversed(PLAIN):
        op.drop_index(name, table_name=table)
