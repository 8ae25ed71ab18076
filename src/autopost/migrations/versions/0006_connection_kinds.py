"""Connections say how they sign in (oauth, token, refresh_token, web_session); publications
say what they became where a platform has several kinds of post (VK: clip or video).

One account may be connected once per kind: a VK community through VK ID
(VK Video) and through a web session (VK Clips) are two connections.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KIND = sa.Enum(
    "oauth",
    "token",
    "refresh_token",
    "web_session",
    name="connection_kind",
    native_enum=False,
    create_constraint=True,
    length=20,
)


FORMAT = sa.Enum("clip", "video", name="post_format", native_enum=False, create_constraint=True, length=20)


def upgrade() -> None:
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("format", FORMAT, nullable=True))
    with op.batch_alter_table("connections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=20), nullable=True))
    # Until now VK and Dzen connected through OAuth only; Telegram and Rutube by token.
    op.execute(
        "UPDATE connections SET kind = CASE WHEN platform IN ('vk', 'dzen') THEN 'oauth' ELSE 'token' END"
    )
    with op.batch_alter_table("connections", schema=None) as batch_op:
        batch_op.alter_column("kind", existing_type=sa.String(length=20), type_=KIND, nullable=False)
        batch_op.drop_constraint("uq_connections_account", type_="unique")
        batch_op.create_unique_constraint(
            "uq_connections_account", ["user_id", "platform", "kind", "account_id"]
        )


def downgrade() -> None:
    # Without the kind, one account per platform again: keep the oldest of each.
    op.execute(
        "DELETE FROM connections WHERE id IN (SELECT c.id FROM connections c JOIN connections o"
        " ON o.user_id = c.user_id AND o.platform = c.platform AND o.account_id = c.account_id"
        " AND (o.created_at < c.created_at OR (o.created_at = c.created_at AND o.id < c.id)))"
    )
    with op.batch_alter_table("connections", schema=None) as batch_op:
        batch_op.drop_constraint("uq_connections_account", type_="unique")
        batch_op.create_unique_constraint("uq_connections_account", ["user_id", "platform", "account_id"])
        batch_op.drop_constraint(batch_op.f("ck_connections_connection_kind"), type_="check")
        batch_op.drop_column("kind")
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_publications_post_format"), type_="check")
        batch_op.drop_column("format")
