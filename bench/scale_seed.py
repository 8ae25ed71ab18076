"""Seeding bench/scale.py's database: a year of a 30-client agency, written with COPY.

Its own database (`autopost_scale` by default), created if missing and migrated to head. At
scale 1: 30 workspaces (an owner and 3 more members each), 500 connections, 50,000 clips,
1,000,000 publications, 1,000,000 publication events and 5,000,000 stats snapshots. Every
clip goes to 20 accounts of its workspace, around one moment of the past 11 months (published,
some failed or cancelled) or of the next month (scheduled, some awaiting approval); a few are
publishing. Each published one has ~5.5 snapshots. A database whose counts already match is
reused as it is (seeding is the slow part); otherwise its rows are removed and seeded again.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from autopost.migrations import runner
from autopost.platforms.catalog import ConnectionKind, Platform
from autopost_testing.databases import PG_SERVER

YEAR = timedelta(days=365)
PER_CLIP = 20
BATCH_CLIPS = 2_000
MEMBERS = 4
# What each table holds at scale 1.
FULL = {
    "workspaces": 30,
    "connections": 500,
    "clips": 50_000,
    "publications": 1_000_000,
    "stats_snapshots": 5_000_000,
}
# Tables emptied before a new seed, children first.
TABLES = (
    "stats_snapshots",
    "publication_events",
    "publications",
    "clips",
    "connections",
    "memberships",
    "user_sessions",
    "api_tokens",
    "workspaces",
    "users",
)
ROLES = ("owner", "editor", "approver", "viewer")


@dataclass(frozen=True)
class Target:
    workspaces: int
    connections: int
    clips: int
    snapshots: int

    @property
    def publications(self) -> int:
        return self.clips * PER_CLIP

    @classmethod
    def of(cls, scale: float) -> Target:
        workspaces = FULL["workspaces"]
        return cls(
            workspaces=workspaces,
            connections=max(workspaces, round(FULL["connections"] * scale)),
            clips=round(FULL["clips"] * scale),
            snapshots=round(FULL["stats_snapshots"] * scale),
        )

    def counts(self) -> dict[str, int]:
        return {
            "workspaces": self.workspaces,
            "connections": self.connections,
            "clips": self.clips,
            "publications": self.publications,
        }


def pg_url(database: str) -> str:
    return f"{PG_SERVER}/{database}"


def sqlalchemy_url(database: str) -> str:
    return f"postgresql+asyncpg://{PG_SERVER.removeprefix('postgresql://')}/{database}"


async def ensure_database(database: str) -> None:
    admin = await asyncpg.connect(pg_url("postgres"))
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database):
            await admin.execute(f'CREATE DATABASE "{database}"')
    finally:
        await admin.close()
    await asyncio.to_thread(runner.upgrade, sqlalchemy_url(database))


async def _counts(db: asyncpg.Connection) -> dict[str, int]:
    tables = [*Target.of(1).counts(), "publication_events", "stats_snapshots"]
    return {table: await db.fetchval(f"SELECT count(*) FROM {table}") for table in tables}  # noqa: S608


def _moment(rng: random.Random, now: datetime) -> datetime:
    # The past 11 months and the next one.
    return now - YEAR + timedelta(days=30) + YEAR * rng.random()


class _Rows:
    """The rows of every table, made in memory in COPY's column order."""

    def __init__(self, target: Target, now: datetime) -> None:
        self.target, self.now, self.rng = target, now, random.Random(17)
        self.users: list[tuple[Any, ...]] = []
        self.workspaces: list[tuple[Any, ...]] = []
        self.memberships: list[tuple[Any, ...]] = []
        self.connections: list[tuple[Any, ...]] = []
        self.owners: list[uuid.UUID] = []
        self.by_workspace: list[list[tuple[uuid.UUID, str]]] = []

    def people(self) -> None:
        now = self.now
        for n in range(self.target.workspaces):
            workspace = uuid.uuid4()
            self.workspaces.append((workspace, f"Client {n}", "Europe/Moscow", False, "business", now, now))
            for m, role in enumerate(ROLES):
                user = uuid.uuid4()
                if m == 0:
                    self.owners.append(user)
                self.users.append((user, f"scale-{n}-{m}@example.com", "-", "en", now, now))
                self.memberships.append((uuid.uuid4(), workspace, user, role, now))
            self.by_workspace.append([])
        platforms = list(Platform)
        for c in range(self.target.connections):
            n = c % self.target.workspaces
            connection, platform = uuid.uuid4(), platforms[c % len(platforms)]
            self.by_workspace[n].append((connection, platform.value))
            workspace = self.workspaces[n][0]
            kind, name = ConnectionKind.TOKEN.value, f"Account {c}"
            self.connections.append(
                (connection, workspace, platform.value, kind, str(c), name, "{}", "active", now, now)
            )

    def batches(self, size: int) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
        """(clips, publications) of `size` clips at a time."""
        clips: list[tuple[Any, ...]] = []
        publications: list[tuple[Any, ...]] = []
        rng, now = self.rng, self.now
        for i in range(self.target.clips):
            n = i % self.target.workspaces
            workspace, owner = self.workspaces[n][0], self.owners[n]
            clip, at = uuid.uuid4(), _moment(rng, now)
            made = at - timedelta(days=2)
            clips.append(
                (clip, workspace, f"Clip {i}", "", "ready", f"clips/{clip}.mp4", 10_000_000, 30.0, made, made)
            )
            accounts = self.by_workspace[n]
            first = rng.randrange(len(accounts))
            for k in range(PER_CLIP):
                connection, platform = accounts[(first + k) % len(accounts)]
                when = at + timedelta(minutes=rng.randrange(0, 24 * 60))
                status = self._status(rng, when, live_allowed=k < len(accounts))
                publications.append(
                    _publication(
                        (workspace, owner, clip, connection), platform, k, len(accounts), when, status
                    )
                )
            if len(clips) == size:
                yield clips, publications
                clips, publications = [], []
        if clips:
            yield clips, publications

    def _status(self, rng: random.Random, when: datetime, *, live_allowed: bool) -> str:
        roll = rng.random()
        if when >= self.now:
            if not live_allowed:
                return "cancelled"
            return "awaiting_approval" if roll < 0.05 else "scheduled"
        if roll < 0.0005 and live_allowed:
            return "publishing"
        return "failed" if roll < 0.04 else "cancelled" if roll < 0.07 else "published"


