"""0009: every user's rows move into a personal workspace, and come back to the user going down."""

import asyncio
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa

from autopost.migrations import runner
from tests.migrations.test_migrations import _insert, _read, _run


def _two_users(sync_connection) -> dict[str, uuid.UUID]:  # type: ignore[no-untyped-def]
    """Two users as 0006 holds them, each with a clip, a connection and a publication of it."""
    now = datetime(2026, 3, 1, tzinfo=UTC)
    stamps = {"created_at": now, "updated_at": now}
    ids: dict[str, uuid.UUID] = {}
    for who, plan, zone in (("ann", "pro", "Asia/Yekaterinburg"), ("bob", "start", "Europe/Moscow")):
        ids[who] = uuid.uuid4()
        ids[f"{who}_clip"], ids[f"{who}_conn"], ids[f"{who}_pub"] = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        _insert(
            sync_connection,
            "users",
            id=ids[who],
            email=f"{who}@example.com",
            plan=plan,
            password_hash="x",
            time_zone=zone,
            locale="ru",
            **stamps,
        )
        _insert(
            sync_connection,
            "clips",
            id=ids[f"{who}_clip"],
            user_id=ids[who],
            title=who,
            description="",
            status="ready",
            **stamps,
        )
        _insert(
            sync_connection,
            "connections",
            id=ids[f"{who}_conn"],
            user_id=ids[who],
            platform="telegram",
            kind="token",
            account_id="@same_channel",
            account_name="",
            meta={},
            status="active",
            **stamps,
        )
        _insert(
            sync_connection,
            "publications",
            id=ids[f"{who}_pub"],
            user_id=ids[who],
            clip_id=ids[f"{who}_clip"],
            connection_id=ids[f"{who}_conn"],
            platform="telegram",
            status="scheduled",
            phase="queued",
            progress=0,
            attempts=0,
            title="",
            description="",
            checkpoint={},
            generation=0,
            **stamps,
        )
        keys = sa.table(
            "idempotency_keys",
            *(sa.column(name, sa.Uuid()) for name in ("id", "user_id")),
            *(sa.column(name, sa.String()) for name in ("key", "request_hash")),
            sa.column("publication_ids", sa.JSON()),
            sa.column("created_at", sa.DateTime(timezone=True)),
        )
        sync_connection.execute(
            keys.insert().values(
                id=uuid.uuid4(),
                user_id=ids[who],
                key="same-key",
                request_hash="h",
                publication_ids=[str(ids[f"{who}_pub"])],
                created_at=now,
            )
        )
    return ids


def _as_ids(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    return [tuple(uuid.UUID(str(v)) if _looks_like_id(v) else v for v in row) for row in rows]


def _looks_like_id(value: object) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def test_each_user_gets_a_personal_workspace_and_gets_their_rows_back_down(fresh_database_url: str) -> None:
    runner.upgrade(fresh_database_url, "0006")
    ids = asyncio.run(_run(fresh_database_url, _two_users))
    runner.upgrade(fresh_database_url, "0009")

    def read_up(sync_connection):  # type: ignore[no-untyped-def]
        return {
            "workspaces": _read(
                sync_connection, "SELECT id, name, plan, time_zone FROM workspaces ORDER BY name"
            ),
            "members": _read(
                sync_connection, "SELECT workspace_id, user_id, role FROM memberships ORDER BY role"
            ),
            "clips": _read(sync_connection, "SELECT id, workspace_id FROM clips"),
            "connections": _read(sync_connection, "SELECT id, workspace_id FROM connections"),
            "publications": _read(
                sync_connection, "SELECT id, workspace_id, created_by_id FROM publications"
            ),
            "keys": _read(sync_connection, "SELECT workspace_id, key FROM idempotency_keys"),
        }

    up = asyncio.run(_run(fresh_database_url, read_up))
    ann, bob = ids["ann"], ids["bob"]
    assert _as_ids(up["workspaces"]) == [
        (ann, "ann@example.com", "pro", "Asia/Yekaterinburg"),
        (bob, "bob@example.com", "start", "Europe/Moscow"),
    ]
    assert sorted(_as_ids(up["members"])) == sorted([(ann, ann, "owner"), (bob, bob, "owner")])
    for who in ("ann", "bob"):
        assert (ids[f"{who}_clip"], ids[who]) in _as_ids(up["clips"])
        assert (ids[f"{who}_conn"], ids[who]) in _as_ids(up["connections"])
        assert (ids[f"{who}_pub"], ids[who], ids[who]) in _as_ids(up["publications"])
        assert (ids[who], "same-key") in _as_ids(up["keys"])

    runner.downgrade(fresh_database_url, "0006")

    def read_down(sync_connection):  # type: ignore[no-untyped-def]
        return {
            "users": _read(sync_connection, "SELECT id, plan, time_zone FROM users ORDER BY email"),
            "clips": _read(sync_connection, "SELECT id, user_id FROM clips"),
            "connections": _read(sync_connection, "SELECT id, user_id FROM connections"),
            "publications": _read(sync_connection, "SELECT id, user_id FROM publications"),
            "keys": _read(sync_connection, "SELECT user_id, key FROM idempotency_keys"),
        }

    down = asyncio.run(_run(fresh_database_url, read_down))
    assert _as_ids(down["users"]) == [(ann, "pro", "Asia/Yekaterinburg"), (bob, "start", "Europe/Moscow")]
    for table, suffix in (("clips", "clip"), ("connections", "conn"), ("publications", "pub")):
        assert sorted(_as_ids(down[table])) == sorted(
            [(ids[f"ann_{suffix}"], ann), (ids[f"bob_{suffix}"], bob)]
        )
    assert sorted(_as_ids(down["keys"])) == sorted([(ann, "same-key"), (bob, "same-key")])
    runner.upgrade(fresh_database_url)
