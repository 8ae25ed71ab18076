"""Queue throughput, action-to-published latency and scheduled-firing lateness of the engine.

Telegram publications (one sendVideo each, a ~55 kB clip) to the sandbox with rate
limits lifted, through real `autopost worker` subprocesses on PostgreSQL and Redis:

1. baselines, measured in the same run: a no-op BullMQ worker (same concurrency,
   same job options) draining the same number of jobs and firing the same delayed
   schedule; the time of one plain sendVideo of the clip ("upload time"); and
   TelegramProvider.publish alone in this process, as the worker builds it and with
   one shared transport (what the provider costs without queue and database);
2. throughput: --publications queued while no worker runs, then --workers worker
   processes drain them (first STARTED event to last published_at);
3. action → published: --paced publications created one by one at --rate per
   second (default: half the measured throughput, so no backlog builds up) while
   the workers are warm (created_at → published_at);
4. scheduled firing: --scheduled publications scheduled --lead seconds ahead,
   spread over --spread seconds (default: at the paced rate); lateness = the STARTED event's created_at minus
   scheduled_at (what autopost_schedule_lateness_seconds observes).

    .venv/bin/python -m bench.queue [--publications 2000] [--workers 1] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2
from bullmq import Job, Queue, Worker
from sqlalchemy import func, select

from autopost.clips.sources import FileReader
from autopost.db import transaction
from autopost.platforms.base import Credentials, PublishRequest
from autopost.platforms.catalog import Platform
from autopost.platforms.media import ClipSource
from autopost.platforms.registry import build_provider
from autopost.publications.events import EventKind
from autopost.publications.models import PublicationEvent
from autopost.queue import KEEP_COMPLETED, KEEP_FAILED, redis_options
from autopost.users.plans import Plan
from autopost_testing.demo import DEMO, connect_demo
from autopost_testing.media import make_clip
from autopost_testing.world import REDIS_URL
from bench import harness

ROOT = Path(__file__).resolve().parents[1]
TELEGRAM_BOT, TELEGRAM_CHANNEL = DEMO["telegram_bot"], DEMO["telegram_channel"]
TELEGRAM_CHAT_ID = int(DEMO["telegram_chat_id"])  # @clipmaker_demo in the sandbox


@dataclass
class Options:
    publications: int
    workers: int
    concurrency: int
    paced: int
    rate: float
    scheduled: int
    lead: float
    spread: float
    uploads: int
    cap: float
    keep: bool


# ---------------------------------------------------------------- the no-op BullMQ worker (a subprocess)


def run_noop_worker(queue_name: str, prefix: str, concurrency: int) -> None:
    """A bullmq Worker whose processor does nothing, with the engine's worker options; until SIGTERM."""

    async def noop(job: Job, token: str) -> None:
        return None

    async def serve() -> None:
        options = {
            "connection": redis_options(REDIS_URL),
            "prefix": prefix,
            "concurrency": concurrency,
            "drainDelay": 1,
            "lockDuration": 5000,
            "stalledInterval": 5000,
            "maxStalledCount": 3,
        }
        worker = Worker(queue_name, noop, options)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()
        await worker.close()

    asyncio.run(serve())


def start_noop_worker(queue_name: str, prefix: str, concurrency: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "bench.queue", "--noop-worker", queue_name, "--prefix", prefix]
    return subprocess.Popen([*command, "--concurrency", str(concurrency)], cwd=ROOT)


def job_options(delay_ms: int = 0) -> dict[str, object]:
    """The options Queues.enqueue_publication gives a publish job."""
    return {
        "jobId": str(uuid.uuid4()),
        "delay": delay_ms,
        "attempts": 1,
        "removeOnComplete": KEEP_COMPLETED,
        "removeOnFail": KEEP_FAILED,
    }


@asynccontextmanager
async def noop_queue(bench: harness.Bench, concurrency: int) -> AsyncIterator[Queue]:
    """A throwaway queue in the run's namespace, drained by a no-op worker subprocess."""
    queue = Queue(
        "noop-baseline",
        {"connection": redis_options(REDIS_URL), "prefix": bench.world.settings.redis_namespace},
    )
    worker = start_noop_worker("noop-baseline", bench.world.settings.redis_namespace, concurrency)
    try:
        yield queue
    finally:
        worker.terminate()
        await asyncio.to_thread(worker.wait, 30)
        await queue.close()


