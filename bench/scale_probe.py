"""What bench/scale.py measures with: the SQL a code path sent, replayed bare, and its plans.

`Capture` records every statement (and its parameters, as the driver got them) that the product's
engine sends while it is on. `replay` runs exactly those statements on a plain asyncpg connection:
the bare-SQL baseline of the same work. `plan` EXPLAINs one of them (ANALYZE, the real
parameters) and `seq_scans` names the big tables a plan reads sequentially.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

BIG_TABLES = frozenset({"publications", "stats_snapshots", "clips", "publication_events"})


@dataclass
class Capture:
    statements: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    on: bool = False

    def hook(self, engine: AsyncEngine) -> None:
        def before(
            _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool
        ) -> None:
            if self.on and not many:
                self.statements.append((statement, tuple(parameters or ())))

        event.listen(engine.sync_engine, "before_cursor_execute", before)

    @contextmanager
    def recording(self) -> Iterator[list[tuple[str, tuple[Any, ...]]]]:
        self.statements = []
        self.on = True
        try:
            yield self.statements
        finally:
            self.on = False


def reads(statements: list[tuple[str, tuple[Any, ...]]]) -> list[tuple[str, tuple[Any, ...]]]:
    """The SELECTs among them (a replayed write would change what the next run reads)."""
    return [
        (sql, params) for sql, params in statements if sql.lstrip().upper().startswith(("SELECT", "WITH"))
    ]


async def replay(db: asyncpg.Connection, statements: list[tuple[str, tuple[Any, ...]]]) -> float:
    """Milliseconds to run these statements one after another and fetch all their rows."""
    started = time.perf_counter()
    for sql, params in statements:
        await db.fetch(sql, *params)
    return (time.perf_counter() - started) * 1000


async def plan(db: asyncpg.Connection, sql: str, params: tuple[Any, ...]) -> list[str]:
    rows = await db.fetch(f"EXPLAIN (ANALYZE, BUFFERS OFF, TIMING OFF) {sql}", *params)
    return [row[0] for row in rows]


async def seq_scans(db: asyncpg.Connection, sql: str, params: tuple[Any, ...]) -> set[str]:
    """The big tables this statement's plan reads by Seq Scan."""
    [row] = await db.fetch(f"EXPLAIN (FORMAT JSON) {sql}", *params)
    found: set[str] = set()

    def walk(node: dict[str, Any]) -> None:
        if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") in BIG_TABLES:
            found.add(node["Relation Name"])
        for child in node.get("Plans", []):
            walk(child)

    walk(json.loads(row[0])[0]["Plan"])
    return found
