"""Text templates and hashtag sets per workspace.

Revision ID: 0018
Revises: 0017
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KIND = sa.Enum("text", "hashtags", name="template_kind", native_enum=False, create_constraint=True, length=20)


def upgrade() -> None:
    op.create_table(
        "text_templates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("kind", KIND, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_text_templates_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_text_templates")),
        sa.UniqueConstraint("workspace_id", "name", name="uq_text_templates_workspace_id_name"),
    )
    op.create_index(op.f("ix_text_templates_workspace_id"), "text_templates", ["workspace_id"])


def downgrade() -> None:
    op.drop_table("text_templates")
