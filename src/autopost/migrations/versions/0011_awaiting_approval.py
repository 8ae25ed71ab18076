"""Publications may await approval: a new status, live like a scheduled one (a clip goes to an
account once, whether it waits for an approver or for its time).

Down, a publication still awaiting approval is cancelled: the older schema could only let it
fire, which is exactly what nobody approved.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUSES = ("scheduled", "publishing", "published", "failed", "cancelled")
NEW_STATUSES = ("awaiting_approval", *OLD_STATUSES)
CHECK = "ck_publications_publication_status"


def _in(statuses: Sequence[str]) -> str:
    return "status IN (" + ", ".join(f"'{s}'" for s in statuses) + ")"


def _indexes(live: Sequence[str]) -> dict[str, tuple[list[str], sa.TextClause]]:
    """The two partial unique indexes whose condition names the live statuses."""
    taken = [*live, "published"]
    return {
        "uq_publications_live_clip_connection": (["clip_id", "connection_id"], sa.text(_in(live))),
        "uq_publications_clip_connection_generation": (
            ["clip_id", "connection_id", "generation"],
            sa.text(_in(taken)),
        ),
    }


def _switch(old_live: Sequence[str], new_live: Sequence[str], statuses: Sequence[str]) -> None:
    # Dropped first and made again after: a SQLite table rebuild need not carry a partial index over.
    for name, (_, where) in _indexes(old_live).items():
        op.drop_index(name, table_name="publications", postgresql_where=where, sqlite_where=where)
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CHECK), type_="check")
        batch_op.create_check_constraint(op.f(CHECK), _in(statuses))
    for name, (columns, where) in _indexes(new_live).items():
        op.create_index(
            name, "publications", columns, unique=True, postgresql_where=where, sqlite_where=where
        )


def upgrade() -> None:
    _switch(("scheduled", "publishing"), ("awaiting_approval", "scheduled", "publishing"), NEW_STATUSES)


def downgrade() -> None:
    op.execute("UPDATE publications SET status = 'cancelled' WHERE status = 'awaiting_approval'")
    _switch(("awaiting_approval", "scheduled", "publishing"), ("scheduled", "publishing"), OLD_STATUSES)
