"""Database layer: declarative base, portable column types, engine and sessions.

PostgreSQL (asyncpg) in production; SQLite (aiosqlite) as the embedded default.
Every timestamp is stored in UTC and comes back timezone-aware on both.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, Enum, MetaData, String, event
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import GenericFunction
from sqlalchemy.types import TypeDecorator

from autopost.security.vault import EncryptedToken

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on PostgreSQL and SQLite alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use an aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class EncryptedTokenType(TypeDecorator[EncryptedToken]):
    """A column that only ever holds sealed tokens (see security.vault)."""

    impl = String(2048)
    cache_ok = True

    def process_bind_param(self, value: EncryptedToken | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if not isinstance(value, EncryptedToken):
            raise TypeError("only EncryptedToken values may be stored in a token column")
        return value.stored

    def process_result_value(self, value: str | None, dialect: Dialect) -> EncryptedToken | None:
        return None if value is None else EncryptedToken(value)


def enum_type(enum_cls: type[StrEnum], name: str) -> Enum:
    """A portable enum: VARCHAR + CHECK on both databases, storing the member values."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [m.value for m in members],
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class IdMixin:
    # Ids are made here, not by the database, so a token can be bound to its row before insert.
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)


@event.listens_for(IdMixin, "init", propagate=True)
def _assign_id(target: IdMixin, args: Any, kwargs: dict[str, Any]) -> None:
    kwargs.setdefault("id", uuid.uuid4())


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


# The class name is the SQL name SQLite calls (GenericFunction renders it as written).
class local_date(GenericFunction[str]):
    """`local_date(timestamp, zone_name)`: the day ('YYYY-MM-DD') a UTC timestamp falls on in a zone.

    PostgreSQL converts with its own zone data; SQLite calls a Python function registered on each
    connection (it has no time zones), so both count days by the same calendar.
    """

    type = String()
    inherit_cache = True


@compiles(local_date, "postgresql")
def _local_date_postgresql(element: local_date, compiler: SQLCompiler, **kw: Any) -> str:
    moment, zone = list(element.clauses)
    return (
        f"to_char(timezone({compiler.process(zone, **kw)}, {compiler.process(moment, **kw)}), 'YYYY-MM-DD')"
    )


def _sqlite_local_date(stored: str | None, zone: str) -> str | None:
    # SQLite holds UtcDateTime as naive UTC text ("2026-12-03 07:34:55.123456").
    if stored is None:
        return None
    moment = datetime.fromisoformat(stored).replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(zone)).date().isoformat()


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "savepoint", _sqlite_begin_before_savepoint)
        return engine
    return create_async_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
    dbapi_connection.create_function("local_date", 2, _sqlite_local_date, deterministic=True)


def _sqlite_begin_before_savepoint(connection: Connection, _name: str) -> None:
    # Python's sqlite3 opens a transaction only before the first INSERT/UPDATE/DELETE. A SAVEPOINT
    # sent before that starts one of its own, and releasing it COMMITs: a savepoint holding a
    # transaction's first write would be committed even if the transaction is then rolled back.
    if not connection.connection.driver_connection.in_transaction:  # type: ignore[union-attr]
        connection.exec_driver_sql("BEGIN")


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def transaction(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit on success, roll back on any error."""
    async with factory() as session, session.begin():
        yield session
