"""A worker SIGKILLed inside a Rutube direct upload: another worker resumes the same TUS upload at
the server's offset, and Rutube ends up with one video of exactly the clip's bytes."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest

from autopost.platforms.catalog import Platform
from autopost.publications.models import PublicationStatus
from tests.support.media import make_clip
from tests.support.stack import StackFactory
from tests.support.worker_process import start_worker_process


async def test_a_worker_killed_mid_rutube_upload_resumes_one_video_with_exact_bytes(
    database_url: str, stack_factory: StackFactory, tmp_path: Path
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL only: worker processes sharing one database (see test_recovery.py)")
    stack = await stack_factory()
    rutube = await stack.connect(Platform.RUTUBE)
    big = make_clip(tmp_path / "big.mp4", seconds=1.0)
    with big.open("ab") as handle:  # a real MP4 head, then enough bytes for several 4 MiB PATCHes
        handle.write(os.urandom(20 * 1024 * 1024))
    clip = await stack.add_clip(big)
    # The first PATCH after the creation's first chunk is held back: the worker dies inside it.
    await stack.fault(Platform.RUTUBE, "timeout", on="tus.patch", delay=5)
    workers = dict(start_worker_process(stack, name, Platform.RUTUBE) for name in ("one", "two"))
    try:
        [publication_id] = await stack.publish(rutube, clip=clip)
        while (await stack.sandbox_state())["faults"]:
            assert all(w.poll() is None for w in workers), [log.read_text() for log in workers.values()]
            await asyncio.sleep(0.01)
        [started] = [e for e in await stack.events(publication_id) if e.kind == "started"]
        [doomed] = [w for w in workers if started.data["worker"].endswith(f":{w.pid}")]
        doomed.send_signal(signal.SIGKILL)
        assert doomed.wait(timeout=10) == -signal.SIGKILL
        mid_upload = await stack.publication(publication_id)
        assert mid_upload.status is PublicationStatus.PUBLISHING
        assert mid_upload.checkpoint["route"] == "direct" and mid_upload.checkpoint["offset"] > 0
        assert "uploaded" not in mid_upload.checkpoint

        publication = await stack.wait_for(publication_id, timeout=90)
        assert publication.status is PublicationStatus.PUBLISHED, [
            log.read_text() for log in workers.values()
        ]
    finally:
        for process in workers:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)

    [post] = await stack.posts(Platform.RUTUBE)
    # The session the killed worker opened is the one published: resumed, not started over.
    assert post["remote_id"] == publication.remote_id == mid_upload.checkpoint["video_id"]
    assert (post["sha256"], post["bytes"]) == (clip.sha256, clip.size_bytes)
    [upload] = (await stack.sandbox_state())["uploads"]
    assert upload["complete"] is True and upload["metadata"]["videoId"] == post["remote_id"]
    assert publication.attempts == 1
    kinds = await stack.event_kinds(publication_id)
    assert kinds.count("started") == 1 and kinds[-1] == "published"
