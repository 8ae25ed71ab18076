"""A year of a 30-client agency on PostgreSQL: every page and list, the passes, size, worker memory.

Setup (not timed): bench/scale_seed.py seeds the database `--database` (default autopost_scale,
created and migrated if missing) with ~1M publications, 50k clips, 500 connections, 30 workspaces,
1M publication events and 5M stats snapshots by COPY (`--scale 0.1` for a tenth); a database already
holding the counts is reused. An owner of one workspace gets a browser session and an API token.

Timed, through the product's own path: the ASGI app (autopost.app.create_app, its lifespan, a
Runtime on the local Redis) called over httpx2's ASGI transport with the session cookie (pages)
or the bearer token (API), --runs times after 2 warm-ups, scoped to that one workspace. The
baseline of each row is the same SQL: every SELECT the request sent (captured from the engine),
replayed on a plain asyncpg connection, --runs times. `ratio` is p50 over bare p50: what the
app, its ORM and its templates add. `seq` names the big tables any of its plans reads by Seq Scan.

Then the sweeper pass and the stats-scheduling pass (run for real, against a Redis namespace of
this run), with EXPLAIN ANALYZE of their queries; the database size per 100k publications; and
the RSS of one `autopost worker` process over 100k jobs (bench/scale_worker.py says what runs).

    .venv/bin/python -m bench.scale [--scale 1] [--runs 20] [--worker-jobs 100000]
        [--database autopost_scale] [--skip pages passes worker] [--reseed]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx2
from sqlalchemy import select

import autopost.models  # noqa: F401  (every table, for the ORM's foreign keys)
from autopost.app import create_app
from autopost.db import make_engine, make_session_factory, transaction, utcnow
from autopost.publications.sweeper import sweep_publications
from autopost.runtime import Runtime
from autopost.security.sessions import SESSION_COOKIE
from autopost.settings import Settings
from autopost.stats.tasks import schedule_stats
from autopost.users.models import User
from autopost.users.service import create_api_token
from autopost.users.sessions import start_session
from autopost_testing.world import REDIS_URL, world_settings
from bench import harness, scale_probe, scale_seed, scale_worker

GOAL_MS = 300.0


async def _credentials(url: str) -> tuple[str, str, str]:
    """A browser session and an API token of workspace "Client 0"'s owner, and one clip id of it."""
    engine = make_engine(url)
    try:
        async with transaction(make_session_factory(engine)) as session:
            user = await session.scalar(select(User).where(User.email == "scale-0-0@example.com"))
            assert user is not None, "seeded owner missing"
            cookie = await start_session(session, user)
            token = await create_api_token(session, user, "scale bench")
        db = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
        try:
            clip = await db.fetchval(
                "SELECT c.id FROM clips c JOIN memberships m ON m.workspace_id = c.workspace_id "
                "JOIN users u ON u.id = m.user_id WHERE u.email = 'scale-0-0@example.com' LIMIT 1"
            )
        finally:
            await db.close()
        return cookie, token, str(clip)
    finally:
        await engine.dispose()


