"""Workspaces: clips, connections, publications, idempotency keys and OAuth states belong to a
workspace; people belong to workspaces with a role; plan and time zone move from the user to it.

Every user gets a personal workspace whose id is the user's id (so moving their rows is one
UPDATE per table), named after their e-mail, with their plan and time zone, and them as owner.
A publication remembers who made it (created_by_id).

Down again, each workspace's rows go to its first owner; rows of a workspace with no owner left
are deleted, and where one owner holds the same account in two workspaces the oldest connection
stays (the other's publications go with it): the old schema has room for neither.

Revision ID: 0009
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PLAN = sa.Enum(
    "free", "start", "pro", "business", name="plan", native_enum=False, create_constraint=True, length=20
)
ROLE = sa.Enum(
    "owner",
    "editor",
    "approver",
    "viewer",
    name="workspace_role",
    native_enum=False,
    create_constraint=True,
    length=20,
)
# Tables whose rows were a user's and become a workspace's (oauth_states keeps its user_id too).
MOVED = ("clips", "connections", "publications", "idempotency_keys", "oauth_states")
INDEXED = {"clips", "connections", "publications", "oauth_states"}
MOVE_UP = {
    "clips": "UPDATE clips SET workspace_id = user_id",
    "connections": "UPDATE connections SET workspace_id = user_id",
    "publications": "UPDATE publications SET workspace_id = user_id, created_by_id = user_id",
    "idempotency_keys": "UPDATE idempotency_keys SET workspace_id = user_id",
    "oauth_states": "UPDATE oauth_states SET workspace_id = user_id",
}
MOVE_DOWN = {
    "clips": (
        "UPDATE clips SET user_id = (SELECT m.user_id FROM memberships m WHERE m.role = "
        "'owner' AND m.workspace_id = clips.workspace_id ORDER BY m.created_at, m.user_id "
        "LIMIT 1)"
    ),
    "connections": (
        "UPDATE connections SET user_id = (SELECT m.user_id FROM memberships m WHERE "
        "m.role = 'owner' AND m.workspace_id = connections.workspace_id ORDER BY "
        "m.created_at, m.user_id LIMIT 1)"
    ),
    "publications": (
        "UPDATE publications SET user_id = (SELECT m.user_id FROM memberships m WHERE "
        "m.role = 'owner' AND m.workspace_id = publications.workspace_id ORDER BY "
        "m.created_at, m.user_id LIMIT 1)"
    ),
    "idempotency_keys": (
        "UPDATE idempotency_keys SET user_id = (SELECT m.user_id FROM memberships m WHERE "
        "m.role = 'owner' AND m.workspace_id = idempotency_keys.workspace_id ORDER BY "
        "m.created_at, m.user_id LIMIT 1)"
    ),
}
# Rows the old schema has no owner for (a workspace without one; one owner's account connected in two
# workspaces: the oldest connection stays), children first.
DROP_DOWN = (
    (
        "DELETE FROM publication_events WHERE publication_id IN (SELECT id FROM "
        "publications WHERE user_id IS NULL OR clip_id IN (SELECT id FROM clips WHERE "
        "user_id IS NULL) OR connection_id IN (SELECT id FROM connections WHERE user_id "
        "IS NULL) OR connection_id IN (SELECT c.id FROM connections c JOIN connections o "
        "ON o.user_id = c.user_id AND o.platform = c.platform AND o.kind = c.kind AND "
        "o.account_id = c.account_id AND (o.created_at < c.created_at OR (o.created_at = "
        "c.created_at AND o.id < c.id))))"
    ),
    (
        "DELETE FROM stats_snapshots WHERE publication_id IN (SELECT id FROM publications "
        "WHERE user_id IS NULL OR clip_id IN (SELECT id FROM clips WHERE user_id IS NULL) "
        "OR connection_id IN (SELECT id FROM connections WHERE user_id IS NULL) OR "
        "connection_id IN (SELECT c.id FROM connections c JOIN connections o ON o.user_id "
        "= c.user_id AND o.platform = c.platform AND o.kind = c.kind AND o.account_id = "
        "c.account_id AND (o.created_at < c.created_at OR (o.created_at = c.created_at "
        "AND o.id < c.id))))"
    ),
    (
        "DELETE FROM publications WHERE user_id IS NULL OR clip_id IN (SELECT id FROM "
        "clips WHERE user_id IS NULL) OR connection_id IN (SELECT id FROM connections "
        "WHERE user_id IS NULL) OR connection_id IN (SELECT c.id FROM connections c JOIN "
        "connections o ON o.user_id = c.user_id AND o.platform = c.platform AND o.kind = "
        "c.kind AND o.account_id = c.account_id AND (o.created_at < c.created_at OR "
        "(o.created_at = c.created_at AND o.id < c.id)))"
    ),
    (
        "DELETE FROM connections WHERE user_id IS NULL OR id IN (SELECT c.id FROM "
        "connections c JOIN connections o ON o.user_id = c.user_id AND o.platform = "
        "c.platform AND o.kind = c.kind AND o.account_id = c.account_id AND (o.created_at "
        "< c.created_at OR (o.created_at = c.created_at AND o.id < c.id)))"
    ),
    ("DELETE FROM clips WHERE user_id IS NULL"),
    (
        "DELETE FROM idempotency_keys WHERE user_id IS NULL OR id IN (SELECT k.id FROM "
        "idempotency_keys k JOIN idempotency_keys o ON o.user_id = k.user_id AND o.key = "
        "k.key AND (o.created_at < k.created_at OR (o.created_at = k.created_at AND o.id "
        "< k.id)))"
    ),
)


def _create_tables() -> None:
    op.create_table(
        "workspaces",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("approval_required", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("plan", PLAN, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workspaces")),
    )
    op.create_table(
        "memberships",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("role", ROLE, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_memberships_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_memberships_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
        sa.UniqueConstraint("workspace_id", "user_id", name="uq_memberships_workspace_user"),
    )
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_memberships_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_memberships_workspace_id"), ["workspace_id"], unique=False)


def upgrade() -> None:
    _create_tables()
    op.execute(
        "INSERT INTO workspaces (id, name, time_zone, plan, created_at, updated_at)"
        " SELECT id, substr(email, 1, 200), time_zone, plan, created_at, created_at FROM users"
    )
    op.execute(
        "INSERT INTO memberships (id, workspace_id, user_id, role, created_at)"
        " SELECT id, id, id, 'owner', created_at FROM users"
    )
    for table in MOVED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("workspace_id", sa.Uuid(), nullable=True))
            if table == "publications":
                batch_op.add_column(sa.Column("created_by_id", sa.Uuid(), nullable=True))
        op.execute(MOVE_UP[table])
        _point_at_workspace(table)
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_users_plan"), type_="check")
        batch_op.drop_column("plan")
        batch_op.drop_column("time_zone")


def _point_at_workspace(table: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.alter_column("workspace_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f(f"fk_{table}_workspace_id_workspaces"),
            "workspaces",
            ["workspace_id"],
            ["id"],
            ondelete="CASCADE",
        )
        if table in INDEXED:
            batch_op.create_index(batch_op.f(f"ix_{table}_workspace_id"), ["workspace_id"], unique=False)
        if table == "connections":
            batch_op.drop_constraint("uq_connections_account", type_="unique")
            batch_op.create_unique_constraint(
                "uq_connections_account", ["workspace_id", "platform", "kind", "account_id"]
            )
        if table == "idempotency_keys":
            batch_op.drop_constraint("uq_idempotency_keys_user_key", type_="unique")
            batch_op.create_unique_constraint("uq_idempotency_keys_workspace_key", ["workspace_id", "key"])
        if table == "publications":
            batch_op.create_foreign_key(
                batch_op.f("fk_publications_created_by_id_users"),
                "users",
                ["created_by_id"],
                ["id"],
                ondelete="SET NULL",
            )
            batch_op.create_index(
                batch_op.f("ix_publications_created_by_id"), ["created_by_id"], unique=False
            )
        if table != "oauth_states":
            if table in INDEXED:
                batch_op.drop_index(batch_op.f(f"ix_{table}_user_id"))
            batch_op.drop_constraint(batch_op.f(f"fk_{table}_user_id_users"), type_="foreignkey")
            batch_op.drop_column("user_id")


def _back_to_user(table: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.alter_column("user_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f(f"fk_{table}_user_id_users"), "users", ["user_id"], ["id"], ondelete="CASCADE"
        )
        if table in INDEXED:
            batch_op.create_index(batch_op.f(f"ix_{table}_user_id"), ["user_id"], unique=False)
        if table == "connections":
            batch_op.drop_constraint("uq_connections_account", type_="unique")
            batch_op.create_unique_constraint(
                "uq_connections_account", ["user_id", "platform", "kind", "account_id"]
            )
        if table == "idempotency_keys":
            batch_op.drop_constraint("uq_idempotency_keys_workspace_key", type_="unique")
            batch_op.create_unique_constraint("uq_idempotency_keys_user_key", ["user_id", "key"])
        if table == "publications":
            batch_op.drop_index(batch_op.f("ix_publications_created_by_id"))
            batch_op.drop_constraint(batch_op.f("fk_publications_created_by_id_users"), type_="foreignkey")
            batch_op.drop_column("created_by_id")
        if table in INDEXED:
            batch_op.drop_index(batch_op.f(f"ix_{table}_workspace_id"))
        batch_op.drop_constraint(batch_op.f(f"fk_{table}_workspace_id_workspaces"), type_="foreignkey")
        batch_op.drop_column("workspace_id")


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plan", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("time_zone", sa.String(length=64), nullable=True))
    op.execute(
        "UPDATE users SET plan = COALESCE((SELECT w.plan FROM workspaces w JOIN memberships m"
        " ON m.workspace_id = w.id WHERE m.user_id = users.id AND m.role = 'owner'"
        " ORDER BY m.created_at, w.id LIMIT 1), 'free'), time_zone = COALESCE((SELECT w.time_zone"
        " FROM workspaces w JOIN memberships m ON m.workspace_id = w.id WHERE m.user_id = users.id"
        " AND m.role = 'owner' ORDER BY m.created_at, w.id LIMIT 1), 'Europe/Moscow')"
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.alter_column("plan", existing_type=sa.String(length=20), type_=PLAN, nullable=False)
        batch_op.alter_column("time_zone", existing_type=sa.String(length=64), nullable=False)
    for table in ("clips", "connections", "publications", "idempotency_keys"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("user_id", sa.Uuid(), nullable=True))
        op.execute(MOVE_DOWN[table])
    for statement in DROP_DOWN:
        op.execute(statement)
    for table in MOVED:
        if table == "oauth_states":
            with op.batch_alter_table(table, schema=None) as batch_op:
                batch_op.drop_index(batch_op.f("ix_oauth_states_workspace_id"))
                batch_op.drop_constraint(
                    batch_op.f("fk_oauth_states_workspace_id_workspaces"), type_="foreignkey"
                )
                batch_op.drop_column("workspace_id")
        else:
            _back_to_user(table)
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_memberships_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_memberships_user_id"))
    op.drop_table("memberships")
    op.drop_table("workspaces")
