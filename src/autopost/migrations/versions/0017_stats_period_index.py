"""Stats read by period: publications by (workspace, publishing time); snapshot counters in their index.

Snapshots already append a row per fetch (the time series). On PostgreSQL the snapshots' index
(publication_id, taken_at) also carries the counters, so a period's readings come from the index
alone; SQLite has no INCLUDE and keeps the plain index.

Revision ID: 0017
Revises: 0016
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SNAPSHOTS_INDEX = "ix_stats_snapshots_publication_taken"
COUNTERS = ["views", "likes", "shares", "comments"]


def upgrade() -> None:
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_publications_workspace_published", ["workspace_id", "published_at"], unique=False
        )
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index(SNAPSHOTS_INDEX, table_name="stats_snapshots")
        op.create_index(
            SNAPSHOTS_INDEX, "stats_snapshots", ["publication_id", "taken_at"], postgresql_include=COUNTERS
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index(SNAPSHOTS_INDEX, table_name="stats_snapshots")
        op.create_index(SNAPSHOTS_INDEX, "stats_snapshots", ["publication_id", "taken_at"])
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.drop_index("ix_publications_workspace_published")
