"""VK's upload server: where upload_url (from video.save or shortVideo.create) points.

The file arrives as multipart: field `video_file` for video.save, `file` for
shortVideo.create, where some clients send `video_file` too (platforms.md Part 2). A clip's
upload answers JSON {video_hash, size, owner_id, video_id}, or the legacy body
`<retval>1</retval>` when the config says `vk_clip_upload_answer: "retval"`; both mean
success (crosspostly/diveclub-vkposter:clip_web_upload.py). Errors come as {error,
error_code, error_descr} with an HTTP error status (the names and codes are the
sandbox's; VK's are not public).
"""

from __future__ import annotations

import secrets
from pathlib import PurePosixPath
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from autopost_sandbox.core import Fault, FaultKind
from autopost_sandbox.http import hang, reset_mid_upload
from autopost_sandbox.uploads import ReceivedFile, ReceivedForm, UploadRejected, receive_form
from autopost_sandbox.vk.store import Video
from autopost_sandbox.vk.world import VkWorld

UPLOAD_FAULTS: tuple[FaultKind, ...] = ("server_error", "timeout", "reset", "processing_failed")
FILE_FIELDS = {"video": ("video_file",), "short_video": ("file", "video_file")}
LEGACY_CLIP_ANSWER = "<retval>1</retval>"


class UploadRefused(Exception):
    """An upload-server error answer."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status, self.error, self.description = status, error, description

    def response(self) -> JSONResponse:
        body = {"error": self.error, "error_code": self.status, "error_descr": self.description}
        return JSONResponse(body, status_code=self.status)


def _complete(world: VkWorld, video: Video, received: ReceivedFile, fault: Fault | None) -> None:
    """The file is in: start encoding; a video.save video is now on the owner's page."""
    now = world.now()
    video.size, video.sha256 = received.size, received.sha256
    video.video_hash = secrets.token_hex(16)
    video.uploaded_at = now
    video.ready_at = now + world.state.config.processing_seconds
    video.processing_failed = fault is not None and fault.fault == "processing_failed"
    if video.kind == "short_video":
        return
    if not video.title:
        # VK names an untitled upload after its file.
        video.title = PurePosixPath(received.filename).stem or "Без названия"
    if not video.processing_failed:
        video.published_at = video.ready_at
        if video.wallpost:
            post = world.videos.add_wall_post(
                owner_id=video.owner_id,
                from_id=video.owner_id,
                message=video.description,
                attachments=(f"video{video.full_id}",),
            )
            video.wall_post_id = post.id
    world.record_video(video, status="failed" if video.processing_failed else "published", path="video")


def _answer(video: Video) -> dict[str, Any]:
    if video.kind == "short_video":
        return {
            "video_hash": video.video_hash,
            "size": video.size,
            "owner_id": video.owner_id,
            "video_id": video.id,
        }
    return {
        "video_hash": video.video_hash,
        "size": video.size,
        "direct_link": video.url,
        "owner_id": video.owner_id,
        "video_id": video.id,
    }


def _uploaded_file(video: Video, form: ReceivedForm) -> ReceivedFile:
    fields = FILE_FIELDS[video.kind]
    received = next((form.files[name] for name in fields if name in form.files), None)
    if received is None:
        raise UploadRefused(400, "no_file", f"no file in the multipart field {' or '.join(fields)}")
    if video.declared_size is not None and received.size != video.declared_size:
        raise UploadRefused(
            400,
            "bad_file_size",
            f"received {received.size} bytes, shortVideo.create said {video.declared_size}",
        )
    return received


async def _receive(world: VkWorld, request: Request, fault: Fault | None) -> dict[str, Any]:
    video = world.videos.by_upload_key(request.path_params["key"])
    if video is None or request.path_params["kind"] != ("clip" if video.kind == "short_video" else "video"):
        raise UploadRefused(404, "invalid_upload_url", "upload URL is unknown or expired")
    if video.uploaded_at is not None or video.receiving:
        raise UploadRefused(400, "already_uploaded", "a file was already uploaded to this URL")
    video.receiving = True
    try:
        form = await receive_form(request)
    except UploadRejected as exc:
        raise UploadRefused(400, "bad_request", str(exc)) from None
    finally:
        video.receiving = False
    if fault is not None and fault.fault == "server_error":
        raise UploadRefused(500, "internal_error", "Internal server error")
    _complete(world, video, _uploaded_file(video, form), fault)
    return _answer(video)


async def receive_upload(world: VkWorld, request: Request) -> Response:
    """POST {upload_url}: store the file, answer its hash."""
    fault = world.state.faults.take("vk", "upload", UPLOAD_FAULTS)
    if fault is not None and fault.fault == "reset":
        return await reset_mid_upload(request)
    try:
        answer = await _receive(world, request, fault)
    except UploadRefused as refused:
        return refused.response()
    if fault is not None and fault.fault == "timeout":
        await hang(fault)
    if request.path_params["kind"] == "clip" and world.state.config.vk_clip_upload_answer == "retval":
        return HTMLResponse(LEGACY_CLIP_ANSWER)
    return JSONResponse(answer)
