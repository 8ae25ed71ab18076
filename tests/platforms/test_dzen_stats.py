"""Дзен stats through the sandbox: at most 50 ids per call, unknown ids left out."""

from __future__ import annotations

from pathlib import Path

from autopost.platforms.base import Counters
from autopost_sandbox.dzen.publisher_api import STATS_MAX_IDS
from tests.conftest import Sandbox
from tests.platforms.dzen_support import (
    CountingTransport,
    Recorder,
    advance,
    clip_source,
    publish_until_done,
    seeded_credentials,
    unpaced,
)


async def test_more_than_fifty_ids_take_two_calls(sandbox: Sandbox, tmp_path: Path) -> None:
    transport = CountingTransport()
    provider = unpaced(sandbox, transport)
    clip = clip_source(tmp_path / "lesson.mp4")
    results = await publish_until_done(sandbox, provider, Recorder(), seeded_credentials(), clip)
    video_id = results[-1].remote_id
    assert video_id
    advance(sandbox, 600)
    unknown = [f"{n:024x}" for n in range(55)]

    stats = await provider.fetch_stats(
        credentials=seeded_credentials(), remote_ids=[video_id, *unknown, video_id]
    )

    assert list(stats) == [video_id]
    views = stats[video_id].views
    assert views is not None and 50 <= views <= 150  # 5-15 a minute for ten minutes
    assert stats[video_id] == Counters(
        views=views, likes=views // 12, shares=views // 45, comments=views // 30
    )
    batches = [url.params["video_ids"].split(",") for url in transport.urls if url.path.endswith("/stats")]
    assert len(batches) == 2
    assert all(len(batch) <= STATS_MAX_IDS for batch in batches)
    assert sorted(i for batch in batches for i in batch) == sorted([video_id, *unknown])


async def test_no_ids_make_no_call(sandbox: Sandbox) -> None:
    transport = CountingTransport()
    provider = unpaced(sandbox, transport)

    assert await provider.fetch_stats(credentials=seeded_credentials(), remote_ids=[]) == {}
    assert not transport.calls