CLIP_COLUMNS = [
    "id",
    "workspace_id",
    "title",
    "description",
    "status",
    "storage_key",
    "size_bytes",
    "duration_seconds",
    "created_at",
    "updated_at",
]
PUBLICATION_COLUMNS = [
    "id",
    "workspace_id",
    "created_by_id",
    "clip_id",
    "connection_id",
    "generation",
    "platform",
    "status",
    "phase",
    "progress",
    "scheduled_at",
    "attempts",
    "title",
    "description",
    "remote_id",
    "checkpoint",
    "published_at",
    "views",
    "created_at",
    "updated_at",
]


def _publication(
    owners: tuple[uuid.UUID, uuid.UUID, uuid.UUID, uuid.UUID],
    platform: str,
    k: int,
    accounts: int,
    when: datetime,
    status: str,
) -> tuple[Any, ...]:
    """A publications row in PUBLICATION_COLUMNS order; the k-th of its clip, one generation per
    round over the workspace's accounts."""
    published = status == "published"
    created = when - timedelta(days=3)
    return (
        uuid.uuid4(),
        *owners,
        k // accounts,
        platform,
        status,
        "done" if published else "queued",
        100 if published else 0,
        None if published else when,
        1 if published else 0,
        f"Publication {k}",
        "",
        f"r{uuid.uuid4().hex[:12]}" if published else None,
        "{}",
        when if published else None,
        1000 if published else None,
        created,
        when if status != "scheduled" else created,
    )


# Of all publications, about this share is published (11 of 12 months past, 93 % of those).
PUBLISHED_SHARE = 0.85


def _snapshots(
    publications: list[tuple[Any, ...]], per_publication: float, rng: random.Random, now: datetime
) -> list[tuple[Any, ...]]:
    """About `per_publication` readings of each published one, twice a day from publishing on."""
    whole, part = divmod(per_publication, 1)
    rows = []
    for p in publications:
        if p[7] != "published":
            continue
        for k in range(int(whole) + (rng.random() < part)):
            taken = p[16] + timedelta(hours=12 * (k + 1))
            if taken < now:
                rows.append((uuid.uuid4(), p[0], taken, 37 * (k + 1), 3 * k, k, k // 4))
    return rows


copied: dict[str, int] = {}


async def _copy(db: asyncpg.Connection, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    await db.copy_records_to_table(table, records=rows, columns=columns)
    copied[table] = copied.get(table, 0) + len(rows)


async def seed(database: str, scale: float, *, again: bool = False) -> dict[str, int]:
    """Seed (or reuse, unless `again`) the database for this scale; the table counts it holds."""
    target = Target.of(scale)
    await ensure_database(database)
    db = await asyncpg.connect(pg_url(database))
    try:
        found = await _counts(db)
        if not again and all(found[table] == count for table, count in target.counts().items()):
            print(f"seed: reusing {database} ({found['publications']:,} publications)")
            return found
        started = time.perf_counter()
        print(f"seed: {database} at scale {scale} ...", flush=True)
        await db.execute(f"TRUNCATE {', '.join(TABLES)} CASCADE")
        now = datetime.now(UTC)
        rows = _Rows(target, now)
        rows.people()
        await _copy(
            db, "users", ["id", "email", "password_hash", "locale", "created_at", "updated_at"], rows.users
        )
        columns = ["id", "name", "time_zone", "approval_required", "plan", "created_at", "updated_at"]
        await _copy(db, "workspaces", columns, rows.workspaces)
        await _copy(
            db, "memberships", ["id", "workspace_id", "user_id", "role", "created_at"], rows.memberships
        )
        columns = [
            "id",
            "workspace_id",
            "platform",
            "kind",
            "account_id",
            "account_name",
            "meta",
            "status",
            "created_at",
            "updated_at",
        ]
        await _copy(db, "connections", columns, rows.connections)
        per_publication = target.snapshots / (target.publications * PUBLISHED_SHARE)
        for clips, publications in rows.batches(BATCH_CLIPS):
            await _copy(db, "clips", CLIP_COLUMNS, clips)
            await _copy(db, "publications", PUBLICATION_COLUMNS, publications)
            events = [(uuid.uuid4(), p[0], p[18], "created", "{}") for p in publications]
            await _copy(
                db, "publication_events", ["id", "publication_id", "created_at", "kind", "data"], events
            )
            snapshots = _snapshots(publications, per_publication, rows.rng, now)
            columns = ["id", "publication_id", "taken_at", "views", "likes", "shares", "comments"]
            await _copy(db, "stats_snapshots", columns, snapshots)
            print(
                f"  {sum(copied.values()):,} rows so far, {time.perf_counter() - started:.0f} s", flush=True
            )
        await db.execute("VACUUM ANALYZE")
        print(f"seed: done in {time.perf_counter() - started:.0f} s", flush=True)
        return await _counts(db)
    finally:
        await db.close()
