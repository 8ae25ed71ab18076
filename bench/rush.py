"""The 18:00 rush: many accounts' publications due in one minute, under the platforms' own limits.

--accounts sandbox accounts (POST /_sandbox/accounts, split evenly over VK, Telegram, Rutube
and Дзен) each get --per-account publications, all due at random moments of one minute, with
the production default per-account limits (the sandbox enforces its own and counts every
violation), --workers `autopost worker` processes at their default concurrency, PostgreSQL
and Redis. Lateness = published_at − scheduled_at: the post is out and the engine knows it. The goal
(p99 < 5 s "where the per-account limits allow it") is judged against what an account's own
limits allow: its publications one after another, each as long as one publication alone.

Baselines, in the same run: as many no-op BullMQ delayed jobs, due at the same offsets,
drained by as many no-op worker processes (processedOn − the intended time); and one
publication per platform due alone, on a quiet engine (what its own calls take under the
account's limits: the lateness no rush can go below).

A second rush injects 429s on one Telegram bot (every sendVideo of it refused with
--retry-after, --noisy-refusals times) and prints everyone else's lateness beside the first
rush's. Not production defaults: the sandbox processes uploads at once (processing_seconds 0)
and the engine polls processing every 0.3 s (bench/harness.py ENGINE_SETTINGS).

    .venv/bin/python -m bench.rush [--accounts 200] [--per-account 5] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from autopost.connections.models import Connection
from autopost.platforms.catalog import Platform
from autopost.publications.models import Publication
from autopost.users.models import User
from autopost.users.plans import Plan
from autopost.worker import DEFAULT_CONCURRENCY
from autopost_testing.demo import connect_account
from autopost_testing.media import make_clip
from bench import harness
from bench.queue import fire_delayed, noop_queue, spread_line, start_noop_worker

WINDOW_SECONDS = 60.0
LEAD_SECONDS = 15.0
GOAL_P99 = 5.0


@dataclass
class Options:
    accounts: int
    per_account: int
    workers: int
    noisy_refusals: int
    retry_after: int
    keep: bool
    seed: int


@dataclass
class Tenant:
    platform: Platform
    connection: Connection
    account_id: str  # the sandbox's name for it: a Telegram bot's id is what a fault can target


async def seed_tenants(bench: harness.Bench, user: User, count: int) -> list[Tenant]:
    """count accounts over the four platforms, each connected the way the product connects it."""
    tenants: list[Tenant] = []
    for index, platform in enumerate(Platform):
        share = count // len(Platform) + (1 if index < count % len(Platform) else 0)
        made = await bench.sandbox.seed_accounts(platform.value, share)
        for start in range(0, len(made), 10):
            batch = made[start : start + 10]
            connections = await asyncio.gather(
                *(connect_account(bench.runtime, user, platform, a["credentials"]) for a in batch)
            )
            for account, connection in zip(batch, connections, strict=True):
                bot = str(account["credentials"].get("bot_token", "")).split(":", 1)[0]
                tenants.append(Tenant(platform, connection, bot))
    return tenants


@dataclass
class Rush:
    lateness: dict[uuid.UUID, float]  # publication id → seconds late
    due: dict[uuid.UUID, float]  # publication id → its due moment (epoch seconds)
    platform_of: dict[uuid.UUID, Platform]
    connection_of: dict[uuid.UUID, uuid.UUID]
    failed: int
    violations: dict[str, dict[str, int]]
    seconds: float


async def _violations(bench: harness.Bench) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = (await bench.sandbox.state())["rate_limit_violations"]
    return counts


async def rush(
    bench: harness.Bench,
    user: User,
    tenants: Sequence[Tenant],
    clips: Sequence[uuid.UUID],
    offsets: Sequence[float],
) -> Rush:
    """Every tenant gets each clip once, due at base + its offset; waits until all are done."""
    before = await _violations(bench)
    planned = [
        harness.Planned(clip, t.connection.id, f"rush {n}") for t in tenants for n, clip in enumerate(clips)
    ]
    base = datetime.now(UTC) + timedelta(seconds=LEAD_SECONDS)
    when = [base + timedelta(seconds=offset) for offset in offsets]
    started = time.monotonic()
    ids = await harness.publish(bench.runtime, user.id, planned, scheduled_at=when)
    if datetime.now(UTC) > base:
        print(f"  note: creating the publications took longer than the {LEAD_SECONDS:g} s lead")
    counts, _ = await harness.wait_terminal(
        bench.runtime, ids, LEAD_SECONDS + WINDOW_SECONDS + 600, label="rush "
    )
    publications: list[Publication] = await harness.load_publications(bench.runtime, ids)
    after = await _violations(bench)
    lateness = {
        p.id: (p.published_at - p.scheduled_at).total_seconds()
        for p in publications
        if p.published_at is not None and p.scheduled_at is not None
    }
    return Rush(
        lateness,
        {p.id: p.scheduled_at.timestamp() for p in publications if p.scheduled_at is not None},
        {p.id: p.platform for p in publications},
        {p.id: p.connection_id for p in publications},
        counts["failed"],
        _difference(after, before),
        time.monotonic() - started,
    )


def _difference(
    after: dict[str, dict[str, int]], before: dict[str, dict[str, int]]
) -> dict[str, dict[str, int]]:
    changed: dict[str, dict[str, int]] = {}
    for platform, units in after.items():
        for unit, count in units.items():
            more = count - before.get(platform, {}).get(unit, 0)
            if more:
                changed.setdefault(platform, {})[unit] = more
    return changed


async def noop_rush(bench: harness.Bench, offsets: Sequence[float], workers: int) -> list[float]:
    """The same due times for no-op delayed jobs, drained by `workers` no-op worker processes."""
    namespace = bench.world.settings.redis_namespace
    async with noop_queue(bench, DEFAULT_CONCURRENCY * len(Platform)) as queue:
        extra = [
            start_noop_worker("noop-baseline", namespace, DEFAULT_CONCURRENCY * len(Platform))
            for _ in range(workers - 1)
        ]
        try:
            return await fire_delayed(queue, LEAD_SECONDS, offsets, LEAD_SECONDS + WINDOW_SECONDS + 120)
        finally:
            for process in extra:
                process.terminate()
                await asyncio.to_thread(process.wait, 30)


def _by_platform(result: Rush, keep: set[uuid.UUID] | None = None) -> dict[str, list[float]]:
    grouped: dict[str, list[float]] = {}
    for publication_id, late in result.lateness.items():
        if keep is None or result.connection_of[publication_id] in keep:
            grouped.setdefault(result.platform_of[publication_id].value, []).append(late)
    return grouped


async def alone(
    bench: harness.Bench, user: User, tenants: Sequence[Tenant], clip: uuid.UUID
) -> dict[str, float]:
    """One publication per platform (its first account), all due together: nothing else runs."""
    firsts = [next(t for t in tenants if t.platform is platform) for platform in Platform]
    result = await rush(bench, user, firsts, [clip], [0.0] * len(firsts))
    return {platform.value: late for platform, late in zip(Platform, _in_order(result, firsts), strict=True)}


def limits_floor(result: Rush, quiet: dict[str, float]) -> dict[str, list[float]]:
    """The lateness one account's own limits impose, whatever the engine: its publications run one
    after another, each taking what it takes alone (its calls at the account's pace)."""
    due: dict[uuid.UUID, list[tuple[float, uuid.UUID]]] = {}
    for publication_id in result.lateness:
        due.setdefault(result.connection_of[publication_id], []).append(
            (result.due[publication_id], publication_id)
        )
    floors: dict[str, list[float]] = {}
    for items in due.values():
        finished = -math.inf
        for at, publication_id in sorted(items):
            platform = result.platform_of[publication_id].value
            finished = max(at, finished) + quiet[platform]
            floors.setdefault(platform, []).append(finished - at)
    return floors


def _in_order(result: Rush, tenants: Sequence[Tenant]) -> list[float]:
    late_of = {result.connection_of[i]: late for i, late in result.lateness.items()}
    return [late_of.get(t.connection.id, float("nan")) for t in tenants]


def report(
    options: Options,
    noop: list[float],
    quiet: dict[str, float],
    first: Rush,
    second: Rush,
    noisy: Tenant,
    total: int,
) -> None:
    p = harness.percentile
    base99 = p(noop, 99)
    print()
    print(
        f"rush: {total} publications from {options.accounts} accounts, due within {WINDOW_SECONDS:g} s; "
        f"{options.workers} worker processes, production default limits, {os.cpu_count()} CPUs"
    )
    print("  " + spread_line("no-op BullMQ delayed job (base)", noop))
    every = [late for lates in _by_platform(first).values() for late in lates]
    print("  " + spread_line("all platforms", every) + f"   p99 ×base {p(every, 99) / base99:.1f}")
    floors = limits_floor(first, quiet)
    for platform, lates in sorted(_by_platform(first).items()):
        allowed = max(GOAL_P99, p(floors[platform], 99))
        verdict = "met" if p(lates, 99) < allowed else "MISSED"
        print(
            "  "
            + spread_line(platform, lates)
            + f"   alone {quiet[platform]:.3f} s   limits allow p99 {p(floors[platform], 99):.3f} s"
            + f"   goal p99 < {allowed:.3f} s: {verdict}"
        )
    print(f"  failed: {first.failed}   limit violations seen by the sandbox: {first.violations or 0}")
    print()
    print(
        f"second rush: Telegram refuses bot {noisy.account_id} {options.noisy_refusals} times "
        f"(429, retry_after {options.retry_after} s)"
    )
    others = {t for t in second.connection_of.values() if t != noisy.connection.id}
    noisy_lates = [
        late for i, late in second.lateness.items() if second.connection_of[i] == noisy.connection.id
    ]
    print("  " + spread_line("the noisy bot's publications", noisy_lates))
    for platform, lates in sorted(_by_platform(second, others).items()):
        before = _by_platform(first).get(platform, [])
        print(
            "  "
            + spread_line(f"others, {platform}", lates)
            + f"   p99 first rush {p(before, 99):.3f} s (×{p(lates, 99) / max(p(before, 99), 1e-9):.2f})"
        )
    print(f"  failed: {second.failed}   limit violations seen by the sandbox: {second.violations or 0}")


async def run(options: Options) -> None:
    rng = random.Random(options.seed)
    async with harness.running("rush", keep=options.keep, production_limits=True) as bench:
        await bench.sandbox.config(processing_seconds=0)
        user = await bench.world.new_user(f"rush-{bench.tag}@example.com", plan=Plan.BUSINESS)
        tenants = await seed_tenants(bench, user, options.accounts)
        print(f"{len(tenants)} accounts connected", flush=True)
        clip = make_clip(bench.workdir / "clip.mp4", seconds=3, width=360, height=640)
        stored = await harness.store_clip_file(bench.runtime, user, clip, duration=3.0)
        titles = [f"clip {n}" for n in range(2 * options.per_account + 1)]
        clips = await harness.add_clips(bench.runtime, user, stored, titles)
        total = len(tenants) * options.per_account
        offsets = [rng.uniform(0, WINDOW_SECONDS) for _ in range(total)]

        noop = await noop_rush(bench, offsets, options.workers)
        print("baseline measured; the rush next", flush=True)
        for _ in range(options.workers):
            bench.world.spawn_worker(DEFAULT_CONCURRENCY)
        quiet = await alone(bench, user, tenants, clips[-1])
        first = await rush(bench, user, tenants, clips[: options.per_account], offsets)
        noisy = next(t for t in tenants if t.platform is Platform.TELEGRAM)
        await bench.sandbox.fault(
            platform="telegram",
            fault="rate_limit",
            on="sendVideo",
            count=options.noisy_refusals,
            retry_after=options.retry_after,
            account=noisy.account_id,
        )
        second = await rush(
            bench, user, tenants, clips[options.per_account : 2 * options.per_account], offsets
        )
        dead = bench.world.dead_workers()
        if dead:
            print("\n".join(dead))
    report(options, noop, quiet, first, second, noisy, total)


def parse() -> Options:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--per-account", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--noisy-refusals", type=int, default=3)
    parser.add_argument("--retry-after", type=int, default=10)
    parser.add_argument("--keep", action="store_true", help="keep the logs and the database")
    parser.add_argument("--seed", type=int, default=18)
    args: Any = parser.parse_args()
    return Options(**{name: getattr(args, name) for name in Options.__dataclass_fields__})


if __name__ == "__main__":
    asyncio.run(run(parse()))
