"""Publishing one clip to VK: create a placeholder, upload its file once, poll, publish (run.py: checkpoint).

Which paths a publication may take (Run.paths) is the provider's choice from the connection:
a web session makes clips (shortVideo.*); a VK ID connection makes a VK Video (video.save),
or a clip first when VK opened shortVideo.* to the app (settings.vk.clips_approved), with
video.save when VK refuses it after all. The path taken is in the checkpoint and the result.
"""

from __future__ import annotations

from typing import Any

from autopost.platforms.base import PublishRequest, PublishResult
from autopost.platforms.catalog import LIMITS, Platform
from autopost.platforms.errors import OutcomeUnknown, Permanent, Transient
from autopost.platforms.multipart import StreamingMultipart
from autopost.platforms.vk import clips, video
from autopost.platforms.vk.answers import UploadOutcome, UploadRefusal
from autopost.platforms.vk.api import Caller, VkApi
from autopost.platforms.vk.run import CLIPS, VIDEO, Run

FILE_FIELDS = {CLIPS: "file", VIDEO: "video_file"}
# shortVideo.* is opened "not to all apps": these answers mean "use video.save" (platforms.md).
NO_CLIPS_ACCESS = frozenset({3, 15, 27})
LIMIT = LIMITS[Platform.VK]


def check_limits(request: PublishRequest) -> None:
    """VK's size and text limits, checked before any byte goes out."""
    size = request.clip.size
    if size > LIMIT.max_bytes:
        raise Permanent("vk.file_too_large", f"{size} bytes", size_bytes=size, limit_bytes=LIMIT.max_bytes)
    for name, text, limit in (
        ("title", request.title, LIMIT.title_max),
        ("description", request.description, LIMIT.description_max),
    ):
        if limit is not None and len(text) > limit:
            raise Permanent(f"vk.{name}_too_long", f"{len(text)} characters", length=len(text), limit=limit)


async def publish(
    api: VkApi, caller: Caller, paths: tuple[str, ...], request: PublishRequest
) -> PublishResult:
    """Create (or resume) the placeholder, upload it once, then poll and publish."""
    check_limits(request)
    run = Run(api, caller, paths, dict(request.checkpoint), request.on_checkpoint)
    if not run.checkpoint.get("remote_id"):
        await create_placeholder(run, request)
    if not run.checkpoint.get("uploaded") and not await upload(run, request):
        return run.processing()
    return await poll(run)


async def check(api: VkApi, caller: Caller, checkpoint: dict[str, Any]) -> PublishResult:
    """Poll a publication from its checkpoint alone (no file: an upload is never repeated here)."""
    run = Run(api, caller, (str(checkpoint.get("path", VIDEO)),), dict(checkpoint))
    if not run.checkpoint.get("remote_id"):
        raise Permanent("vk.not_started", "empty checkpoint")
    if not run.checkpoint.get("uploaded"):
        if not run.checkpoint.get("upload_sent"):
            raise Permanent("vk.not_started", "no upload in the checkpoint")
        if not await file_arrived(run):
            return run.processing()
        await run.save(uploaded=True)
    return await poll(run)


async def create_placeholder(run: Run, request: PublishRequest) -> None:
    """A clip when the paths allow one (and VK does), else a video; a fallback is never undone."""
    if CLIPS in run.paths and run.checkpoint.get("path") != VIDEO:
        falls_back = VIDEO in run.paths
        answer = await clips.create(run, request, handles=NO_CLIPS_ACCESS if falls_back else ())
        if answer is not None:
            await run.use_placeholder(CLIPS, answer)
            return
    await run.use_placeholder(VIDEO, await video.create(run, request))


async def upload(run: Run, request: PublishRequest) -> bool:
    """Get the file to VK exactly once; False when its answer was lost (the next call checks)."""
    if run.checkpoint.get("upload_sent") and await file_arrived(run):
        await run.save(uploaded=True)
        return True
    # A second round only after the URL expired: the placeholder never got a file (see docs).
    for _ in range(2):
        body = StreamingMultipart(
            fields={},
            clip_field=FILE_FIELDS[run.path],
            clip=request.clip,
            on_progress=request.on_progress,
        )
        await run.save(upload_sent=True)
        try:
            answer = await run.api.upload(str(run.checkpoint["upload_url"]), body)
        except UploadRefusal as refusal:
            if refusal.outcome is UploadOutcome.ALREADY_UPLOADED:
                await run.save(uploaded=True)
                return True
            await create_placeholder(run, request)
            continue
        except OutcomeUnknown:
            return False
        # The legacy answer of a clip's upload (<retval>1</retval>) carries no hash.
        await run.save(uploaded=True, video_hash=answer.get("video_hash"))
        return True
    raise Transient("vk.upload_url_expired", "expired twice")


async def file_arrived(run: Run) -> bool:
    return await (clips.arrived(run) if run.path == CLIPS else video.arrived(run))


async def poll(run: Run) -> PublishResult:
    return await (clips.poll(run) if run.path == CLIPS else video.poll(run))
