"""The engine survives its infrastructure: Redis emptied mid-run, a worker killed mid-upload.

The database is the truth: the sweeper rebuilds lost jobs from rows, and a stalled
job resumes from its checkpoint on another worker. Either way each publication
ends exactly once on the platform.
"""

from __future__ import annotations

import asyncio
import secrets
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from autopost.db import utcnow
from autopost.platforms.catalog import Platform
from autopost.publications.models import PublicationStatus
from tests.publications.checks import assert_published_once
from tests.support.servers import free_port
from tests.support.stack import StackFactory, later
from tests.support.worker_process import start_worker_process


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[str]:
    """A Redis server of this test's own, so a real FLUSHALL empties nothing anyone else uses."""
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    try:
        for _ in range(200):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                assert server.poll() is None, "redis-server did not start"
                time.sleep(0.02)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        client.close()
        server.terminate()
        server.wait(timeout=10)


async def test_redis_flushall_mid_run_and_the_sweeper_restores_every_due_job(
    private_redis: str, stack_factory: StackFactory, stack_clip_file: Path
) -> None:
    stack = await stack_factory(redis_url=private_redis)
    telegram, vk = await stack.connect(Platform.TELEGRAM), await stack.connect(Platform.VK)
    await stack.start_worker()
    [before] = await stack.publish(telegram, title="До сбоя")
    assert (await stack.wait_for(before)).status is PublicationStatus.PUBLISHED
    # Due jobs in two platform queues, waiting in Redis as delayed jobs.
    clips = [await stack.add_clip(stack_clip_file), await stack.add_clip(stack_clip_file)]
    due = await stack.publish(telegram, vk, clip=clips[0], at=later(1.5), title="После сбоя")
    due += await stack.publish(telegram, clip=clips[1], at=later(1.5), title="После сбоя")
    for publication_id in due:
        publication = await stack.publication(publication_id)
        assert await stack.runtime.queues.job_state(publication_id, publication.platform) == "delayed"

    history_before = await stack.event_kinds(before)
    flushed_at = utcnow()
    await stack.runtime.redis.flushall()  # Redis restarted empty; the worker keeps running
    assert await stack.runtime.redis.dbsize() == 0

    for publication_id in due:
        publication = await stack.wait_for(publication_id)
        assert publication.status is PublicationStatus.PUBLISHED, publication.error_code
        assert publication.attempts == 1
        post = await stack.post_of(publication)
        assert (post["sha256"], post["bytes"]) == (stack.clip.sha256, stack.clip.size_bytes)
        after_flush = [e.kind for e in await stack.events(publication_id) if e.created_at > flushed_at]
        assert after_flush[0] == "requeued" and after_flush.count("started") == 1
    # The one finished before the flush was left alone: still one post, nothing new in its history.
    await assert_published_once(stack, await stack.publication(before))
    assert await stack.event_kinds(before) == history_before
    assert len(await stack.posts()) == len(due) + 1


async def test_a_worker_killed_mid_upload_and_the_clip_still_posts_exactly_once(
    database_url: str, stack_factory: StackFactory, tmp_path: Path
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip(
            "PostgreSQL only: worker processes sharing one database is the PostgreSQL deployment "
            "(the embedded SQLite default runs one process), and interpreter start-ups are slow"
        )
    stack = await stack_factory()
    vk = await stack.connect(Platform.VK)
    big = tmp_path / "big.mp4"
    big.write_bytes(secrets.token_bytes(24 * 1024 * 1024))  # long enough on the wire to die inside
    clip = await stack.add_clip(big)
    # VK's upload server holds its answer back, so the worker is surely inside the upload when
    # killed: mid-body, or with the whole body sent and no answer yet.
    await stack.fault(Platform.VK, "timeout", on="upload", delay=5)
    # Two workers start together (start-up is slow); whichever takes the job is killed.
    workers = dict(start_worker_process(stack, name, Platform.VK) for name in ("one", "two"))
    try:
        [publication_id] = await stack.publish(vk, clip=clip)
        while (await stack.sandbox_state())["faults"]:  # taken when the upload request arrives
            assert all(w.poll() is None for w in workers), [log.read_text() for log in workers.values()]
            await asyncio.sleep(0.01)
        [started] = [e for e in await stack.events(publication_id) if e.kind == "started"]
        [doomed] = [w for w in workers if started.data["worker"].endswith(f":{w.pid}")]
        doomed.send_signal(signal.SIGKILL)
        assert doomed.wait(timeout=10) == -signal.SIGKILL
        mid_upload = await stack.publication(publication_id)
        assert mid_upload.status is PublicationStatus.PUBLISHING
        assert mid_upload.checkpoint.get("upload_sent") is True

        publication = await stack.wait_for(publication_id, timeout=60)
        assert publication.status is PublicationStatus.PUBLISHED, [
            log.read_text() for log in workers.values()
        ]
    finally:
        for process in workers:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)

    [post] = await stack.posts(Platform.VK)
    # The video the killed worker created is the one published: resumed, not started over.
    assert post["remote_id"] == publication.remote_id == mid_upload.checkpoint["remote_id"]
    assert "abandoned" not in publication.checkpoint
    assert (post["sha256"], post["bytes"]) == (clip.sha256, clip.size_bytes)
    # One attempt, claimed once by the killed worker and resumed by the other from its checkpoint.
    assert publication.attempts == 1
    kinds = await stack.event_kinds(publication_id)
    assert kinds.count("started") == 1 and kinds[-1] == "published"
