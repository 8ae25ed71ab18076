import asyncio
import json
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from autopost.db import make_engine
from autopost.i18n import render
from autopost.migrations import runner
from autopost.models import Base
from autopost.publications.events import event_text

TABLES = {
    "alerts",
    "clip_uploads",
    "audit_entries",
    "webhook_deliveries",
    "webhook_endpoints",
    "posting_slots",
    "series",
    "users",
    "api_tokens",
    "clips",
    "invitations",
    "connections",
    "oauth_states",
    "publications",
    "publication_events",
    "stats_snapshots",
    "text_templates",
    "user_sessions",
    "notification_preferences",
    "telegram_links",
    "notification_deliveries",
}


async def _inspect(url: str) -> tuple[set[str], list[object]]:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:

            def read(sync_connection):
                tables = set(inspect(sync_connection).get_table_names())
                context = MigrationContext.configure(sync_connection, opts={"compare_type": True})
                return tables, compare_metadata(context, Base.metadata)

            return await connection.run_sync(read)
    finally:
        await engine.dispose()


def test_migrations_up_down_up_and_match_the_models(fresh_database_url: str) -> None:
    runner.upgrade(fresh_database_url)
    tables, diff = asyncio.run(_inspect(fresh_database_url))
    assert tables >= TABLES
    assert diff == [], f"models and migrations disagree: {diff}"

    runner.downgrade(fresh_database_url, "base")
    tables, _ = asyncio.run(_inspect(fresh_database_url))
    assert tables & TABLES == set()

    runner.upgrade(fresh_database_url)
    tables, _ = asyncio.run(_inspect(fresh_database_url))
    assert tables >= TABLES


async def _run(url: str, work) -> object:  # type: ignore[no-untyped-def]
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            return await connection.run_sync(work)
    finally:
        await engine.dispose()


def _insert(sync_connection, table: str, **values: object) -> None:  # type: ignore[no-untyped-def]
    """A row as an older schema holds it (no model: the models are the newest schema)."""

    def typed(name: str) -> sa.ColumnClause[object]:
        if name == "id" or (name.endswith("_id") and name != "account_id"):
            return sa.column(name, sa.Uuid())
        if name.endswith("_at"):
            return sa.column(name, sa.DateTime(timezone=True))
        if name in ("meta", "checkpoint", "data"):
            return sa.column(name, sa.JSON())
        if name in ("progress", "attempts", "generation"):
            return sa.column(name, sa.Integer())
        return sa.column(name, sa.String())

    sync_connection.execute(sa.table(table, *map(typed, values)).insert().values(**values))


def _old_rows(sync_connection) -> None:  # type: ignore[no-untyped-def]
    """Rows as 0002 stored them: sentences instead of codes."""
    now = datetime.now(UTC)
    ids = {
        name: uuid.uuid4() for name in ("user", "clip", "connection", "coded", "legacy", "event", "started")
    }
    stamps = {"created_at": now, "updated_at": now}

    def insert(table: str, **values: object) -> None:
        _insert(sync_connection, table, **values)

    insert(
        "users",
        id=ids["user"],
        email="m@example.com",
        plan="pro",
        password_hash="x",
        time_zone="UTC",
        locale="en",
        **stamps,
    )
    insert("clips", id=ids["clip"], user_id=ids["user"], title="", description="", status="ready", **stamps)
    insert(
        "connections",
        id=ids["connection"],
        user_id=ids["user"],
        platform="dzen",
        account_id="1",
        account_name="",
        meta={},
        status="needs_reconnect",
        last_error="Токен истёк, переподключите платформу",
        **stamps,
    )
    common = {
        "user_id": ids["user"],
        "clip_id": ids["clip"],
        "connection_id": ids["connection"],
        "platform": "dzen",
        "status": "failed",
        "phase": "queued",
        "progress": 0,
        "attempts": 1,
        "title": "",
        "description": "",
        "checkpoint": {},
        **stamps,
    }
    insert(
        "publications",
        id=ids["coded"],
        error_code="clip_missing",
        error_message="Файл клипа не найден",
        **common,
    )
    insert("publications", id=ids["legacy"], error_code="x.odd", error_message="Странная ошибка", **common)
    for event_id, kind, message in (
        (ids["event"], "cancelled", "Публикация отменена"),
        (ids["started"], "started", "Попытка 1: начинаем"),
    ):
        insert(
            "publication_events",
            id=event_id,
            publication_id=ids["coded"],
            created_at=now,
            kind=kind,
            message=message,
            data={},
        )


def _read(sync_connection, query: str) -> list[tuple[object, ...]]:  # type: ignore[no-untyped-def]
    return [tuple(row) for row in sync_connection.execute(text(query))]


