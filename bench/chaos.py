"""Chaos: publications to all four platforms under injected faults, worker SIGKILLs and a Redis flush.

Real `autopost worker` subprocesses (and one `autopost serve`, where Rutube fetches
clips) on PostgreSQL and Redis, against the sandbox:

Phase 1: --publications publications round-robin over VK (VK ID connection: its
token refreshes), Telegram, Rutube and Дзен (a dzen.ru session: a stale CSRF token
is read again). Each publishing call fails with probability --fault-rate, mixed evenly
over the fault kinds the call can have (rate_limit, server_error, timeout, reset,
token_expired where refresh works, invalid_csrf, processing_failed), via POST /_sandbox/faults "rate" per
operation (OAuth endpoints are spared: a refresh answer lost for good is the one
fault that rightly ends in "reconnect", and it would fail every later publication).
A random worker is SIGKILLed every --kill-every seconds (about) and replaced, for
--chaos-seconds; the namespace's Redis keys are deleted once, at --flush-at.
Printed: terminal % (goal 100 %), duplicates on the platforms (posts whose
title/caption carries the same publication number; goal 0), lost publications
(non-terminal at the cap; goal 0), outcomes by error code.

Phase 2: --phase2 publications at --phase2-rate faults, no kills, no flush:
first-attempt success of the publications whose platform answered normally (no
fault seen in their history; goal >= 99 %).

    .venv/bin/python -m bench.chaos [--publications 300] [--workers 3] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import re
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from autopost.connections.models import Connection, ConnectionStatus
from autopost.db import transaction
from autopost.platforms.catalog import Platform
from autopost.publications.events import EventKind
from autopost.publications.models import Publication, PublicationEvent, PublicationStatus
from autopost.users.plans import Plan
from autopost_testing.demo import connect_demo, connect_oauth
from autopost_testing.media import make_clip
from autopost_testing.world import TERMINAL
from bench import harness

API = ("rate_limit", "server_error", "timeout", "reset", "token_expired")
NO_AUTH = ("rate_limit", "server_error", "timeout", "reset")
# Every publishing operation of each emulator, with the fault kinds it can serve (docs/platforms/*.md).
FAULT_OPS: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "vk": [
        ("shortVideo.create", API),
        ("video.save", API),
        ("upload", ("server_error", "timeout", "reset", "processing_failed")),
        ("shortVideo.encodeProgress", API),
        ("shortVideo.publish", API),
        ("video.get", API),
        ("wall.post", API),
    ],
    # Bot tokens and Rutube tokens cannot be refreshed: token_expired there means "reconnect".
    "telegram": [("sendVideo", NO_AUTH)],
    "rutube": [
        ("video.create", (*NO_AUTH, "processing_failed")),
        ("video.get", NO_AUTH),
        ("video.list", NO_AUTH),
    ],
    # A Dzen auth-error signs the session out (the person must sign in again): not served here.
    # A lost add-publication answer is left to the person (OutcomeUnknown), so it is only refused.
    "dzen": [
        ("validate-video", (*NO_AUTH, "invalid_csrf")),
        ("add-publication", ("rate_limit", "server_error", "invalid_csrf")),
        ("start-upload-video", NO_AUTH),
        ("tus.patch", NO_AUTH),
        ("finish-upload-video", (*NO_AUTH, "processing_failed")),
        ("publication", (*NO_AUTH, "invalid_csrf")),
        ("publish", NO_AUTH),
    ],
}
# A hung answer outlasts the providers' 30 s timeout, so the client really gives up.
HANG_SECONDS = 35
# Events that mean the platform did not answer normally.
ABNORMAL_EVENTS = {EventKind.RATE_LIMITED, EventKind.TOKEN_REFRESHED}


@dataclass
class Options:
    publications: int
    phase2: int
    workers: int
    concurrency: int
    fault_rate: float
    phase2_rate: float
    kill_every: float
    chaos_seconds: float
    flush_at: float
    cap: float
    phase2_cap: float
    seed: int
    keep: bool


@dataclass
class World:
    tag: str
    user_id: uuid.UUID
    connections: dict[Platform, uuid.UUID]
    clips: list[uuid.UUID]
    numbers: dict[uuid.UUID, int] = field(default_factory=dict)

    def title(self, n: int) -> str:
        return f"chaos {self.tag} #{n:04d}"

    def plan(self, numbers: range) -> list[harness.Planned]:
        platforms = list(Platform)
        return [
            harness.Planned(self.clips[n], self.connections[platforms[n % len(platforms)]], self.title(n))
            for n in numbers
        ]


async def setup(bench: harness.Bench, options: Options) -> World:
    runtime = bench.runtime
    user = await bench.world.new_user(f"chaos-{bench.tag}@example.com", plan=Plan.BUSINESS)
    connections = {
        Platform.VK: (await connect_oauth(runtime, user, Platform.VK)).id,
        Platform.DZEN: (await connect_demo(runtime, user, Platform.DZEN)).id,
        Platform.TELEGRAM: (await connect_demo(runtime, user, Platform.TELEGRAM)).id,
        Platform.RUTUBE: (await connect_demo(runtime, user, Platform.RUTUBE)).id,
    }
    clip = make_clip(bench.workdir / "clip.mp4", seconds=1.0, width=180, height=320)
    stored = await harness.store_clip_file(runtime, user, clip, duration=1.0)
    total = options.publications + options.phase2
    clips = await harness.add_clips(runtime, user, stored, [f"clip {n}" for n in range(total)])
    return World(bench.tag, user.id, connections, clips)


async def inject_faults(bench: harness.Bench, rate: float, rng: random.Random) -> None:
    """Each operation fails with probability `rate`, spread evenly over the kinds it can serve."""
    await bench.sandbox.clear_faults()
    for platform, operations in FAULT_OPS.items():
        for op, kinds in operations:
            per_kind = 1 - (1 - rate) ** (1 / len(kinds))
            for kind in rng.sample(kinds, len(kinds)):  # no kind always checked first
                await bench.sandbox.fault(
                    platform=platform, fault=kind, rate=per_kind, on=op, retry_after=1, delay=HANG_SECONDS
                )


def fault_hits(state: dict[str, Any]) -> Counter[str]:
    hits: Counter[str] = Counter()
    for fault in state["faults"]:
        hits[f"{fault['platform']}.{fault['fault']}"] += int(fault.get("hits", 0))
    return hits


async def publish_numbers(bench: harness.Bench, world: World, numbers: range) -> list[uuid.UUID]:
    ids = await harness.publish(bench.runtime, world.user_id, world.plan(numbers))
    world.numbers.update(zip(ids, numbers, strict=True))
    return ids


# ---------------------------------------------------------------- phase 1


@dataclass
class Chaos:
    kills: int = 0
    flushed_keys: int | None = None
    flushed_at: float | None = None
    seconds: float = 0.0
    counts: Counter[str] = field(default_factory=Counter)


async def run_chaos(
    bench: harness.Bench, options: Options, ids: Sequence[uuid.UUID], rng: random.Random
) -> Chaos:
    chaos = Chaos()
    started = time.monotonic()
    next_kill = started + options.kill_every * rng.uniform(0.5, 1.5)
    shown = started
    while True:
        now = time.monotonic()
        elapsed = now - started
        chaos.counts = await harness.status_counts(bench.runtime, ids)
        terminal = sum(chaos.counts[s.value] for s in TERMINAL)
        if terminal == len(ids) or elapsed >= options.cap:
            chaos.seconds = elapsed
            return chaos
        if elapsed < options.chaos_seconds and now >= next_kill and bench.world.workers:
            bench.world.kill_worker(rng.choice(bench.world.workers))
            bench.world.spawn_worker(options.concurrency)
            chaos.kills += 1
            next_kill = now + options.kill_every * rng.uniform(0.5, 1.5)
        if chaos.flushed_keys is None and elapsed >= options.flush_at:
            chaos.flushed_keys = await bench.world.flush_namespace()
            chaos.flushed_at = elapsed
            print(f"  {elapsed:5.0f} s: Redis namespace flushed ({chaos.flushed_keys} keys)", flush=True)
        if now - shown >= 15:
            shown = now
            print(
                f"  {elapsed:5.0f} s: {dict(sorted(chaos.counts.items()))}, {chaos.kills} kills", flush=True
            )
        await asyncio.sleep(0.5)


# ---------------------------------------------------------------- analysis


_NUMBER = re.compile(r"chaos (\w+) #(\d{4})")


def posts_by_number(state: dict[str, Any], tag: str) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for post in state["posts"]:
        text = f"{post.get('title', '')}\n{post.get('caption', '')}"
        numbers = {int(n) for t, n in _NUMBER.findall(text) if t == tag}
        for number in numbers:
            found[number].append(post)
    return found


@dataclass
class Outcome:
    publications: list[Publication]
    events: dict[uuid.UUID, list[PublicationEvent]]
    posts: dict[int, list[dict[str, Any]]]
    numbers: dict[uuid.UUID, int]

    def duplicates(self) -> list[Publication]:
        return [p for p in self.publications if len(self.posts.get(self.numbers[p.id], [])) > 1]

    def missing_posts(self) -> list[Publication]:
        """Published here, but the platform shows no post for it."""
        return [
            p
            for p in self.publications
            if p.status is PublicationStatus.PUBLISHED and not self.posts.get(self.numbers[p.id])
        ]

    def lost(self) -> list[Publication]:
        return [p for p in self.publications if p.status not in TERMINAL]

    def failures(self) -> dict[str, tuple[int, int]]:
        """Failed publications per "platform: error code": (how many, how many the platform shows anyway)."""
        counts: Counter[str] = Counter()
        posted: Counter[str] = Counter()
        for p in self.publications:
            if p.status is PublicationStatus.FAILED:
                key = f"{p.platform.value}: {p.error_code}"
                counts[key] += 1
                posted[key] += bool(self.posts.get(self.numbers[p.id]))
        return {key: (counts[key], posted[key]) for key in sorted(counts)}


async def outcome(bench: harness.Bench, world: World, ids: Sequence[uuid.UUID]) -> Outcome:
    publications = await harness.load_publications(bench.runtime, ids)
    events = await harness.load_events(bench.runtime, ids)
    posts = posts_by_number(await bench.sandbox.state(), world.tag)
    return Outcome(publications, events, posts, world.numbers)


def answered_normally(events: Sequence[PublicationEvent]) -> bool:
    """No sign of a platform fault: no wait, no refresh, no retry or failure with a platform's code."""
    for event in events:
        if event.kind in ABNORMAL_EVENTS:
            return False
        code = str((event.data or {}).get("code", ""))
        if event.kind in (EventKind.RETRY_SCHEDULED, EventKind.FAILED) and "." in code:
            return False  # platform codes are "<platform>.<what>"; engine codes have no dot
    return True


