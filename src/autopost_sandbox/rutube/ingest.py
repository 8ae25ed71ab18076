"""Rutube's side of upload-by-URL: download the file itself, moderate it, call the callbacks back.

Runs as background asyncio tasks inside the sandbox process. The download is a
real streaming HTTP GET (redirects followed), hashed chunk by chunk and never
buffered, so the test proves our service really serves the clip at that URL.
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import httpx2

from autopost_sandbox.core import SandboxState
from autopost_sandbox.media_shelf import SHELF
from autopost_sandbox.rutube import protocol
from autopost_sandbox.rutube.media import looks_like_video, mp4_duration
from autopost_sandbox.rutube.pacing import steady_growth, wait_until
from autopost_sandbox.rutube.store import Video
from autopost_sandbox.uploads import HEAD_BYTES


def view_of(video: Video, now: float) -> protocol.VideoView:
    """The video as a reader sees it now: status from the clock, views growing once it is public."""
    status = video.status(now)
    start = video.ready_at
    if start is not None and video.publication_at is not None:
        start = max(start, video.publication_at)
    hits = steady_growth(video.id, start, now, (2, 9)) if status == "ready" else 0
    return protocol.VideoView(video, status, video.action_reason(now), hits, hits // 40)


class Ingest:
    """Owns the download tasks; keeps each video's ReceivedPost in step with its status."""

    def __init__(self, state: SandboxState) -> None:
        self._state = state
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self, video: Video) -> None:
        task = asyncio.get_running_loop().create_task(self._run(video))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        self._tasks.clear()

    def sync(self, video: Video) -> None:
        """Mirror the video's current status into the sandbox's post registry (idempotent)."""
        self._take_upload(video)
        now = self._state.clock.now()
        status = "deleted" if video.deleted else video.status(now)
        if status == video.recorded_status:
            return
        video.recorded_status = status
        self._state.update_post(
            "rutube",
            video.id,
            status=status,
            bytes=video.size,
            sha256=video.sha256,
            extra=self._post_extra(video, now),
        )

    def _take_upload(self, video: Video) -> None:
        """A studio-flow video whose TUS upload is complete: judge its bytes, then moderate it."""
        if not video.upload_session or video.moderation_ends_at is not None or video.download_failure:
            return
        done = [
            u
            for u in self._state.uploads.views()
            if u["complete"] and u["metadata"].get("videoId") == video.id
        ]
        upload = self._state.uploads.get(done[0]["id"]) if done else None
        if upload is None:
            return
        with upload.path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
        video.size, video.sha256 = upload.length, upload.sha256
        if not looks_like_video(head):
            video.download_failure = "not_a_video"
            return
        video.duration = mp4_duration(head)
        video.moderation_ends_at = self._state.clock.now() + self._state.config.processing_seconds
        video.recorded_status = ""

    def _post_extra(self, video: Video, now: float) -> dict[str, Any]:
        return {
            "track_id": video.track_id,
            "source_url": video.source_url,
            "is_hidden": video.is_hidden,
            "category_id": video.category_id,
            "action_reason": video.action_reason(now),
            "duration": video.duration,
            "publication_at": video.publication_at,
            "callback": video.callback_outcome,
        }

    async def _run(self, video: Video) -> None:
        await self._download(video)
        self.sync(video)
        if video.moderation_ends_at is not None:
            await wait_until(self._state.clock, video.moderation_ends_at)
            self.sync(video)
        await self._notify(video)

    async def _download(self, video: Video) -> None:
        fault = self._state.faults.take("rutube", "download", ("processing_failed",))
        hasher, spool = hashlib.sha256(), SHELF.spool()
        head = b""
        size = 0
        try:
            async with (
                httpx2.AsyncClient(follow_redirects=True, timeout=protocol.DOWNLOAD_TIMEOUT) as client,
                client.stream("GET", video.source_url) as response,
            ):
                if not response.is_success:
                    video.download_failure = "download_failed"
                    return
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > protocol.DOWNLOAD_MAX_BYTES:
                        video.download_failure = "file_too_large"
                        return
                    hasher.update(chunk)
                    spool.write(chunk)
                    if len(head) < HEAD_BYTES:
                        head += chunk[: HEAD_BYTES - len(head)]
                spool.finish(hasher.hexdigest())
        except httpx2.HTTPError:
            video.download_failure = "download_failed"
            return
        finally:
            spool.discard()  # a download that stopped half-way leaves nothing on the shelf
        video.size, video.sha256 = size, hasher.hexdigest()
        if fault is not None:
            video.download_failure = "download_failed"
        elif not looks_like_video(head):
            video.download_failure = "not_a_video"
        else:
            video.duration = mp4_duration(head)
            video.moderation_ends_at = self._state.clock.now() + self._state.config.processing_seconds

    async def _notify(self, video: Video) -> None:
        """POST to callback_url when ready, errback_url when failed (each at most once)."""
        if video.notified or video.deleted:
            return
        video.notified = True
        now = self._state.clock.now()
        view = view_of(video, now)
        if view.status == "ready" and video.callback_url:
            body = protocol.callback_payload(protocol.video_json(view, now), video)
            await self._post(video, video.callback_url, body)
        elif view.status == "error" and video.errback_url and view.action_reason:
            await self._post(video, video.errback_url, protocol.errback_payload(video, view.action_reason))

    async def _post(self, video: Video, url: str, body: dict[str, Any]) -> None:
        try:
            async with httpx2.AsyncClient(timeout=protocol.CALLBACK_TIMEOUT) as client:
                response = await client.post(url, json=body)
            video.callback_outcome = {"url": url, "status_code": response.status_code}
        except httpx2.HTTPError as error:
            video.callback_outcome = {"url": url, "error": type(error).__name__}
        video.recorded_status = ""  # make sync() write the outcome into the post's extra
        self.sync(video)