def test_old_sentences_become_codes_and_come_back_on_downgrade(fresh_database_url: str) -> None:
    runner.upgrade(fresh_database_url, "0002")
    asyncio.run(_run(fresh_database_url, _old_rows))
    runner.upgrade(fresh_database_url, "0006")  # 0007 re-codes Dzen OAuth connections: its own test

    def read_new(sync_connection):  # type: ignore[no-untyped-def]
        return (
            _read(sync_connection, "SELECT error_code, error_params FROM publications ORDER BY error_code"),
            _read(sync_connection, "SELECT last_error_code, last_error_params FROM connections"),
            _read(sync_connection, "SELECT kind, data FROM publication_events ORDER BY kind"),
        )

    publications, connections, events = asyncio.run(_run(fresh_database_url, read_new))
    loaded = [(code, json.loads(p) if isinstance(p, str) else p) for code, p in publications]
    assert loaded == [("clip_missing", {}), ("legacy", {"text": "Странная ошибка"})]
    assert render("clip_missing", "en") == "The clip's file was not found"
    assert [(c, json.loads(p) if isinstance(p, str) else p) for c, p in connections] == [
        ("legacy", {"text": "Токен истёк, переподключите платформу"})
    ]
    datas = {kind: json.loads(d) if isinstance(d, str) else d for kind, d in events}
    assert datas == {"cancelled": {}, "started": {"legacy_text": "Попытка 1: начинаем"}}
    assert event_text("cancelled", datas["cancelled"], "en") == "The publication is cancelled"

    runner.downgrade(fresh_database_url, "0002")

    def read_old(sync_connection):  # type: ignore[no-untyped-def]
        return (
            _read(sync_connection, "SELECT error_message FROM publications ORDER BY error_message"),
            _read(sync_connection, "SELECT message FROM publication_events ORDER BY message"),
        )

    messages, event_messages = asyncio.run(_run(fresh_database_url, read_old))
    assert messages == [("Странная ошибка",), ("Файл клипа не найден",)]
    assert event_messages == [("Попытка 1: начинаем",), ("Публикация отменена",)]