def first_attempt(result: Outcome) -> tuple[int, int, list[Publication]]:
    """(published at once, answered normally, the normal ones that were not)."""
    normal = [p for p in result.publications if answered_normally(result.events[p.id])]
    at_once = [p for p in normal if p.status is PublicationStatus.PUBLISHED and p.attempts == 1]
    others = [p for p in normal if p not in at_once]
    return len(at_once), len(normal), others


# ---------------------------------------------------------------- report


def print_table(result: Outcome) -> None:
    rows: dict[str, Counter[str]] = defaultdict(Counter)
    duplicated = {p.id for p in result.duplicates()}
    for p in result.publications:
        rows[p.platform.value][p.status.value] += 1
        rows[p.platform.value]["duplicates"] += p.id in duplicated
    columns = ["published", "failed", "scheduled", "publishing", "duplicates"]
    print(f"  {'platform':<10}" + "".join(f"{c:>12}" for c in columns))
    for platform in sorted(rows):
        print(f"  {platform:<10}" + "".join(f"{rows[platform][c]:>12}" for c in columns))


def print_failures(result: Outcome) -> None:
    failures = result.failures()
    if not failures:
        return
    print(f"  failed, by error code {'':<26}{'count':>6}{'yet on the platform':>21}")
    for code, (count, posted) in failures.items():
        print(f"    {code:<44}{count:>6}{posted:>21}")


