"""Notifications: members' channel preferences, Telegram links, deliveries.

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "notification_preferences",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("telegram", sa.Boolean(), server_default=sa.true(), nullable=False),
        _fk("notification_preferences", "workspace_id", "workspaces"),
        _fk("notification_preferences", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_preferences")),
        sa.UniqueConstraint("workspace_id", "user_id", name="uq_notification_preferences_workspace_user"),
    )
    op.create_index(op.f("ix_notification_preferences_user_id"), "notification_preferences", ["user_id"])
    op.create_table(
        "telegram_links",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("chat_id", sa.String(length=32), nullable=True),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("code_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=True),
        _fk("telegram_links", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_telegram_links")),
        sa.UniqueConstraint("user_id", name=op.f("uq_telegram_links_user_id")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_telegram_links_code_hash")),
    )
    op.create_table(
        "notification_deliveries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("alert_id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("dedup_key", sa.String(length=200), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        _fk("notification_deliveries", "alert_id", "alerts"),
        _fk("notification_deliveries", "workspace_id", "workspaces"),
        _fk("notification_deliveries", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_deliveries")),
        sa.UniqueConstraint("dedup_key", "user_id", "channel", name="uq_notification_deliveries_once"),
    )
    op.create_index(op.f("ix_notification_deliveries_alert_id"), "notification_deliveries", ["alert_id"])
    op.create_index(
        op.f("ix_notification_deliveries_workspace_id"), "notification_deliveries", ["workspace_id"]
    )
    op.create_index(op.f("ix_notification_deliveries_user_id"), "notification_deliveries", ["user_id"])
    op.create_index(
        "ix_notification_deliveries_sent_at_created_at", "notification_deliveries", ["sent_at", "created_at"]
    )


def downgrade() -> None:
    op.drop_table("notification_deliveries")
    op.drop_table("telegram_links")
    op.drop_table("notification_preferences")
