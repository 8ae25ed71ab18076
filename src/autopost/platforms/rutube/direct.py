"""Rutube's studio flow: our bytes to Rutube's upload host, so no public URL is needed.

1. `POST /api/uploader/upload_session/?client=vulp&batch_id=<uuid>` {title} → {sid, video};
2. TUS 1.0.0 at `<upload host>/upload/<sid>` (Upload-Metadata sessionId, videoId, userId;
   browser-like User-Agent, Origin and Referer, or the anti-bot gateway refuses);
3. `PATCH /api/v2/video/<id>/?client=vulp` {title, description, category, is_hidden} publishes;
4. the video's state is then polled like any other (provider.check).

Every step is checkpointed before the next: the session (so a retry never opens a
second draft), each acknowledged TUS offset (a killed worker resumes at the
server's offset), then the published video. Sources: docs/platforms/rutube.md.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import httpx2

from autopost.platforms.base import PublishRequest, PublishResult, PublishState
from autopost.platforms.errors import OutcomeUnknown, Transient
from autopost.platforms.http import make_client
from autopost.platforms.rutube import wire
from autopost.platforms.rutube.answers import bad_answer
from autopost.platforms.rutube.client import RutubeSession
from autopost.platforms.tus import Creation, TusClient, UploadGone


async def upload_and_publish(
    api: RutubeSession,
    request: PublishRequest,
    *,
    upload_url: str,
    transport: httpx2.AsyncBaseTransport | None,
    http_timeout: float,
) -> PublishResult:
    """Resume from the checkpoint: open the session once, finish the upload, publish with the v2 PATCH."""
    checkpoint: dict[str, Any] = dict(request.checkpoint)
    if not checkpoint.get("session_id"):
        checkpoint = await _open_session(api, request)
    if not checkpoint.get("uploaded"):
        checkpoint = await _upload(request, checkpoint, upload_url, transport, http_timeout)
    video_id = str(checkpoint["video_id"])
    await set_metadata(api, video_id, request.title, request.description)
    checkpoint = {**checkpoint, "remote_id": video_id}
    await _save(request, checkpoint)
    return PublishResult(
        state=PublishState.PROCESSING,
        checkpoint=checkpoint,
        remote_id=video_id,
        remote_url=wire.public_url(video_id),
    )


async def set_metadata(api: RutubeSession, video_id: str, title: str, description: str) -> None:
    """The v2 PATCH that names the video and makes it public.

    Setting the same fields twice is harmless, so a PATCH whose answer was lost is simply sent again.
    """
    await api.call(
        "PATCH",
        wire.v2_video_path(video_id),
        params=wire.STUDIO_CLIENT,
        json={
            "title": title,
            "description": description,
            "category": str(wire.DEFAULT_CATEGORY),
            "is_hidden": False,
        },
    )


async def _open_session(api: RutubeSession, request: PublishRequest) -> dict[str, Any]:
    params = {**wire.STUDIO_CLIENT, "batch_id": str(uuid.uuid4())}
    try:
        body = await api.call(
            "POST", wire.UPLOAD_SESSION, params=params, json={"title": request.title}, creates=True
        )
    except OutcomeUnknown as exc:
        # At worst an empty hidden draft is left behind; nothing public was made, so try again.
        raise Transient("rutube.create_unconfirmed", exc.detail) from exc
    sid = body.get("sid") if isinstance(body, dict) else None
    video = body.get("video") if isinstance(body, dict) else None
    if not isinstance(sid, str) or not sid or not isinstance(video, str) or not video:
        raise bad_answer("upload_session answered without sid and video")
    checkpoint = {"route": "direct", "session_id": sid, "video_id": video, "title": request.title}
    await _save(request, checkpoint)
    return checkpoint


async def _upload(
    request: PublishRequest,
    checkpoint: dict[str, Any],
    upload_url: str,
    transport: httpx2.AsyncBaseTransport | None,
    http_timeout: float,
) -> dict[str, Any]:
    sid, video_id = str(checkpoint["session_id"]), str(checkpoint["video_id"])
    metadata = {"sessionId": sid, "videoId": video_id}
    user_id = request.credentials.meta.get("user_id")
    if user_id:
        metadata["userId"] = str(user_id)
    creation = Creation(f"{upload_url}{wire.UPLOAD_PATH.format(sid=sid)}", metadata, with_upload=True)
    state = dict(checkpoint)

    async def keep(url: str, offset: int) -> None:
        state.update(upload_url=url, offset=offset)
        await _save(request, state)

    http = make_client(upload_url, transport=transport, timeout=http_timeout, headers=wire.BROWSER_HEADERS)
    async with http:
        tus = TusClient(
            http, platform="rutube", chunk_bytes=wire.UPLOAD_CHUNK_BYTES, headers=wire.BROWSER_HEADERS
        )
        try:
            await tus.upload(
                request.clip,
                checkpoint.get("upload_url") or creation,
                on_checkpoint=keep,
                on_progress=request.on_progress,
            )
        except UploadGone as exc:
            # The upload (or its session) expired: start over with a new session next attempt.
            await _save(request, {})
            raise Transient(exc.code, exc.detail) from exc
    state["uploaded"] = True
    await _save(request, state)
    return state


async def _save(request: PublishRequest, checkpoint: Mapping[str, Any]) -> None:
    if request.on_checkpoint is not None:
        await request.on_checkpoint(checkpoint)