def print_examples(result: Outcome, publications: Sequence[Publication], label: str, limit: int = 3) -> None:
    for p in publications[:limit]:
        posts = result.posts.get(result.numbers[p.id], [])
        remote = ", ".join(f"{x['remote_id']}:{x['status']}" for x in posts)
        print(
            f"    {label} #{result.numbers[p.id]:04d} {p.platform.value} {p.status.value} attempts={p.attempts}"
        )
        print(f"      posts: [{remote}]  history: {harness.describe_events(result.events[p.id])}")


def report_phase1(options: Options, chaos: Chaos, result: Outcome, hits: Counter[str]) -> None:
    total = len(result.publications)
    terminal = total - len(result.lost())
    duplicates = result.duplicates()
    extra_posts = sum(len(result.posts[result.numbers[p.id]]) - 1 for p in duplicates)
    flush = (
        f"at {chaos.flushed_at:.0f} s ({chaos.flushed_keys} keys)"
        if chaos.flushed_at is not None
        else "never"
    )
    print()
    print(
        f"phase 1: {total} publications, {options.fault_rate:.0%} of publishing calls faulted "
        f"({sum(hits.values())} faults served), {options.workers} workers x {options.concurrency}, "
        f"{chaos.kills} SIGKILLs, Redis flush {flush}; {chaos.seconds:.0f} s"
    )
    print(f"  faults served: {', '.join(f'{k} {v}' for k, v in sorted(hits.items()) if v)}")
    print_table(result)
    print(f"  terminal            {terminal}/{total} = {harness.pct(terminal, total)}   (goal 100 %)")
    print(f"  duplicates          {len(duplicates)} publications with {extra_posts} extra posts   (goal 0)")
    print(f"  lost (non-terminal) {len(result.lost())}   (goal 0)")
    print(f"  published, no post  {len(result.missing_posts())}   (goal 0)")
    print_failures(result)
    print_examples(result, duplicates, "duplicate")
    print_examples(result, result.lost(), "lost")
    print_examples(result, result.missing_posts(), "no post")
    internal = [p for p in result.publications if p.error_code == "internal_error"]
    print_examples(result, internal, "internal error")


