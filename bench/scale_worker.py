"""A worker's memory over 100k jobs, for bench/scale.py.

One real `autopost worker` process (every queue and periodic pass, on an empty database of its own,
`<database>_worker` at the head migration, so its sweeper never takes up the seeded publications,
and a Redis namespace of its own) is fed --worker-jobs stats jobs, queued as the stats pass queues them
(Queues.enqueue_stats' options), for connections that do not exist: each job is a real BullMQ
round trip and a real database session (collect_connection_stats looks the connection up and
returns). No platform is called, so it measures the worker's own machinery (BullMQ, the engine
and its pool, sessions, logging), not a provider's. Its RSS (/proc/<pid>/status VmRSS) is read
after 1k jobs (warmed up: the baseline) and at 10k, 50k and 100k.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import redis.asyncio as redis
from bullmq import Queue

from autopost.queue import KEEP_COMPLETED, KEEP_FAILED, STATS_QUEUE, redis_options
from autopost.runtime import Runtime
from autopost.settings import Settings
from autopost_testing.world import REDIS_URL, settings_env
from bench import scale_seed

CHUNK = 1_000
MARKS = (1_000, 10_000, 50_000, 100_000)
GIVE_UP_SECONDS = 900


async def clear_namespace(runtime: Runtime, namespace: str) -> None:
    """Remove every key this run made under its Redis namespace."""
    async for key in runtime.redis.scan_iter(match=f"{namespace}:*", count=1000):
        await runtime.redis.delete(key)


async def _clear(namespace: str) -> None:
    """Every key the worker left under its namespace (queues, workers' records, periodic locks)."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        async for key in client.scan_iter(match=f"{namespace}:*", count=1000):
            await client.delete(key)
    finally:
        await client.aclose()


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _feed(queue: Queue, jobs: int, added: list[int]) -> None:
    window = int(time.time() // 600)
    for start in range(0, jobs, CHUNK):
        batch = []
        for _ in range(min(CHUNK, jobs - start)):
            connection = uuid.uuid4()
            options = {"jobId": f"{connection}-{window}", "attempts": 3, "removeOnComplete": KEEP_COMPLETED}
            options["removeOnFail"] = KEEP_FAILED
            batch.append({"name": "stats", "data": {"connection_id": str(connection)}, "opts": options})
        await queue.addBulk(batch)
        added[0] += len(batch)


async def _left(queue: Queue) -> int:
    counts = await queue.getJobCounts("waiting", "active", "delayed", "prioritized")
    return sum(counts.values())


async def measure(settings: Settings, jobs: int, database: str) -> None:
    await scale_seed.ensure_database(database)
    namespace = f"scaleworker{uuid.uuid4().hex[:8]}"
    update = {"redis_namespace": namespace, "database_url": scale_seed.sqlalchemy_url(database)}
    settings = settings.model_copy(update=update)
    queue = Queue(STATS_QUEUE, {"connection": redis_options(REDIS_URL), "prefix": namespace})
    env = {**os.environ, **settings_env(settings, REDIS_URL)}
    with tempfile.TemporaryFile() as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "autopost", "worker", env=env, stdout=log, stderr=log
        )
        print(f"\nWorker RSS over {jobs:,} stats jobs (one `autopost worker`, pid {process.pid}):")
        try:
            added = [0]
            feeder = asyncio.create_task(_feed(queue, jobs, added))
            started, marks, samples = time.perf_counter(), [m for m in MARKS if m <= jobs], []
            while marks and time.perf_counter() - started < GIVE_UP_SECONDS:
                await asyncio.sleep(0.5)
                done = added[0] - await _left(queue)
                while marks and done >= marks[0]:
                    rss = _rss_mib(process.pid)
                    samples.append((marks.pop(0), rss))
                    took = time.perf_counter() - started
                    print(
                        f"  after {samples[-1][0]:>7,} jobs: RSS {rss:6.1f} MiB  ({took:.0f} s)", flush=True
                    )
            if marks:
                print(f"  gave up after {GIVE_UP_SECONDS} s with {added[0] - await _left(queue):,} jobs done")
            if len(samples) > 1:
                base, last = samples[0][1], samples[-1][1]
                print(
                    f"  growth from {samples[0][0]:,} to {samples[-1][0]:,} jobs: {last - base:+.1f} MiB ({last / base:.2f}x)"
                )
            feeder.cancel()
        finally:
            process.terminate()
            await process.wait()
            await queue.close()
            await _clear(namespace)