async def noop_throughput(bench: harness.Bench, options: Options) -> float:
    """Jobs/s of the no-op worker draining as many jobs as the engine drains publications."""
    async with noop_queue(bench, options.concurrency) as queue:
        await queue.pause()  # the whole backlog first, as the engine gets it
        for start in range(0, options.publications, 200):
            count = min(200, options.publications - start)
            await asyncio.gather(*(queue.add("noop", {"n": start + i}, job_options()) for i in range(count)))
        await queue.resume()
        await wait_completed(queue, options.publications, options.cap)
        drained = await queue.getJobs(["completed"], 0, -1)
    started = min(job.processedOn for job in drained)
    finished = max(job.finishedOn for job in drained)
    return float(len(drained) / max(0.001, (finished - started) / 1000))


async def wait_completed(queue: Queue, count: int, cap: float) -> None:
    deadline = time.monotonic() + cap
    while (await queue.getJobCounts("completed"))["completed"] < count:
        if time.monotonic() > deadline:
            raise RuntimeError("the no-op worker did not finish its jobs in time")
        await asyncio.sleep(0.05)


async def noop_lateness(bench: harness.Bench, options: Options, spread: float) -> list[float]:
    """The engine's delayed schedule, fired by the no-op worker: processedOn minus the intended time."""
    offsets = [i * spread / options.scheduled for i in range(options.scheduled)]
    async with noop_queue(bench, options.concurrency) as queue:
        return await fire_delayed(queue, options.lead, offsets, options.lead + spread + options.cap)


async def fire_delayed(queue: Queue, lead: float, offsets: Sequence[float], cap: float) -> list[float]:
    """Delayed no-op jobs due `lead` + each offset seconds from now; each one's lateness once done."""
    before = (await queue.getJobCounts("completed"))["completed"]
    base_ms = (time.time() + lead) * 1000
    wanted: dict[str, float] = {}
    for n, offset in enumerate(offsets):
        at_ms = base_ms + offset * 1000
        opts = job_options(int(at_ms - time.time() * 1000))
        wanted[str(opts["jobId"])] = at_ms
        await queue.add("noop", {"scheduled": n}, opts)
    await wait_completed(queue, before + len(offsets), cap)
    lateness = []
    for job_id, at_ms in wanted.items():
        job = await queue.getJob(job_id)
        assert job is not None
        lateness.append((job.processedOn - at_ms) / 1000)
    return lateness


async def provider_rate(
    bench: harness.Bench, clip: Path, count: int, concurrency: int, *, shared: bool
) -> float:
    """TelegramProvider.publish alone, in this process, `concurrency` at a time: publications/s.

    shared=False builds the provider as the worker does; shared=True hands it one transport
    for all its calls (the provider then builds no new connection pool per publication).
    """
    transport = httpx2.AsyncHTTPTransport() if shared else None
    provider = build_provider(Platform.TELEGRAM, bench.runtime.settings, transport=transport)
    meta = {
        "channel": TELEGRAM_CHANNEL,
        "chat_id": TELEGRAM_CHAT_ID,
        "channel_username": "clipmaker_demo",
    }
    size = (await asyncio.to_thread(clip.stat)).st_size
    limit = asyncio.Semaphore(concurrency)
    label = "shared" if shared else "default"

    async def one(n: int) -> None:
        request = PublishRequest(
            credentials=Credentials(access_token=TELEGRAM_BOT, meta=meta),
            clip=ClipSource(reader=FileReader(clip), size=size, duration=2, width=360, height=640),
            title=f"queue provider {label} {n}",
            description="",
        )
        async with limit:
            await provider.publish(request=request)

    started = time.perf_counter()
    await asyncio.gather(*(one(n) for n in range(count)))
    seconds = time.perf_counter() - started
    if transport is not None:
        await transport.aclose()
    return count / seconds


async def measure_upload(bench: harness.Bench, clip: Path, rounds: int) -> list[float]:
    """Plain sendVideo of the clip to the sandbox (what the platform itself costs)."""
    data = await asyncio.to_thread(clip.read_bytes)
    url = f"{bench.sandbox.url}/telegram/bot{TELEGRAM_BOT}/sendVideo"
    seconds = []
    async with httpx2.AsyncClient(timeout=60) as client:
        for n in range(rounds):
            started = time.perf_counter()
            response = await client.post(
                url,
                data={"chat_id": TELEGRAM_CHANNEL, "caption": f"upload baseline {n}"},
                files={"video": ("clip.mp4", data, "video/mp4")},
            )
            seconds.append(time.perf_counter() - started)
            response.raise_for_status()
    return seconds


# ---------------------------------------------------------------- the engine


@dataclass
class World:
    user_id: uuid.UUID
    connection_id: uuid.UUID
    clips: list[uuid.UUID]
    next_clip: int = 0

    def plan(self, count: int, label: str) -> list[harness.Planned]:
        planned = []
        for _ in range(count):
            n = self.next_clip
            planned.append(harness.Planned(self.clips[n], self.connection_id, f"queue {label} #{n:05d}"))
            self.next_clip += 1
        return planned