def _published_twice(sync_connection) -> dict[str, uuid.UUID]:  # type: ignore[no-untyped-def]
    """Rows as 0004 held them: one clip published twice to one account (concurrent requests could
    do that), a failed attempt, then scheduled a third time; another clip published once there."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    ids = {name: uuid.uuid4() for name in ("user", "clip", "other_clip", "connection")}
    stamps = {"created_at": start, "updated_at": start}
    _insert(
        sync_connection,
        "users",
        id=ids["user"],
        email="g@example.com",
        plan="pro",
        password_hash="x",
        time_zone="UTC",
        locale="ru",
        **stamps,
    )
    for clip in ("clip", "other_clip"):
        _insert(
            sync_connection,
            "clips",
            id=ids[clip],
            user_id=ids["user"],
            title="",
            description="",
            status="ready",
            **stamps,
        )
    _insert(
        sync_connection,
        "connections",
        id=ids["connection"],
        user_id=ids["user"],
        platform="telegram",
        account_id="1",
        account_name="",
        meta={},
        status="active",
        **stamps,
    )
    made = dict(ids)
    plan = [
        ("first", "clip", "published"),
        ("twice", "clip", "published"),
        ("lost", "clip", "failed"),
        ("third", "clip", "scheduled"),
        ("other", "other_clip", "published"),
    ]
    for minute, (name, clip, status) in enumerate(plan):
        made[name] = uuid.uuid4()
        at = start.replace(minute=minute)
        _insert(
            sync_connection,
            "publications",
            id=made[name],
            user_id=ids["user"],
            clip_id=ids[clip],
            connection_id=ids["connection"],
            platform="telegram",
            status=status,
            phase="done",
            progress=0,
            attempts=1,
            title="",
            description="",
            checkpoint={},
            created_at=at,
            updated_at=at,
        )
    return made


def test_0005_numbers_what_was_published_twice_and_comes_back_down(fresh_database_url: str) -> None:
    runner.upgrade(fresh_database_url, "0004")
    made = asyncio.run(_run(fresh_database_url, _published_twice))
    # The rows below are written as 0006 holds them (0009 moves them into workspaces).
    runner.upgrade(fresh_database_url, "0006")

    def generations(sync_connection):  # type: ignore[no-untyped-def]
        rows = _read(sync_connection, "SELECT id, generation FROM publications")
        return {uuid.UUID(str(row_id)): generation for row_id, generation in rows}

    found = asyncio.run(_run(fresh_database_url, generations))
    # In the order they were made; a failed one holds no generation of its own (it keeps 0).
    assert {name: found[made[name]] for name in ("first", "twice", "lost", "third", "other")} == {
        "first": 0,
        "twice": 1,
        "lost": 0,
        "third": 2,
        "other": 0,
    }

    def publish_generation_one_again(sync_connection) -> None:  # type: ignore[no-untyped-def]
        now = datetime.now(UTC)
        _insert(
            sync_connection,
            "publications",
            id=uuid.uuid4(),
            user_id=made["user"],
            clip_id=made["clip"],
            connection_id=made["connection"],
            platform="telegram",
            status="published",
            phase="done",
            progress=100,
            attempts=1,
            title="",
            description="",
            checkpoint={},
            generation=1,
            created_at=now,
            updated_at=now,
        )

    with pytest.raises(sa.exc.IntegrityError):  # generation 1 of that clip there is taken
        asyncio.run(_run(fresh_database_url, publish_generation_one_again))

    runner.downgrade(fresh_database_url, "0004")

    def after_downgrade(sync_connection):  # type: ignore[no-untyped-def]
        table = inspect(sync_connection)
        columns = {column["name"] for column in table.get_columns("publications")}
        indexes = {index["name"] for index in table.get_indexes("publications")}
        return columns, indexes, _read(sync_connection, "SELECT count(*) FROM publications")

    columns, indexes, count = asyncio.run(_run(fresh_database_url, after_downgrade))
    assert "generation" not in columns and count == [(5,)]
    assert "uq_publications_live_clip_connection" in indexes
    assert "uq_publications_clip_connection_generation" not in indexes


def test_connections_get_their_kind_and_sqlite_rebuilds_keep_every_publication(
    fresh_database_url: str,
) -> None:
    runner.upgrade(fresh_database_url, "0002")
    asyncio.run(_run(fresh_database_url, _old_rows))
    runner.upgrade(fresh_database_url)

    def read(sync_connection):  # type: ignore[no-untyped-def]
        return (
            _read(sync_connection, "SELECT platform, kind FROM connections"),
            _read(sync_connection, "SELECT count(*) FROM publications"),
            _read(sync_connection, "SELECT count(*) FROM publication_events"),
        )

    # Rebuilding `connections` (SQLite batch mode) must not cascade-delete what points at it.
    assert asyncio.run(_run(fresh_database_url, read)) == ([("dzen", "oauth")], [(2,)], [(2,)])
    runner.downgrade(fresh_database_url, "0004")
    assert asyncio.run(_run(fresh_database_url, lambda c: _read(c, "SELECT count(*) FROM publications"))) == [
        (2,)
    ]


def _oauth_connections(sync_connection) -> dict[str, uuid.UUID]:  # type: ignore[no-untyped-def]
    """Connections as 0006 stored them: Dzen through Yandex OAuth (one active, one failing), VK ID."""
    now = datetime.now(UTC)
    user = uuid.uuid4()
    _insert(
        sync_connection,
        "users",
        id=user,
        email="d@example.com",
        plan="pro",
        password_hash="x",
        time_zone="UTC",
        locale="en",
        created_at=now,
        updated_at=now,
    )
    ids = {name: uuid.uuid4() for name in ("dzen", "dzen_failing", "vk")}
    rows = {
        "dzen": ("dzen", "active", None),
        "dzen_failing": ("dzen", "needs_reconnect", "token_expired"),
        "vk": ("vk", "active", None),
    }
    for name, (platform, status, code) in rows.items():
        _insert(
            sync_connection,
            "connections",
            id=ids[name],
            user_id=user,
            platform=platform,
            kind="oauth",
            account_id=name,
            account_name="",
            meta={"channel_url": "https://dzen.ru/id/1"} if platform == "dzen" else {},
            status=status,
            last_error_code=code,
            created_at=now,
            updated_at=now,
        )
    return ids


def test_0007_dzen_oauth_connections_need_reconnecting_and_come_back_down(fresh_database_url: str) -> None:
    runner.upgrade(fresh_database_url, "0006")
    ids = asyncio.run(_run(fresh_database_url, _oauth_connections))

    def read(sync_connection):  # type: ignore[no-untyped-def]
        rows = sync_connection.execute(
            sa.select(
                sa.column("account_id"),
                sa.column("status"),
                sa.column("last_error_code"),
                sa.column("meta", sa.JSON()),
            ).select_from(sa.table("connections"))
        )
        return {row.account_id: (row.status, row.last_error_code, row.meta) for row in rows}

    before = asyncio.run(_run(fresh_database_url, read))
    runner.upgrade(fresh_database_url)
    after = asyncio.run(_run(fresh_database_url, read))
    for name in ("dzen", "dzen_failing"):
        status, code, meta = after[name]
        assert (status, code, meta["channel_url"]) == (
            "needs_reconnect",
            "dzen.session_required",
            "https://dzen.ru/id/1",
        )
    assert after["vk"] == before["vk"]
    assert render("dzen.session_required", "en").startswith(
        "Dzen is now connected through your signed-in dzen.ru browser session"
    )
    assert render("dzen.session_required", "ru").startswith(
        "Теперь Дзен подключается через вашу сессию dzen.ru"
    )

    runner.downgrade(fresh_database_url, "0006")
    assert asyncio.run(_run(fresh_database_url, read)) == before
    assert len(ids) == 3
