"""What the engine benchmarks share: a test world of their own, setup, waiting, figures.

`running(name)` gives, for one run, a standalone test world (autopost_testing.world): a fresh
PostgreSQL database, a Redis key namespace, the sandbox as its own process (rate limits
lifted), optionally one `autopost serve` (Rutube downloads clips from AUTOPOST_PUBLIC_URL),
any number of `autopost worker` processes (`world.spawn_worker`), and an in-process Runtime
with the same settings for setup and inspection. Everything is removed at the end, also
after an error or Ctrl-C.

Run the benchmarks as modules from the repository root: `.venv/bin/python -m bench.<name>`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import math
import shutil
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from autopost.clips.models import Clip, ClipStatus
from autopost.connections.models import Connection
from autopost.db import transaction
from autopost.publications.models import Publication, PublicationEvent
from autopost.publications.rules import Target
from autopost.publications.usecases import create_publications
from autopost.queue import Outbox
from autopost.runtime import ProviderFactory, Runtime
from autopost.settings import DzenSettings, RutubeSettings, Settings, TelegramSettings, VkSettings
from autopost.users.models import User
from autopost.workspaces.access import resolve_member
from autopost_testing.sandbox import SandboxControl
from autopost_testing.world import TERMINAL, World, standalone_world

LIFTED = "100000/second"
# Publishing settings of the benchmark engine (the values); rate limits lifted.
ENGINE_SETTINGS: dict[str, Any] = {
    "retry_delays_seconds": [1, 2, 3],
    "processing_poll_seconds": 0.3,
    "sweep_interval_seconds": 2,
    "worker_lock_seconds": 5,
    "min_schedule_lead_seconds": 1,
    # Every benchmark here posts through one account per platform: its allowance is lifted so they
    # measure the engine; bench/rush.py measures the platforms' real allowances over many accounts.
    "vk": VkSettings(token_limit=LIFTED),
    "rutube": RutubeSettings(token_limit=LIFTED),
    "dzen": DzenSettings(publisher_limit=LIFTED),
    "telegram": TelegramSettings(bot_limit=LIFTED, channel_limit=LIFTED),
}


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "n/a"


@dataclass
class Bench:
    """One benchmark run: its world, a tag for names (users, titles) and its working directory."""

    world: World
    tag: str
    workdir: Path

    @property
    def runtime(self) -> Runtime:
        return self.world.runtime

    @property
    def sandbox(self) -> SandboxControl:
        assert self.world.sandbox is not None
        return self.world.sandbox


@contextlib.asynccontextmanager
async def running(
    name: str,
    *,
    serve: bool = False,
    keep: bool = False,
    providers: Callable[[Settings], ProviderFactory] | None = None,
    production_limits: bool = False,
) -> AsyncIterator[Bench]:
    """A started world, closed at the end; `providers` builds the in-process provider factory.

    `production_limits`: the platforms' default per-account allowances, and a sandbox that
    enforces (and counts violations of) its own; otherwise both are lifted.
    """
    platforms = {"vk", "rutube", "dzen", "telegram"}
    settings = {
        name: value
        for name, value in ENGINE_SETTINGS.items()
        if not (production_limits and name in platforms)
    }
    tag = uuid.uuid4().hex[:8]
    workdir = Path(tempfile.mkdtemp(prefix=f"autopost-bench-{name}-"))
    database = "none"
    try:
        async with standalone_world(
            workdir,
            postgres=True,
            sandbox_process=True,
            keep_database=keep,
            database_prefix=f"autopost_bench_{name}",
            providers=providers,
            redis_namespace=f"bench-{name}-{tag}",
            **settings,
        ) as world:
            database = world.settings.database_url.rsplit("/", 1)[1]
            bench = Bench(world, tag, workdir)
            await bench.sandbox.config(enforce_rate_limits=production_limits)
            if serve:
                await world.spawn_app()
            yield bench
    finally:
        if keep:
            print(f"kept: {workdir} (logs), database {database}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


# ---------------------------------------------------------------- many clips and publications, fast


@dataclass(frozen=True)
class ClipFile:
    key: str
    size: int
    sha256: str
    duration: float
    width: int
    height: int


async def store_clip_file(runtime: Runtime, user: User, source: Path, duration: float = 2.0) -> ClipFile:
    """Put one clip file into storage; many Clip rows may point at it (benchmarks need many clips)."""
    key = f"{user.id}/bench.mp4"
    path = runtime.storage.path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, path)
    data = path.read_bytes()
    return ClipFile(key, len(data), hashlib.sha256(data).hexdigest(), duration, 360, 640)


async def add_clips(runtime: Runtime, user: User, clip: ClipFile, titles: Sequence[str]) -> list[uuid.UUID]:
    """Ready clips sharing one stored file, inserted in one transaction."""
    ids = []
    async with transaction(runtime.session_factory) as session:
        for title in titles:
            row = Clip(
                workspace_id=user.id,
                title=title,
                status=ClipStatus.READY,
                storage_key=clip.key,
                size_bytes=clip.size,
                sha256=clip.sha256,
                duration_seconds=clip.duration,
                width=clip.width,
                height=clip.height,
                video_codec="h264",
            )
            session.add(row)
            ids.append(row.id)
    return ids


@dataclass(frozen=True)
class Planned:
    """One publication to make: which clip, to which connection, under which title."""

    clip_id: uuid.UUID
    connection_id: uuid.UUID
    title: str
    description: str = ""


async def publish(
    runtime: Runtime,
    user_id: uuid.UUID,
    planned: Sequence[Planned],
    *,
    scheduled_at: Sequence[datetime | None] | None = None,
    batch: int = 100,
) -> list[uuid.UUID]:
    """create_publications per clip, committed per batch, then the Outbox flushed to the queues."""
    ids: list[uuid.UUID] = []
    when = list(scheduled_at) if scheduled_at is not None else [None] * len(planned)
    for start in range(0, len(planned), batch):
        outbox = Outbox()
        async with transaction(runtime.session_factory) as session:
            user = await session.get(User, user_id)
            assert user is not None
            member = await resolve_member(session, user, None)
            for item, at in zip(planned[start : start + batch], when[start : start + batch], strict=True):
                clip = await session.get(Clip, item.clip_id)
                connection = await session.get(Connection, item.connection_id)
                assert clip is not None and connection is not None
                made = await create_publications(
                    session,
                    outbox,
                    runtime.settings,
                    member=member,
                    clip=clip,
                    targets=[Target(connection, item.title, item.description)],
                    scheduled_at=at,
                )
                ids.extend(p.id for p in made)
        await outbox.flush(runtime.queues)
    return ids


# ---------------------------------------------------------------- reading results


async def status_counts(runtime: Runtime, ids: Iterable[uuid.UUID] | None = None) -> Counter[str]:
    query = select(Publication.status, func.count()).group_by(Publication.status)
    if ids is not None:
        query = query.where(Publication.id.in_(list(ids)))
    async with transaction(runtime.session_factory) as session:
        rows = (await session.execute(query)).all()
    return Counter({str(status): int(count) for status, count in rows})


async def wait_terminal(
    runtime: Runtime,
    ids: Sequence[uuid.UUID],
    cap_seconds: float,
    *,
    every: float = 1.0,
    progress: float = 15.0,
    label: str = "",
) -> tuple[Counter[str], float]:
    """Poll until every publication is terminal or the cap passes; the last counts and the time taken."""
    started = time.monotonic()
    shown = started
    while True:
        counts = await status_counts(runtime, ids)
        terminal = sum(counts[s.value] for s in TERMINAL)
        elapsed = time.monotonic() - started
        if terminal == len(ids) or elapsed >= cap_seconds:
            return counts, elapsed
        if time.monotonic() - shown >= progress:
            shown = time.monotonic()
            print(f"  {label}{elapsed:5.0f} s: {dict(sorted(counts.items()))}", flush=True)
        await asyncio.sleep(every)


async def load_publications(runtime: Runtime, ids: Sequence[uuid.UUID]) -> list[Publication]:
    found: list[Publication] = []
    async with transaction(runtime.session_factory) as session:
        for start in range(0, len(ids), 1000):
            rows = await session.scalars(
                select(Publication).where(Publication.id.in_(ids[start : start + 1000]))
            )
            found.extend(rows)
    return found


async def load_events(runtime: Runtime, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[PublicationEvent]]:
    events: dict[uuid.UUID, list[PublicationEvent]] = {i: [] for i in ids}
    async with transaction(runtime.session_factory) as session:
        for start in range(0, len(ids), 1000):
            rows = await session.scalars(
                select(PublicationEvent)
                .where(PublicationEvent.publication_id.in_(ids[start : start + 1000]))
                .order_by(PublicationEvent.created_at)
            )
            for event in rows:
                events[event.publication_id].append(event)
    return events


def describe_events(events: Sequence[PublicationEvent]) -> str:
    parts = []
    for event in events:
        data = {k: v for k, v in (event.data or {}).items() if k in ("code", "job_state", "retry_after")}
        parts.append(event.kind + (json.dumps(data, ensure_ascii=False) if data else ""))
    return " → ".join(parts)
