"""One stats pass over many VK publications: platform calls made vs the minimum, and the time taken.

Setup (not timed): --publications video records made in the sandbox through its VK
API (video.save with the demo token, rate limits lifted), and as many publication
rows inserted in bulk with those remote ids, published within the last 30 days and
never synced, spread over --connections VK connections (one user each, connected
through VK ID, so each has its own token).

Timed, in-process: schedule_stats (one stats job per connection with due
publications), then collect_connection_stats for each job, --parallel at a time
(a worker runs 2 stats jobs at once). The VK provider's transport is wrapped to
count video.get calls, and its fetch_stats is timed to split platform time from
database time. Baselines measured in the same run: the minimum number of calls,
sum over connections of ceil(n/200), made directly with httpx2 in the same
batches and parallelism, once paced at VK's 3 calls/s per token (the fastest VK
allows) and once unpaced (what the sandbox costs). Finally a second pass: nothing
is due any more, so it must make no call.

    .venv/bin/python -m bench.stats [--publications 20000] [--connections 3] [--parallel 2]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import time
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx2
from sqlalchemy import event, func, insert, select

from autopost.clips.models import Clip, ClipStatus
from autopost.connections.models import Connection
from autopost.connections.refresh import credentials_of
from autopost.db import transaction, utcnow
from autopost.platforms.base import Counters, Credentials, Provider
from autopost.platforms.catalog import Platform
from autopost.platforms.registry import build_provider
from autopost.publications.models import Phase, Publication, PublicationStatus
from autopost.queue import STATS_QUEUE
from autopost.runtime import ProviderFactory
from autopost.settings import Settings
from autopost.stats.models import StatsSnapshot
from autopost.stats.tasks import collect_connection_stats, schedule_stats
from autopost.users.plans import Plan
from autopost_testing.demo import DEMO, VK_API_VERSION, connect_oauth
from bench import harness

VK_DEMO_TOKEN = DEMO["vk_token"]
PER_CALL = 200  # video.get takes at most 200 ids
VK_CALLS_PER_SECOND = 3  # per user token


@dataclass
class Options:
    publications: int
    connections: int
    parallel: int
    keep: bool


# ---------------------------------------------------------------- counting what the provider does


class CountingTransport(httpx2.AsyncBaseTransport):
    """Real HTTP, counting requests per "METHOD path"."""

    def __init__(self) -> None:
        self._inner = httpx2.AsyncHTTPTransport()
        self.calls: Counter[str] = Counter()

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        self.calls[f"{request.method} {request.url.path}"] += 1
        return await self._inner.handle_async_request(request)

    def count(self, suffix: str) -> int:
        return sum(n for call, n in self.calls.items() if call.endswith(suffix))

    async def aclose(self) -> None:
        await self._inner.aclose()


@dataclass
class TimedProvider:
    """A provider whose fetch_stats time is added up (everything else passes through)."""

    inner: Provider
    seconds: float = 0.0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def fetch_stats(
        self, *, credentials: Credentials, remote_ids: Sequence[str]
    ) -> Mapping[str, Counters]:
        started = time.perf_counter()
        try:
            return await self.inner.fetch_stats(credentials=credentials, remote_ids=remote_ids)
        finally:
            self.seconds += time.perf_counter() - started


@dataclass
class Instruments:
    transport: CountingTransport = field(default_factory=CountingTransport)
    providers: dict[Platform, TimedProvider] = field(default_factory=dict)

    def factory(self, settings: Settings) -> ProviderFactory:
        def build(platform: Platform) -> Provider:
            provider = TimedProvider(build_provider(platform, settings, transport=self.transport))
            self.providers[platform] = provider
            return provider

        return build

    @property
    def video_get(self) -> int:
        return self.transport.count("/method/video.get")

    @property
    def platform_seconds(self) -> float:
        return sum(p.seconds for p in self.providers.values())


# ---------------------------------------------------------------- setup


async def make_videos(bench: harness.Bench, count: int, parallel: int = 32) -> list[str]:
    """video.save with the demo token: `count` VK video records; their "<owner>_<id>" ids."""
    url = f"{bench.sandbox.url}/vk/method/video.save"
    headers = {"Authorization": f"Bearer {VK_DEMO_TOKEN}"}
    made: list[str] = []
    numbers = iter(range(count))

    async def saver(client: httpx2.AsyncClient) -> None:
        for n in numbers:
            data = {"name": f"stats bench {n}", "wallpost": "0", "v": VK_API_VERSION}
            answer = (await client.post(url, data=data, headers=headers)).json()
            if "response" not in answer:
                raise RuntimeError(f"video.save refused: {answer}")
            made.append(f"{answer['response']['owner_id']}_{answer['response']['video_id']}")

    async with httpx2.AsyncClient(timeout=60, limits=httpx2.Limits(max_connections=parallel)) as client:
        await asyncio.gather(*(saver(client) for _ in range(parallel)))
    return made


@dataclass
class Account:
    connection_id: uuid.UUID
    token: str
    remote_ids: list[str]


async def setup(bench: harness.Bench, options: Options) -> list[Account]:
    """The VK records, one user + VK ID connection per account, and the publication rows in bulk."""
    runtime = bench.runtime
    remote_ids = await make_videos(bench, options.publications)
    rng = random.Random(20000)
    now = utcnow()
    accounts, rows = [], []
    for n in range(options.connections):
        user = await bench.world.new_user(f"stats-{n}-{bench.tag}@example.com", plan=Plan.BUSINESS)
        connection = await connect_oauth(runtime, user, Platform.VK)
        async with transaction(runtime.session_factory) as session:
            clip = Clip(workspace_id=user.id, title="stats", status=ClipStatus.READY, storage_key="none.mp4")
            session.add(clip)
            stored = await session.get(Connection, connection.id)
            assert stored is not None
            token = credentials_of(stored, runtime).access_token
        mine = remote_ids[n :: options.connections]
        accounts.append(Account(connection.id, token, mine))
        rows += [
            {
                "workspace_id": user.id,
                "clip_id": clip.id,
                "connection_id": connection.id,
                "platform": Platform.VK,
                "status": PublicationStatus.PUBLISHED,
                "phase": Phase.DONE,
                "progress": 100,
                "attempts": 1,
                "title": f"stats {remote_id}",
                "description": "",
                "checkpoint": {},
                "remote_id": remote_id,
                "remote_url": f"https://vk.com/video{remote_id}",
                "published_at": now - timedelta(seconds=rng.uniform(60, 29.5 * 86400)),
                # One clip stands in for many: each row is another "publish again" of it.
                "generation": generation,
            }
            for generation, remote_id in enumerate(mine)
        ]
    async with transaction(runtime.session_factory) as session:
        for start in range(0, len(rows), 2000):
            await session.execute(insert(Publication), rows[start : start + 2000])
    return accounts


# ---------------------------------------------------------------- the engine's pass


@dataclass
class Pass:
    due_connections: int
    calls: int
    seconds: float
    schedule_seconds: float
    job_seconds: float  # summed over jobs
    fetch_seconds: float  # time inside provider.fetch_stats, summed over jobs
    updated: int
    statements: Counter[str]  # SQL statements run, by their first word


async def stats_pass(bench: harness.Bench, instruments: Instruments, parallel: int) -> Pass:
    runtime = bench.runtime
    calls, fetch = instruments.video_get, instruments.platform_seconds
    statements: Counter[str] = Counter()

    def count_statement(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements[statement.split(None, 1)[0].upper()] += 1

    event.listen(runtime.engine.sync_engine, "before_cursor_execute", count_statement)
    queue = runtime.queues.get(STATS_QUEUE)
    started = time.perf_counter()
    due = await schedule_stats(runtime)
    schedule_seconds = time.perf_counter() - started
    jobs = await queue.getJobs(["waiting"], 0, -1)
    limit = asyncio.Semaphore(parallel)
    job_seconds = 0.0

    async def run_job(connection_id: uuid.UUID) -> int:
        nonlocal job_seconds
        async with limit:
            began = time.perf_counter()
            try:
                return await collect_connection_stats(runtime, connection_id)
            finally:
                job_seconds += time.perf_counter() - began

    updated = await asyncio.gather(*(run_job(uuid.UUID(job.data["connection_id"])) for job in jobs))
    seconds = time.perf_counter() - started
    event.remove(runtime.engine.sync_engine, "before_cursor_execute", count_statement)
    for job in jobs:  # done here, not by a worker: take them off the queue
        await queue.remove(job.id)
    return Pass(
        due_connections=due,
        calls=instruments.video_get - calls,
        seconds=seconds,
        schedule_seconds=schedule_seconds,
        job_seconds=job_seconds,
        fetch_seconds=instruments.platform_seconds - fetch,
        updated=sum(updated),
        statements=statements,
    )


# ---------------------------------------------------------------- baselines


async def direct_calls(
    bench: harness.Bench, accounts: Sequence[Account], parallel: int, *, paced: bool
) -> tuple[int, float]:
    """The minimum: ceil(n/200) video.get per account, `parallel` accounts at a time; (calls, seconds)."""
    url = f"{bench.sandbox.url}/vk/method/video.get"
    limit = asyncio.Semaphore(parallel)
    made = 0

    async def one_account(client: httpx2.AsyncClient, account: Account) -> None:
        nonlocal made
        answered: list[float] = []
        async with limit:
            for start in range(0, len(account.remote_ids), PER_CALL):
                if paced and len(answered) >= VK_CALLS_PER_SECOND:
                    # As VK counts: at most 3 calls in any second, counted from each answer.
                    await asyncio.sleep(max(0.0, answered[-VK_CALLS_PER_SECOND] + 1 - time.monotonic()))
                batch = account.remote_ids[start : start + PER_CALL]
                data = {"videos": ",".join(batch), "count": str(len(batch)), "v": VK_API_VERSION}
                response = await client.post(
                    url, data=data, headers={"Authorization": f"Bearer {account.token}"}
                )
                answered.append(time.monotonic())
                if len(response.json()["response"]["items"]) != len(batch):
                    raise RuntimeError("video.get did not return every video")
                made += 1

    async with httpx2.AsyncClient(timeout=60) as client:
        started = time.perf_counter()
        await asyncio.gather(*(one_account(client, account) for account in accounts))
        return made, time.perf_counter() - started


async def synced(bench: harness.Bench) -> tuple[int, int]:
    async with transaction(bench.runtime.session_factory) as session:
        done = await session.scalar(
            select(func.count()).select_from(Publication).where(Publication.last_stats_sync_at.is_not(None))
        )
        snapshots = await session.scalar(select(func.count()).select_from(StatsSnapshot))
    return int(done or 0), int(snapshots or 0)


# ---------------------------------------------------------------- run and report


async def run(options: Options) -> None:
    instruments = Instruments()
    async with harness.running("stats", keep=options.keep, providers=instruments.factory) as bench:
        began = time.perf_counter()
        accounts = await setup(bench, options)
        print(
            f"stats: {options.publications} VK records and publications on {options.connections} connections "
            f"set up in {time.perf_counter() - began:.0f} s",
            flush=True,
        )
        paced = await direct_calls(bench, accounts, options.parallel, paced=True)
        unpaced = await direct_calls(bench, accounts, options.parallel, paced=False)
        first = await stats_pass(bench, instruments, options.parallel)
        done, snapshots = await synced(bench)
        second = await stats_pass(bench, instruments, options.parallel)
    report(options, accounts, first, second, paced, unpaced, done, snapshots)


def report(
    options: Options,
    accounts: Sequence[Account],
    first: Pass,
    second: Pass,
    paced: tuple[int, float],
    unpaced: tuple[int, float],
    done: int,
    snapshots: int,
) -> None:
    sizes = [len(a.remote_ids) for a in accounts]
    minimum = sum(math.ceil(n / PER_CALL) for n in sizes)
    print()
    print(
        f"one stats pass over {sum(sizes)} VK publications on {len(sizes)} connections "
        f"({', '.join(map(str, sizes))}), {options.parallel} jobs at a time"
    )
    print(
        f"  {'video.get calls':<44}{first.calls:>8}   minimum {minimum}   ratio {first.calls / minimum:.2f}"
    )
    print(f"  {'time of the pass':<44}{first.seconds:>8.2f} s")
    print(f"  {'  schedule_stats':<44}{first.schedule_seconds:>8.2f} s   ({first.due_connections} jobs)")
    share = first.fetch_seconds / first.job_seconds if first.job_seconds else math.nan
    print(
        f"  {'  collect jobs, summed':<44}{first.job_seconds:>8.2f} s   "
        f"of which in video.get (fetch_stats) {first.fetch_seconds:.2f} s = {share:.0%}, the rest database"
    )
    sql = ", ".join(f"{kind} {n}" for kind, n in first.statements.most_common())
    per = sum(first.statements.values()) / max(1, sum(sizes))
    print(
        f"  {'  SQL statements':<44}{sum(first.statements.values()):>8}   ({per:.1f} per publication: {sql})"
    )
    print(
        f"  {'baseline: minimum calls at 3/s per token':<44}{paced[1]:>8.2f} s   ({paced[0]} calls)   "
        f"engine / baseline {first.seconds / paced[1]:.2f}"
    )
    print(f"  {'baseline: minimum calls unpaced':<44}{unpaced[1]:>8.2f} s   ({unpaced[0]} calls)")
    print(
        f"  publications synced {done}/{sum(sizes)}, snapshots written {snapshots}, counters stored {first.updated}"
    )
    print(
        f"  second pass right after: {second.due_connections} connections due, {second.calls} calls, "
        f"{second.seconds:.2f} s   (goal 0 calls)"
    )


def parse() -> Options:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--publications", type=int, default=20000)
    parser.add_argument("--connections", type=int, default=3)
    parser.add_argument("--parallel", type=int, default=2, help="stats jobs at a time (the worker runs 2)")
    parser.add_argument("--keep", action="store_true", help="keep the logs and the database")
    args = parser.parse_args()
    return Options(**{name: getattr(args, name) for name in Options.__dataclass_fields__})


def main() -> None:
    asyncio.run(run(parse()))


if __name__ == "__main__":
    main()