async def setup(bench: harness.Bench, options: Options, clip: Path) -> World:
    runtime = bench.runtime
    user = await bench.world.new_user(f"queue-{bench.tag}@example.com", plan=Plan.BUSINESS)
    connection = await connect_demo(runtime, user, Platform.TELEGRAM)
    stored = await harness.store_clip_file(runtime, user, clip)
    total = options.publications + options.paced + options.scheduled
    clips = await harness.add_clips(runtime, user, stored, [f"clip {n}" for n in range(total)])
    return World(user.id, connection.id, clips)


async def first_started(bench: harness.Bench, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, datetime]:
    started: dict[uuid.UUID, datetime] = {}
    async with transaction(bench.runtime.session_factory) as session:
        for start in range(0, len(ids), 1000):
            rows = await session.execute(
                select(PublicationEvent.publication_id, func.min(PublicationEvent.created_at))
                .where(
                    PublicationEvent.publication_id.in_(ids[start : start + 1000]),
                    PublicationEvent.kind == EventKind.STARTED,
                )
                .group_by(PublicationEvent.publication_id)
            )
            started.update({publication_id: at for publication_id, at in rows.all()})
    return started


@dataclass
class Drain:
    published: int
    failed: int
    seconds: float
    per_worker: float


async def measure_throughput(bench: harness.Bench, world: World, options: Options) -> Drain:
    runtime = bench.runtime
    ids = await harness.publish(runtime, world.user_id, world.plan(options.publications, "drain"))
    for _ in range(options.workers):
        bench.world.spawn_worker(options.concurrency)
    counts, _ = await harness.wait_terminal(runtime, ids, options.cap, label="drain ")
    publications = await harness.load_publications(runtime, ids)
    started = await first_started(bench, ids)
    done = [p.published_at for p in publications if p.published_at is not None]
    if not done or not started:
        raise RuntimeError(f"nothing published: {dict(counts)}\n" + "\n".join(bench.world.dead_workers()))
    span = (max(done) - min(started.values())).total_seconds()
    per_worker = len(done) / span / options.workers
    return Drain(len(done), counts["failed"], span, per_worker)


async def measure_latency(bench: harness.Bench, world: World, options: Options, rate: float) -> list[float]:
    """Publications made one at a time at a steady rate; created_at → published_at of each."""
    runtime = bench.runtime
    ids: list[uuid.UUID] = []
    started = time.monotonic()
    for n, planned in enumerate(world.plan(options.paced, "paced")):
        await asyncio.sleep(max(0.0, started + n / rate - time.monotonic()))
        ids.extend(await harness.publish(runtime, world.user_id, [planned]))
    await harness.wait_terminal(runtime, ids, options.cap, label="paced ")
    publications = await harness.load_publications(runtime, ids)
    return [(p.published_at - p.created_at).total_seconds() for p in publications if p.published_at]


async def measure_schedule(
    bench: harness.Bench, world: World, options: Options, spread: float
) -> list[float]:
    runtime = bench.runtime
    base = datetime.now(UTC) + timedelta(seconds=options.lead)
    step = timedelta(seconds=spread / options.scheduled)
    when = [base + i * step for i in range(options.scheduled)]
    ids = await harness.publish(
        runtime, world.user_id, world.plan(options.scheduled, "scheduled"), scheduled_at=when
    )
    if datetime.now(UTC) > base:
        print(f"  note: creating the scheduled publications took longer than --lead {options.lead} s")
    await harness.wait_terminal(runtime, ids, options.lead + spread + options.cap, label="scheduled ")
    started = await first_started(bench, ids)
    planned = dict(zip(ids, when, strict=True))
    return [(started[i] - planned[i]).total_seconds() for i in ids if i in started]


# ---------------------------------------------------------------- report


def spread_line(name: str, values: Sequence[float], unit: str = "s") -> str:
    p = harness.percentile
    return (
        f"{name:<36}p50 {p(values, 50):7.3f} {unit}   p99 {p(values, 99):7.3f} {unit}   "
        f"max {max(values, default=float('nan')):7.3f} {unit}   (n={len(values)})"
    )


@dataclass
class Figures:
    upload: list[float]
    provider: tuple[float, float]  # TelegramProvider alone: as built, with a shared transport
    noop_rate: float
    drain: Drain
    rate: float
    latency: list[float]
    spread: float
    noop_lateness: list[float]
    lateness: list[float]
    dead: list[str]