def report_phase2(options: Options, result: Outcome, hits: Counter[str], seconds: float) -> None:
    total = len(result.publications)
    at_once, normal, others = first_attempt(result)
    everyone = sum(
        1 for p in result.publications if p.status is PublicationStatus.PUBLISHED and p.attempts == 1
    )
    print()
    print(
        f"phase 2: {total} publications, {options.phase2_rate:.0%} of publishing calls faulted "
        f"({sum(hits.values())} faults served), no kills, no flush; {seconds:.0f} s"
    )
    print_table(result)
    print(
        f"  answered normally   {normal}/{total} (the rest saw a fault: a wait, a refresh, a platform error)"
    )
    verdict = "met" if normal and at_once / normal >= 0.99 else "MISSED"
    print(
        f"  first-attempt success of those: {at_once}/{normal} = {harness.pct(at_once, normal)}   "
        f"(goal >= 99 %: {verdict})"
    )
    print(f"  first-attempt success of all:   {everyone}/{total} = {harness.pct(everyone, total)}")
    print(f"  terminal {total - len(result.lost())}/{total}, duplicates {len(result.duplicates())}")
    print_failures(result)
    print_examples(result, others, "normal but not at once")


# ---------------------------------------------------------------- run


async def inactive_connections(bench: harness.Bench) -> list[str]:
    """A refresh that failed for good marks its connection needs_reconnect: every later publication fails."""
    async with transaction(bench.runtime.session_factory) as session:
        rows = await session.scalars(select(Connection).where(Connection.status != ConnectionStatus.ACTIVE))
        return [f"{c.platform.value}: {c.status.value} ({c.last_error_code})" for c in rows]