def endpoints(clip_id: str) -> list[tuple[str, str, str]]:
    """(name, page or api, path): every page and list a user of one workspace opens."""
    past_month = (utcnow() - timedelta(days=120)).date().isoformat()
    pages = [
        ("clips page", "/"),
        ("clips page 20", "/?page=20"),
        ("publications scheduled", "/publications?tab=scheduled"),
        ("publications scheduled, awaiting approval", "/publications?tab=scheduled&status=awaiting_approval"),
        ("publications scheduled, telegram", "/publications?tab=scheduled&platform=telegram"),
        ("publications history", "/publications?tab=history"),
        ("publications history, failed", "/publications?tab=history&status=failed"),
        ("publications history, vk", "/publications?tab=history&platform=vk"),
        (
            "publications history, rutube cancelled",
            "/publications?tab=history&platform=rutube&status=cancelled",
        ),
        ("publications history page 200", "/publications?tab=history&page=200"),
        ("calendar week", "/calendar"),
        ("calendar month", "/calendar?view=month"),
        ("calendar month, 4 months ago", f"/calendar?view=month&date={past_month}"),
        ("clip card", f"/clips/{clip_id}/card"),
        ("stats 7 days", "/stats?days=7"),
        ("stats 30 days", "/stats?days=30"),
        ("stats 90 days", "/stats?days=90"),
        ("stats.csv 30 days", "/stats.csv?days=30"),
        ("stats.csv 90 days by clip", "/stats.csv?days=90&group_by=clip"),
    ]
    apis = [
        ("GET /api/v1/clips", "/api/v1/clips"),
        ("GET /api/v1/clips offset 1000", "/api/v1/clips?offset=1000"),
        ("GET /api/v1/publications", "/api/v1/publications"),
        ("GET /api/v1/publications status=published", "/api/v1/publications?status=published"),
        ("GET /api/v1/publications status=scheduled", "/api/v1/publications?status=scheduled"),
        ("GET /api/v1/publications status=failed", "/api/v1/publications?status=failed"),
        ("GET /api/v1/publications platform=dzen", "/api/v1/publications?platform=dzen"),
        ("GET /api/v1/publications clip_id", f"/api/v1/publications?clip_id={clip_id}"),
        ("GET /api/v1/publications offset 20000", "/api/v1/publications?offset=20000"),
        ("GET /api/v1/connections", "/api/v1/connections"),
        ("GET /api/v1/stats by platform", "/api/v1/stats?group_by=platform"),
        ("GET /api/v1/stats by clip", "/api/v1/stats?group_by=clip"),
        ("GET /api/v1/stats.csv by day", "/api/v1/stats.csv?group_by=day"),
    ]
    return [(name, "page", path) for name, path in pages] + [(name, "api", path) for name, path in apis]


@contextlib.asynccontextmanager
async def _app(settings: Settings) -> AsyncIterator[tuple[Any, Runtime]]:
    app = create_app(settings, redis_url=REDIS_URL)
    async with app.router.lifespan_context(app):
        yield app, app.state.runtime


def _row(name: str, took: list[float], bare: list[float], extra: str) -> str:
    p50, p95 = harness.percentile(took, 50), harness.percentile(took, 95)
    b50, b95 = harness.percentile(bare, 50), harness.percentile(bare, 95)
    ratio = f"{p50 / b50:6.1f}x" if b50 > 0 else "    n/a"
    mark = "met" if p95 < GOAL_MS else "NOT MET"
    return f"{name:<46} {p50:8.1f} {p95:8.1f} {b50:8.1f} {b95:8.1f} {ratio} {mark:>8}  {extra}"


HEADER = (
    f"{'':<46} {'p50 ms':>8} {'p95 ms':>8} {'bare50':>8} {'bare95':>8} {'ratio':>7} {'p95<300':>8}  seq scans"
)


async def _measure(
    capture: scale_probe.Capture,
    raw: asyncpg.Connection,
    runs: int,
    call: Callable[[], Awaitable[object]],
) -> tuple[list[float], list[float], list[tuple[str, tuple[Any, ...]]], set[str]]:
    for _ in range(2):
        await call()
    took = []
    for n in range(runs):
        started = time.perf_counter()
        if n == 0:
            with capture.recording() as statements:
                await call()
        else:
            await call()
        took.append((time.perf_counter() - started) * 1000)
    selects = scale_probe.reads(statements)
    bare = [await scale_probe.replay(raw, selects) for _ in range(runs)]
    seq: set[str] = set()
    for sql, params in selects:
        seq |= await scale_probe.seq_scans(raw, sql, params)
    return took, bare, selects, seq