async def run(options: Options) -> Figures:
    async with harness.running("queue", keep=options.keep) as bench:
        clip = make_clip(bench.workdir / "clip.mp4", seconds=2.0, width=360, height=640)
        world = await setup(bench, options, clip)
        print(
            f"queue benchmark: Telegram publications of a {clip.stat().st_size / 1000:.0f} kB clip, "
            f"{options.workers} worker process(es) x concurrency {options.concurrency}, "
            f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        upload = await measure_upload(bench, clip, options.uploads)
        provider = (
            await provider_rate(bench, clip, options.uploads * 5, options.concurrency, shared=False),
            await provider_rate(bench, clip, options.uploads * 5, options.concurrency, shared=True),
        )
        noop_rate = await noop_throughput(bench, options)
        print("baselines measured; engine throughput next", flush=True)
        drain = await measure_throughput(bench, world, options)
        # Below the measured capacity, so latency and lateness are not a backlog's.
        rate = options.rate or min(20.0, max(1.0, drain.per_worker * options.workers / 2))
        latency = await measure_latency(bench, world, options, rate)
        spread = options.spread or options.scheduled / rate
        noop_late = await noop_lateness(bench, options, spread)
        lateness = await measure_schedule(bench, world, options, spread)
        dead = bench.world.dead_workers()
    return Figures(upload, provider, noop_rate, drain, rate, latency, spread, noop_late, lateness, dead)


def report(options: Options, f: Figures) -> None:
    p = harness.percentile
    print()
    print(f"throughput ({options.publications} queued, drained by {options.workers} worker process(es))")
    print(f"  {'no-op BullMQ worker (baseline)':<44}{f.noop_rate:8.1f} jobs/s")
    print(
        f"  {'engine, per worker process':<44}{f.drain.per_worker:8.1f} publications/s   "
        f"({f.drain.published} published, {f.drain.failed} failed, in {f.drain.seconds:.1f} s)"
    )
    print(f"  {'ratio engine / no-op':<44}{f.drain.per_worker / f.noop_rate:8.3f}")
    print(f"  {'TelegramProvider alone, as the worker has it':<44}{f.provider[0]:8.1f} publications/s")
    print(f"  {'TelegramProvider alone, one shared transport':<44}{f.provider[1]:8.1f} publications/s")
    print()
    print(f"action → published ({options.paced} publications at {f.rate:.1f}/s, workers warm)")
    print("  " + spread_line("plain sendVideo of the clip (base)", f.upload))
    print("  " + spread_line("created_at → published_at", f.latency))
    overhead = p(f.latency, 99) - p(f.upload, 50)
    verdict = "met" if overhead < 2 else "MISSED"
    print(f"  p99 minus upload time: {overhead:.3f} s   goal < 2 s plus upload time: {verdict}")
    print()
    print(
        f"scheduled firing ({options.scheduled} publications, {options.lead:g} s ahead, spread over "
        f"{f.spread:.0f} s = {options.scheduled / f.spread:.1f}/s)"
    )
    print("  " + spread_line("no-op BullMQ delayed job (base)", f.noop_lateness))
    print("  " + spread_line("engine: STARTED − scheduled_at", f.lateness))
    print(
        f"  earliest start {min(f.lateness, default=float('nan')):+.3f} s (a job may start up to 1 s early)"
    )
    verdict = "met" if p(f.lateness, 99) < 2 else "MISSED"
    print(f"  goal p99 < 2 s: {verdict}")
    if f.dead:
        print("\nworkers that died on their own:\n" + "\n".join(f.dead))


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--publications", type=int, default=2000, help="queued for the throughput drain")
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    parser.add_argument(
        "--concurrency", type=int, default=8, help="per worker process (and the no-op worker)"
    )
    parser.add_argument("--paced", type=int, default=200, help="publications for action → published")
    parser.add_argument("--rate", type=float, default=0, help="paced publications/s (0: half the throughput)")
    parser.add_argument("--scheduled", type=int, default=200, help="scheduled publications")
    parser.add_argument("--lead", type=float, default=5.0, help="seconds ahead of the first scheduled time")
    parser.add_argument(
        "--spread",
        type=float,
        default=0,
        help="seconds the scheduled times spread over (0: at the paced rate)",
    )
    parser.add_argument("--uploads", type=int, default=30, help="plain sendVideo rounds for the baseline")
    parser.add_argument("--cap", type=float, default=300.0, help="seconds any one phase may take at most")
    parser.add_argument("--keep", action="store_true", help="keep the logs and the database")
    parser.add_argument("--noop-worker", help=argparse.SUPPRESS)
    parser.add_argument("--prefix", help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> None:
    args = parse()
    if args.noop_worker:
        run_noop_worker(args.noop_worker, args.prefix, args.concurrency)
        return
    options = Options(**{name: getattr(args, name) for name in Options.__dataclass_fields__})
    report(options, asyncio.run(run(options)))


if __name__ == "__main__":
    main()
