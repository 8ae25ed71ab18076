"""What the stats tests share: VK videos in the sandbox, publication rows pointing at them, reading back."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select

from autopost.connections.models import Connection
from autopost.db import transaction, utcnow
from autopost.publications.models import Phase, Publication, PublicationStatus
from autopost.queue import STATS_QUEUE
from autopost.stats.models import StatsSnapshot
from tests.conftest import Sandbox
from tests.platforms.test_vk_support import Recording
from tests.sandbox.test_vk_support import Vk
from tests.support.stack import Stack

_GENERATIONS = itertools.count()


def vk_videos(sandbox: Sandbox, count: int, *, uploaded: bool = False) -> list[str]:
    """`count` videos of the demo account ("<owner>_<id>"); uploaded ones gain views as the clock runs.

    Made faster than VK's 3 calls a second: the limit is lifted meanwhile (the engine's calls meet it).
    """
    made = []
    with Vk(sandbox) as vk, sandbox.control() as control:
        control.post("/config", json={"enforce_rate_limits": False}).raise_for_status()
        for n in range(count):
            name = f"clip {n}"
            video = (
                vk.publish_video(b"video bytes", name=name) if uploaded else vk.ok("video.save", name=name)
            )
            made.append(f"{video['owner_id']}_{video['video_id']}")
        control.post("/config", json={"enforce_rate_limits": True}).raise_for_status()
    return made


async def add_publications(
    stack: Stack,
    connection: Connection,
    remote_ids: Sequence[str | None],
    *,
    published_ago: timedelta = timedelta(hours=1),
    synced_ago: timedelta | None = None,
    status: PublicationStatus = PublicationStatus.PUBLISHED,
) -> list[uuid.UUID]:
    """Publication rows as the engine leaves them, one per remote id (None: the platform gave none)."""
    now = utcnow()
    rows = [
        Publication(
            workspace_id=connection.workspace_id,
            clip_id=stack.clip.id,
            connection_id=connection.id,
            platform=connection.platform,
            # One clip published many times over: each publication is a generation of its own.
            generation=next(_GENERATIONS),
            status=status,
            phase=Phase.DONE if status is PublicationStatus.PUBLISHED else Phase.UPLOADING,
            remote_id=remote_id,
            published_at=now - published_ago if status is PublicationStatus.PUBLISHED else None,
            last_stats_sync_at=now - synced_ago if synced_ago is not None else None,
        )
        for remote_id in remote_ids
    ]
    async with transaction(stack.runtime.session_factory) as session:
        session.add_all(rows)
    return [row.id for row in rows]


async def publications(stack: Stack, ids: Sequence[uuid.UUID]) -> list[Publication]:
    """The rows, in the order of `ids`."""
    async with transaction(stack.runtime.session_factory) as session:
        found = {p.id: p for p in await session.scalars(select(Publication).where(Publication.id.in_(ids)))}
    return [found[i] for i in ids]


async def snapshots(stack: Stack) -> dict[uuid.UUID, list[StatsSnapshot]]:
    """Every snapshot, by publication, oldest first."""
    async with transaction(stack.runtime.session_factory) as session:
        rows = await session.scalars(select(StatsSnapshot).order_by(StatsSnapshot.taken_at))
    found: dict[uuid.UUID, list[StatsSnapshot]] = {}
    for row in rows:
        found.setdefault(row.publication_id, []).append(row)
    return found


async def waiting_jobs(stack: Stack) -> list[str]:
    """The connection ids of the stats jobs waiting in the queue."""
    jobs = await stack.runtime.queues.get(STATS_QUEUE).getJobs(["waiting"], 0, -1)
    return sorted(job.data["connection_id"] for job in jobs)


def video_get_batches(stack: Stack) -> list[list[str]]:
    """The ids of each video.get request the providers sent, in order."""
    assert isinstance(stack.observer.transport, Recording)
    return [call["videos"].split(",") for call in stack.observer.transport.calls("video.get")]


async def synced(stack: Stack, ids: Sequence[uuid.UUID], timeout: float = 30) -> list[Publication]:
    """The publications once every one has been through a stats pass."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        rows = await publications(stack, ids)
        if all(p.last_stats_sync_at is not None for p in rows):
            return rows
        assert asyncio.get_running_loop().time() < deadline, [p.last_stats_sync_at for p in rows]
        await asyncio.sleep(0.1)
