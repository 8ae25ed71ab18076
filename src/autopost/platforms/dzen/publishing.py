"""One publishing attempt on Dzen: session → raw PUT → video, resumed from the checkpoint.

Checkpoint keys: `upload_id` (saved the moment the session exists),
`publish_sent` (saved just before POST /videos goes out) and `remote_id` (the
video's id). One upload makes at most one video on the platform, and
GET /uploads/{id} names that video, so a lost answer is settled by asking,
never by publishing again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

from autopost.platforms.base import PublishRequest, PublishResult, PublishState
from autopost.platforms.catalog import LIMITS, Platform
from autopost.platforms.dzen.answers import (
    NOT_FOUND,
    UPLOAD_ALREADY_COMPLETED,
    UPLOAD_ALREADY_PUBLISHED,
    UPLOAD_EXPIRED,
)
from autopost.platforms.dzen.publisher_api import PublisherApi, UploadSession, UploadStatus
from autopost.platforms.errors import OutcomeUnknown, Permanent, Transient
from autopost.platforms.media import ClipSource, ProgressCallback

LIMIT = LIMITS[Platform.DZEN]


def check_limits(request: PublishRequest) -> None:
    """Dzen's limits, refused before a single byte goes out."""
    size = request.clip.size
    if size <= 0:
        raise Permanent("dzen.empty_file", "clip size is 0")
    if size > LIMIT.max_bytes:
        raise Permanent("dzen.file_too_large", f"{size} bytes", size_bytes=size, limit_bytes=LIMIT.max_bytes)
    title = request.title.strip()
    if not title:
        raise Permanent("dzen.title_missing", "empty title")
    if LIMIT.title_max is not None and len(title) > LIMIT.title_max:
        raise Permanent(
            "dzen.title_too_long",
            f"title of {len(title)} characters",
            length=len(title),
            limit=LIMIT.title_max,
        )
    if LIMIT.description_max is not None and len(request.description) > LIMIT.description_max:
        raise Permanent(
            "dzen.description_too_long",
            f"description of {len(request.description)} characters",
            length=len(request.description),
            limit=LIMIT.description_max,
        )


@dataclass
class RawClipBody:
    """The clip as a raw request body of known length, chunk by chunk, reporting progress."""

    clip: ClipSource
    on_progress: ProgressCallback | None = None
    sent: int = 0
    completed: bool = False

    @property
    def size(self) -> int:
        return self.clip.size

    def body_sent(self) -> bool:
        return self.completed

    async def stream(self) -> AsyncIterator[bytes]:
        self.sent, self.completed = 0, False
        async for chunk in self.clip.chunks():
            self.sent += len(chunk)
            if self.on_progress is not None:
                self.on_progress(self.sent, self.clip.size)
            yield chunk
        self.completed = True


class PublishFlow:
    """Upload and publish one clip, continuing from what an earlier attempt saved."""

    def __init__(self, api: PublisherApi, request: PublishRequest) -> None:
        self._api = api
        self._request = request
        self._token = request.credentials.access_token
        self._checkpoint: dict[str, Any] = dict(request.checkpoint)

    async def run(self) -> PublishResult:
        upload = await self._ready_upload()
        video_id = upload.video_id or await self._create_video(upload.id)
        await self._save(remote_id=video_id)
        return PublishResult(PublishState.PROCESSING, dict(self._checkpoint), remote_id=video_id)

    async def _save(self, **changes: Any) -> None:
        self._checkpoint.update(changes)
        if self._request.on_checkpoint is not None:
            await self._request.on_checkpoint(dict(self._checkpoint))

    async def _ready_upload(self) -> UploadSession:
        """A session holding the whole clip (or already published): the saved one while usable, else new."""
        upload = await self._saved_upload()
        if upload is not None and upload.status is not UploadStatus.CREATED:
            return upload
        if upload is not None:
            try:
                return await self._send_clip(upload)
            except Permanent as exc:
                if exc.code != UPLOAD_EXPIRED:
                    raise
        clip = self._request.clip
        upload = await self._api.open_upload(self._token, file_name=clip.filename, file_size=clip.size)
        self._checkpoint = {}
        await self._save(upload_id=upload.id)
        return await self._send_clip(upload)

    async def _saved_upload(self) -> UploadSession | None:
        """Where the checkpointed session stands; None when there is none to continue."""
        upload_id = self._checkpoint.get("upload_id")
        if not upload_id:
            return None
        try:
            return await self._api.upload(self._token, str(upload_id))
        except Permanent as exc:
            if exc.code != NOT_FOUND:
                raise
            if self._checkpoint.get("publish_sent"):
                detail = "upload session gone after publish was sent"
                raise OutcomeUnknown("dzen.publish_unconfirmed", detail) from exc
            return None

    async def _send_clip(self, upload: UploadSession) -> UploadSession:
        """A broken transfer leaves the session `created` (Transient); the next attempt PUTs again."""
        body = RawClipBody(self._request.clip, self._request.on_progress)
        try:
            await self._api.put_file(upload, body, self._request.clip.content_type)
        except Permanent as exc:
            # Another attempt finished this very upload meanwhile: the file is there.
            if exc.code != UPLOAD_ALREADY_COMPLETED:
                raise
        return replace(upload, status=UploadStatus.UPLOADED)

    async def _create_video(self, upload_id: str) -> str:
        await self._save(publish_sent=True)
        try:
            return await self._api.create_video(
                self._token,
                upload_id=upload_id,
                title=self._request.title.strip(),
                description=self._request.description,
            )
        except OutcomeUnknown:
            pass  # the answer was lost: the upload says whether the video exists
        except Permanent as exc:
            if exc.code != UPLOAD_ALREADY_PUBLISHED:
                raise
        upload = await self._saved_upload()
        if upload is None or upload.video_id is None:
            # Not created (yet): a later attempt asks again; the platform refuses a second video anyway.
            raise Transient("dzen.publish_not_confirmed", "create answer lost, no video yet")
        return upload.video_id
