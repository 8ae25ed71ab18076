"""One publishing attempt on Dzen over the editor protocol, resumed from the checkpoint.

  validate-video → add-publication (gif) → start-upload-video → TUS → finish-upload-video →
  poll the publication until converted → update-publication-content-and-publish

Checkpoint keys, each saved the moment it is known: `create_sent` (just before
add-publication goes out), `remote_id` (the publication id), `upload_url` / `upload_id` / `offset` (the TUS
upload; the offset after every acknowledged chunk), `uploaded` (finish-upload-video answered),
`publish_sent` (just before the publish call) and `published`.

Nothing twice: add-publication is never repeated once sent (a lost answer is OutcomeUnknown:
the person decides); a resumed upload goes on at the server's offset (HEAD), never from a
stored one; the publish call acts on the one publication id, and a resumed attempt reads the
publication first: if it is published, nothing is sent again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from autopost.platforms.base import PublishRequest, PublishResult, PublishState
from autopost.platforms.catalog import LIMITS, Platform
from autopost.platforms.dzen.answers import (
    conversion_failed,
    gif_content,
    publication_state,
    text_field,
)
from autopost.platforms.dzen.editor import EditorSession
from autopost.platforms.errors import OutcomeUnknown, Permanent, PlatformError, Transient
from autopost.platforms.tus import TusClient, UploadGone

LIMIT = LIMITS[Platform.DZEN]
SHORTS_URL = "https://dzen.ru/shorts/{id}"  # where dzen.ru shows a published short video


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


def published(publication_id: str, checkpoint: dict[str, Any]) -> PublishResult:
    return PublishResult(
        PublishState.PUBLISHED,
        dict(checkpoint),
        remote_id=publication_id,
        remote_url=SHORTS_URL.format(id=publication_id),
    )


async def read_publication(editor: EditorSession, publication_id: str) -> dict[str, Any]:
    path = f"/editor-api/v2/publisher/{editor.publisher_id}/publication/{publication_id}"
    return await editor.call("GET", path)


async def poll(editor: EditorSession, checkpoint: dict[str, Any]) -> PublishResult:
    """Where a publication stands: published, converted and waiting to be published, or converting."""
    publication_id = str(checkpoint.get("remote_id") or "")
    if not publication_id:
        return PublishResult(PublishState.PROCESSING, checkpoint)
    publication = await read_publication(editor, publication_id)
    if publication_state(publication) == "published":
        return published(publication_id, checkpoint)
    if gif_content(publication).get("isFailed"):
        raise conversion_failed()
    return PublishResult(PublishState.PROCESSING, checkpoint, remote_id=publication_id)


class DzenPublish:
    """Upload and publish one clip, continuing from what an earlier attempt saved."""

    def __init__(self, editor: EditorSession, tus: TusClient, request: PublishRequest) -> None:
        self._editor = editor
        self._tus = tus
        self._request = request
        self._checkpoint: dict[str, Any] = dict(request.checkpoint)

    @property
    def _id(self) -> str:
        return str(self._checkpoint["remote_id"])

    async def _save(self, **changes: Any) -> None:
        self._checkpoint.update(changes)
        if self._request.on_checkpoint is not None:
            await self._request.on_checkpoint(dict(self._checkpoint))

    async def run(self) -> PublishResult:
        if self._checkpoint.get("published"):
            return published(self._id, self._checkpoint)
        if not self._checkpoint.get("remote_id"):
            await self._create()
        if not self._checkpoint.get("uploaded"):
            await self._upload()
            await self._editor.call(
                "POST",
                "/media-api-video/finish-upload-video",
                json={"publicationId": self._id, "uploadId": self._checkpoint["upload_id"]},
            )
            await self._save(uploaded=True)
            return PublishResult(PublishState.PROCESSING, dict(self._checkpoint), remote_id=self._id)
        return await self._publish_when_converted()

    # -------------------------------------------------------------- the draft
    async def _create(self) -> None:
        if self._checkpoint.get("create_sent"):
            raise OutcomeUnknown("dzen.draft_unconfirmed", "add-publication was sent, its answer never came")
        await self._editor.call(
            "POST",
            "/media-api-video/validate-video",
            body=self._clip_bytes,
            headers={"Content-Type": "video/mp4", "Content-Length": str(self._request.clip.size)},
        )
        await self._save(create_sent=True)
        try:
            answer = await self._editor.call(
                "POST",
                "/editor-api/v2/add-publication",
                json={"publicationType": "gif", "content": {"gifContent": {}}},
                creates=True,
            )
        except OutcomeUnknown as lost:
            raise OutcomeUnknown("dzen.draft_unconfirmed", lost.detail) from lost
        except PlatformError:
            await self._save(create_sent=False)  # refused or unreachable: nothing was created
            raise
        await self._save(remote_id=text_field(answer, "id"))

    async def _clip_bytes(self) -> AsyncIterator[bytes]:
        async for chunk in self._request.clip.chunks():
            yield chunk

    # -------------------------------------------------------------- the file
    async def _start_upload(self) -> str:
        clip = self._request.clip
        answer = await self._editor.call(
            "POST",
            "/media-api-video/start-upload-video",
            json={
                "publicationId": self._id,
                "fileName": clip.filename,
                "fileSize": clip.size,
                "mimeType": clip.content_type,
            },
        )
        url = text_field(answer, "uploadUrl")
        await self._save(upload_url=url, upload_id=text_field(answer, "uploadId"), offset=0)
        return url

    async def _upload(self) -> None:
        url = self._checkpoint.get("upload_url") or await self._start_upload()
        try:
            await self._send(str(url))
        except UploadGone:  # the upload host forgot it (expired): a new upload for the same draft
            await self._send(await self._start_upload())

    async def _send(self, url: str) -> None:
        async def saved(upload_url: str, offset: int) -> None:
            await self._save(upload_url=upload_url, offset=offset)

        await self._tus.upload(
            self._request.clip, url, on_checkpoint=saved, on_progress=self._request.on_progress
        )

    # -------------------------------------------------------------- conversion and publishing
    async def _read(self) -> dict[str, Any]:
        return await read_publication(self._editor, self._id)

    async def _publish_when_converted(self) -> PublishResult:
        publication = await self._read()
        if self._checkpoint.get("publish_sent") and publication_state(publication) == "published":
            await self._save(published=True)
            return published(self._id, self._checkpoint)
        gif = gif_content(publication)
        if gif.get("isFailed"):
            raise conversion_failed()
        if not gif.get("isConverted"):
            return PublishResult(PublishState.PROCESSING, dict(self._checkpoint), remote_id=self._id)
        await self._save(publish_sent=True)
        try:
            await self._editor.call(
                "POST",
                "/editor-api/v2/update-publication-content-and-publish",
                json=self._publish_body(gif),
                creates=True,
            )
        except OutcomeUnknown as lost:
            # Publishing acts on this one publication, so asking settles it; it cannot make a second.
            if publication_state(await self._read()) != "published":
                raise Transient("dzen.publish_not_confirmed", lost.detail) from lost
        await self._save(published=True)
        return published(self._id, self._checkpoint)

    def _publish_body(self, gif: dict[str, Any]) -> dict[str, Any]:
        """The body dzen.ru's editor sends (platforms.md Part 2 sources), with the converted gifContent."""
        return {
            "id": self._id,
            "preview": {"title": self._request.title.strip(), "snippet": self._request.description.strip()},
            "snippetFrozen": False,
            "hasNativeAds": False,
            "commentsFlagState": "on",
            "delayedPublicationFlagState": "off",
            "visibleComments": "all",
            "visibilityType": "all",
            "gifContent": {**gif, "autoPublish": False},
            "gifMentions": [],
            "tagsInput": {"tags": [], "detectedTagsShown": False},
        }