async def run(options: Options) -> None:
    rng = random.Random(options.seed)
    async with harness.running("chaos", serve=True, keep=options.keep) as bench:
        world = await setup(bench, options)
        for _ in range(options.workers):
            bench.world.spawn_worker(options.concurrency)
        await inject_faults(bench, options.fault_rate, rng)
        print(
            f"chaos: phase 1, {options.publications} publications over {len(Platform)} platforms", flush=True
        )
        ids = await publish_numbers(bench, world, range(options.publications))
        chaos = await run_chaos(bench, options, ids, rng)
        state = await bench.sandbox.state()
        hits1 = fault_hits(state)
        result1 = await outcome(bench, world, ids)

        await inject_faults(bench, options.phase2_rate, rng)
        print(f"chaos: phase 2, {options.phase2} publications", flush=True)
        numbers = range(options.publications, options.publications + options.phase2)
        started = time.monotonic()
        ids2 = await publish_numbers(bench, world, numbers)
        await harness.wait_terminal(bench.runtime, ids2, options.phase2_cap, label="phase 2 ")
        seconds2 = time.monotonic() - started
        hits2 = fault_hits(await bench.sandbox.state())
        result2 = await outcome(bench, world, ids2)
        # Phase 1 again: anything that finished (or posted twice) while phase 2 ran.
        late = await outcome(bench, world, ids)
        inactive = await inactive_connections(bench)
        dead = bench.world.dead_workers()
    report_phase1(options, chaos, result1, hits1)
    if len(late.duplicates()) != len(result1.duplicates()) or len(late.lost()) != len(result1.lost()):
        print(
            f"  after phase 2: {len(late.lost())} phase-1 publications still non-terminal, "
            f"{len(late.duplicates())} duplicated"
        )
    report_phase2(options, result2, hits2, seconds2)
    if inactive:
        print(f"\nconnections not active at the end: {inactive}")
    if dead:
        print("\nworkers that died on their own:\n" + "\n".join(dead))


def parse() -> Options:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--publications", type=int, default=300)
    parser.add_argument("--phase2", type=int, default=200, help="publications of the 2 %% phase")
    parser.add_argument("--workers", type=int, default=3, help="worker processes kept running")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--fault-rate", type=float, default=0.10, help="phase 1, per publishing call")
    parser.add_argument("--phase2-rate", type=float, default=0.02)
    parser.add_argument("--kill-every", type=float, default=5.0, help="seconds between SIGKILLs (about)")
    parser.add_argument("--chaos-seconds", type=float, default=90.0, help="how long the kills go on")
    parser.add_argument("--flush-at", type=float, default=30.0, help="seconds into phase 1")
    parser.add_argument("--cap", type=float, default=480.0, help="phase 1 time cap (s)")
    parser.add_argument("--phase2-cap", type=float, default=300.0)
    parser.add_argument("--seed", type=int, default=20240611)
    parser.add_argument("--keep", action="store_true", help="keep the logs and the database")
    args = parser.parse_args()
    if not math.isfinite(args.fault_rate) or not 0 <= args.fault_rate < 1:
        parser.error("--fault-rate must be in [0, 1)")
    return Options(**{name: getattr(args, name) for name in Options.__dataclass_fields__})


def main() -> None:
    asyncio.run(run(parse()))


if __name__ == "__main__":
    main()
