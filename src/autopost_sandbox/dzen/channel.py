"""What the Дзен emulator remembers: upload sessions and videos, and how processing advances.

This is the emulator's own model, not wire format; the (assumed) wire protocol is
in publisher_api.py.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
from dataclasses import dataclass

from autopost_sandbox.core import ReceivedPost, SandboxState
from autopost_sandbox.dzen.registry import Publisher
from autopost_sandbox.rutube.media import looks_like_video, mp4_duration
from autopost_sandbox.rutube.pacing import steady_growth, wait_until


@dataclass
class Upload:
    id: str
    uid: str
    file_name: str
    file_size: int
    created_at: float
    expires_at: float
    status: str = "created"  # created → uploaded → published
    size: int = 0
    sha256: str = ""
    head: bytes = b""
    video_id: str | None = None


@dataclass
class Video:
    id: str
    uid: str
    publisher: Publisher
    upload: Upload
    title: str
    description: str
    created_at: float
    ready_at: float
    failure: str | None  # decided at publish, revealed when processing ends
    recorded_status: str = ""

    def status(self, now: float) -> str:
        if now < self.ready_at:
            return "processing"
        return "failed" if self.failure else "published"

    @property
    def duration(self) -> int:
        return mp4_duration(self.upload.head)

    def stats(self, now: float) -> dict[str, int]:
        """Counters grow on the clock once published (deterministic per video)."""
        views = steady_growth(self.id, self.ready_at, now, (5, 15)) if self.status(now) == "published" else 0
        return {"views": views, "likes": views // 12, "comments": views // 30, "shares": views // 45}


class Channels:
    """Uploads and videos by id, plus the tasks that flip each video out of `processing`."""

    def __init__(self, state: SandboxState) -> None:
        self._state = state
        self._lock = threading.Lock()
        self._uploads: dict[str, Upload] = {}
        self._videos: dict[str, Video] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def new_upload(self, uid: str, file_name: str, file_size: int, ttl: float) -> Upload:
        now = self._state.clock.now()
        upload = Upload(secrets.token_hex(16), uid, file_name, file_size, now, now + ttl)
        with self._lock:
            self._uploads[upload.id] = upload
        return upload

    def upload(self, upload_id: str) -> Upload | None:
        with self._lock:
            return self._uploads.get(upload_id)

    def video(self, video_id: str) -> Video | None:
        with self._lock:
            return self._videos.get(video_id)

    def publish(
        self, upload: Upload, publisher: Publisher, title: str, description: str, *, fail: bool
    ) -> Video:
        """Turn a finished upload into a video that processes for config.processing_seconds."""
        now = self._state.clock.now()
        failure = "ProcessingFailed" if fail else None
        if failure is None and not looks_like_video(upload.head):
            failure = "UnsupportedFormat"
        video = Video(
            id=secrets.token_hex(12),
            uid=upload.uid,
            publisher=publisher,
            upload=upload,
            title=title,
            description=description,
            created_at=now,
            ready_at=now + self._state.config.processing_seconds,
            failure=failure,
        )
        with self._lock:
            self._videos[video.id] = video
        upload.status, upload.video_id = "published", video.id
        self._record(video)
        task = asyncio.get_running_loop().create_task(self._finish_processing(video))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return video

    def _record(self, video: Video) -> None:
        video.recorded_status = "processing"
        self._state.record_post(
            ReceivedPost(
                platform="dzen",
                owner=video.publisher.id,
                remote_id=video.id,
                title=video.title,
                caption=video.description,
                bytes=video.upload.size,
                sha256=video.upload.sha256,
                status="processing",
                url=watch_url(video.id),
                extra={"upload_id": video.upload.id, "file_name": video.upload.file_name, "uid": video.uid},
            )
        )

    def sync(self, video: Video) -> None:
        """Mirror the video's current status into the sandbox's post registry (idempotent)."""
        status = video.status(self._state.clock.now())
        if status != video.recorded_status:
            video.recorded_status = status
            error = {"error": video.failure} if status == "failed" else {}
            post = self._state.find_post("dzen", video.id)
            extra = {**(post.extra if post else {}), **error}
            self._state.update_post("dzen", video.id, status=status, extra=extra)

    async def _finish_processing(self, video: Video) -> None:
        await wait_until(self._state.clock, video.ready_at)
        self.sync(video)

    def reset(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        self._tasks.clear()
        with self._lock:
            self._uploads.clear()
            self._videos.clear()


def watch_url(video_id: str) -> str:
    return f"https://dzen.ru/video/watch/{video_id}"