async def _pages(app: Any, runtime: Runtime, raw: asyncpg.Connection, args: Any, url: str) -> None:
    cookie, token, clip_id = await _credentials(url)
    capture = scale_probe.Capture()
    capture.hook(runtime.engine)
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://scale.test") as client:
        print("\nPages and API lists (one workspace, ~1/30 of the rows):")
        print(HEADER)
        for name, kind, path in endpoints(clip_id):
            headers = {"Authorization": f"Bearer {token}"} if kind == "api" else {}
            cookies = {SESSION_COOKIE: cookie} if kind == "page" else {}

            async def call(
                path: str = path, headers: dict[str, str] = headers, cookies: Any = cookies
            ) -> None:
                client.cookies.clear()
                response = await client.get(path, headers=headers, cookies=cookies)
                assert response.status_code == 200, (path, response.status_code, response.text[:300])
                await response.aread()

            took, bare, _, seq = await _measure(capture, raw, args.runs, call)
            print(_row(name, took, bare, ", ".join(sorted(seq)) or "-"), flush=True)


async def _passes(runtime: Runtime, raw: asyncpg.Connection, runs: int) -> None:
    capture = scale_probe.Capture()
    capture.hook(runtime.engine)
    print("\nPeriodic passes (all workspaces):")
    print(HEADER)
    plans = []
    for name, work in (("sweeper pass", sweep_publications), ("stats-scheduling pass", schedule_stats)):

        async def call(work: Callable[[Runtime], Awaitable[object]] = work) -> None:
            await work(runtime)

        took, bare, selects, seq = await _measure(capture, raw, runs, call)
        print(_row(name, took, bare, ", ".join(sorted(seq)) or "-"), flush=True)
        plans += [(name, sql, params, seq) for sql, params in selects if "publications" in sql]
    for name, sql, params, seq in plans:
        print(f"\nEXPLAIN ANALYZE, {name}:\n    {' '.join(sql.split())[:400]}")
        for line in await scale_probe.plan(raw, sql, params):
            print("   ", line)
        big = ", ".join(sorted(scale_probe.BIG_TABLES))
        verdict = f"Seq Scan on {', '.join(sorted(seq))}" if seq else "no Seq Scan"
        print(f"  => {name}: {verdict} on the big tables ({big})")


SIZE_SQL = """
SELECT c.relname, pg_total_relation_size(c.oid)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname = 'public'
ORDER BY 2 DESC
"""


async def _size(raw: asyncpg.Connection, counts: dict[str, int]) -> None:
    rows = await raw.fetch(SIZE_SQL)
    total = sum(size for _, size in rows)
    per = 100_000 / max(1, counts["publications"])
    print(
        f"\nDatabase size: {total / 2**20:,.0f} MiB in all, {total * per / 2**20:,.1f} MiB per 100k publications"
    )
    for name, size in rows[:6]:
        print(
            f"  {name:<22} {size / 2**20:9,.0f} MiB  ({size * per / 2**20:7,.1f} MiB per 100k publications)"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--database", default="autopost_scale")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--worker-jobs", type=int, default=100_000)
    parser.add_argument("--skip", nargs="*", default=[], choices=["pages", "passes", "worker"])
    parser.add_argument("--reseed", action="store_true", help="seed again even if the counts match")
    args = parser.parse_args()
    started = time.perf_counter()
    counts = await scale_seed.seed(args.database, args.scale, again=args.reseed)
    print(f"seeded: {counts} ({time.perf_counter() - started:.0f} s)")
    url = scale_seed.sqlalchemy_url(args.database)
    with tempfile.TemporaryDirectory(prefix="autopost-scale-") as workdir:
        settings = world_settings(Path(workdir), url, sweep_interval_seconds=30, worker_lock_seconds=30)
        raw = await asyncpg.connect(scale_seed.pg_url(args.database))
        try:
            async with _app(settings) as (app, runtime):
                try:
                    if "pages" not in args.skip:
                        await _pages(app, runtime, raw, args, url)
                    if "passes" not in args.skip:
                        await _passes(runtime, raw, args.runs)
                finally:
                    await scale_worker.clear_namespace(runtime, settings.redis_namespace)
            await _size(raw, counts)
        finally:
            await raw.close()
        if "worker" not in args.skip:
            await scale_worker.measure(settings, args.worker_jobs, f"{args.database}_worker")


if __name__ == "__main__":
    asyncio.run(main())
