"""A clip is published to an account once per generation; publishing it again is a new generation.

The unique index makes the database, not a read-then-insert, refuse a second
publication of one clip to one account while the first is scheduled, publishing
or published: of twenty parallel "publish now" requests one wins.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TAKEN = sa.text("status IN ('scheduled', 'publishing', 'published')")


def upgrade() -> None:
    # Plain ALTERs, no batch rebuild: SQLite adds a column with a default in place.
    op.add_column("publications", sa.Column("generation", sa.Integer(), server_default="0", nullable=False))
    # Earlier republishing made several published rows per clip and account: number them apart.
    op.execute(
        "UPDATE publications SET generation = (SELECT count(*) FROM publications older"
        " WHERE older.clip_id = publications.clip_id AND older.connection_id = publications.connection_id"
        " AND older.status = 'published' AND (older.created_at < publications.created_at"
        " OR (older.created_at = publications.created_at AND older.id < publications.id)))"
        " WHERE status IN ('scheduled', 'publishing', 'published')"
    )
    op.create_index(
        "uq_publications_clip_connection_generation",
        "publications",
        ["clip_id", "connection_id", "generation"],
        unique=True,
        postgresql_where=TAKEN,
        sqlite_where=TAKEN,
    )


def downgrade() -> None:
    op.drop_index(
        "uq_publications_clip_connection_generation",
        table_name="publications",
        postgresql_where=TAKEN,
        sqlite_where=TAKEN,
    )
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.drop_column("generation")
