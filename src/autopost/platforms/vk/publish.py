"""Publishing one clip to VK: the clips path (shortVideo.*) first, video.save when the app lacks it.

Checkpoint keys, each saved through on_checkpoint the moment VK gives it:
  path          "clips" | "video": which path this publication took
  remote_id     "<owner_id>_<video_id>" (also owner_id, video_id); upload_url: where its file goes
  upload_sent   the file started going out: it may have arrived even if no answer came back
  uploaded      VK has the file (video_hash when the upload server said so)
  published     clips: shortVideo.publish answered
  wall_post_id  the wall post showing the video; wall_post_refused: VK's code when it refused one
  abandoned     placeholders left without a file (their upload URL expired); never published
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from autopost.platforms.base import (
    CheckpointCallback,
    Credentials,
    PublishRequest,
    PublishResult,
    PublishState,
)
from autopost.platforms.catalog import LIMITS, Platform, caption_text
from autopost.platforms.errors import OutcomeUnknown, Permanent, Transient
from autopost.platforms.multipart import StreamingMultipart
from autopost.platforms.vk.answers import UploadOutcome, UploadRefusal, VkRefusal
from autopost.platforms.vk.api import VkApi

CLIPS, VIDEO = "clips", "video"
FILE_FIELDS = {CLIPS: "file", VIDEO: "video_file"}
PAGES = {CLIPS: "clip", VIDEO: "video"}
# shortVideo.* is opened "not to all apps": these answers mean "use video.save" (platforms.md).
NO_CLIPS_ACCESS = frozenset({3, 15, 27})
STILL_ENCODING = frozenset({3001})
WALL_REFUSED = frozenset({15, 214})
LIMIT = LIMITS[Platform.VK]


def clip_caption(title: str, description: str) -> str:
    """A clip has no title: title and description go into its one caption when they fit."""
    joined = caption_text(title, description)
    limit = LIMIT.description_max or len(joined)
    return joined if len(joined) <= limit else description.strip()


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


def group_of(credentials: Credentials) -> int | None:
    """The community a connection publishes to (meta "group_id"), or None for the user's own page."""
    value = credentials.meta.get("group_id")
    return None if value in (None, "") else int(value)


@dataclass
class Run:
    """One publish or check call: the token and the checkpoint as it grows."""

    api: VkApi
    token: str
    checkpoint: dict[str, Any]
    on_checkpoint: CheckpointCallback | None = None

    @property
    def path(self) -> str:
        return str(self.checkpoint["path"])

    @property
    def remote_id(self) -> str:
        return str(self.checkpoint["remote_id"])

    @property
    def owner_id(self) -> int:
        return int(self.checkpoint["owner_id"])

    async def save(self, **changes: Any) -> None:
        """Record progress; persisted at once, before the next call to VK."""
        if all(self.checkpoint.get(key, object()) == value for key, value in changes.items()):
            return
        self.checkpoint.update(changes)
        if self.on_checkpoint is not None:
            await self.on_checkpoint(dict(self.checkpoint))

    async def use_placeholder(self, path: str, answer: dict[str, Any]) -> None:
        """Point the checkpoint at a new placeholder (abandoning an earlier one that never got a file)."""
        owner_id, video_id = int(answer["owner_id"]), int(answer["video_id"])
        abandoned = list(self.checkpoint.get("abandoned", []))
        if "remote_id" in self.checkpoint:
            abandoned.append(self.remote_id)
        for stale in ("video_hash", "published", "wall_post_id", "wall_post_refused"):
            self.checkpoint.pop(stale, None)
        changes: dict[str, Any] = {"abandoned": abandoned} if abandoned else {}
        await self.save(
            path=path,
            remote_id=f"{owner_id}_{video_id}",
            owner_id=owner_id,
            video_id=video_id,
            upload_url=str(answer["upload_url"]),
            upload_sent=False,
            uploaded=False,
            **changes,
        )

    def processing(self, progress: int | None = None) -> PublishResult:
        return PublishResult(
            state=PublishState.PROCESSING,
            checkpoint=dict(self.checkpoint),
            remote_id=self.remote_id,
            progress=progress,
        )

    def published(self) -> PublishResult:
        return PublishResult(
            state=PublishState.PUBLISHED,
            checkpoint=dict(self.checkpoint),
            remote_id=self.remote_id,
            remote_url=f"https://vk.com/{PAGES[self.path]}{self.remote_id}",
        )


async def publish(api: VkApi, request: PublishRequest) -> PublishResult:
    """Create (or resume) the video, upload it once, then poll and publish."""
    check_limits(request)
    run = Run(api, request.credentials.access_token, dict(request.checkpoint), request.on_checkpoint)
    if not run.checkpoint.get("remote_id"):
        await create_placeholder(run, request)
    if not run.checkpoint.get("uploaded") and not await upload(run, request):
        return run.processing()
    return await poll(run)


async def check(api: VkApi, credentials: Credentials, checkpoint: dict[str, Any]) -> PublishResult:
    """Poll a publication from its checkpoint alone (no file: an upload is never repeated here)."""
    run = Run(api, credentials.access_token, dict(checkpoint))
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
    """shortVideo.create, or video.save when the app (or this path) has no clips access."""
    group_id = group_of(request.credentials)
    if run.checkpoint.get("path") != VIDEO:
        params = {
            "file_size": request.clip.size,
            "group_id": group_id,
            "description": clip_caption(request.title, request.description) or None,
            "wallpost": False,  # the wall post comes with shortVideo.publish, once the clip is ready
        }
        try:
            answer = await run.api.call("shortVideo.create", run.token, params, handles=NO_CLIPS_ACCESS)
        except VkRefusal:
            pass  # no clips for this app; video.save decides whether the target is allowed at all
        else:
            await run.use_placeholder(CLIPS, answer)
            return
    params = {
        "name": request.title or None,
        "description": request.description or None,
        "group_id": group_id,
        # Our own wall.post (with guid) follows processing: VK's wallpost=1 would post at upload time.
        "wallpost": False,
    }
    await run.use_placeholder(VIDEO, await run.api.call("video.save", run.token, params))


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
        await run.save(uploaded=True, video_hash=answer.get("video_hash"))
        return True
    raise Transient("vk.upload_url_expired", "expired twice")


async def video_item(run: Run) -> dict[str, Any]:
    answer = await run.api.call("video.get", run.token, {"videos": run.remote_id, "count": 1})
    items = answer.get("items", []) if isinstance(answer, dict) else []
    if not items:
        raise Permanent("vk.video_missing", f"video.get found no {run.remote_id}")
    item: dict[str, Any] = items[0]
    if item.get("content_restricted"):
        raise Permanent("vk.processing_failed", "video.get: content_restricted")
    return item


async def file_arrived(run: Run) -> bool:
    """After a lost upload answer: VK shows a video as processing until its file is in and encoded.

    True when processing is over (the file arrived); False when it cannot tell yet
    (a placeholder without a file also shows as processing).
    """
    return not (await video_item(run)).get("processing")


async def poll(run: Run) -> PublishResult:
    if run.path == CLIPS:
        return await poll_clip(run)
    return await poll_video(run)


async def poll_clip(run: Run) -> PublishResult:
    """shortVideo.encodeProgress until ready, then shortVideo.publish (3001: still encoding)."""
    if run.checkpoint.get("published"):
        return run.published()
    ids = {"owner_id": run.owner_id, "video_id": int(run.checkpoint["video_id"])}
    try:
        progress = await run.api.call(
            "shortVideo.encodeProgress",
            run.token,
            {**ids, "hash": run.checkpoint.get("video_hash")},
            handles=STILL_ENCODING,
        )
    except VkRefusal:
        return run.processing()  # the first half of encoding: VK has no figure yet
    if not progress.get("is_ready"):
        return run.processing(progress.get("percents"))
    params = {**ids, "license_agree": True, "wallpost": True, "publish_date": 0}
    try:
        answer = await run.api.call("shortVideo.publish", run.token, params, handles=STILL_ENCODING)
    except VkRefusal:
        return run.processing()
    video = answer.get("video", {}) if isinstance(answer, dict) else {}
    run.checkpoint.update(published=True, wall_post_id=video.get("wall_post_id"))
    return run.published()


async def poll_video(run: Run) -> PublishResult:
    """video.get until processing ends, then one wall post for the video (guid: never twice)."""
    item = await video_item(run)
    if item.get("processing"):
        return run.processing()
    if "wall_post_id" not in run.checkpoint:
        await post_to_wall(run, item)
    return run.published()


async def post_to_wall(run: Run, item: dict[str, Any]) -> None:
    owner_id = run.owner_id
    params = {
        "owner_id": owner_id,
        "from_group": True if owner_id < 0 else None,
        "attachments": f"video{run.remote_id}",
        "message": item.get("description") or None,
        # VK's duplicate guard: a repeated wall.post with this guid answers the first post.
        "guid": f"autopost-{run.remote_id}",
    }
    try:
        answer = await run.api.call("wall.post", run.token, params, handles=WALL_REFUSED)
    except VkRefusal as refusal:
        # The video is already on the page; without wall rights only the wall post is missing.
        run.checkpoint.update(wall_post_id=None, wall_post_refused=refusal.code)
        return
    run.checkpoint["wall_post_id"] = answer.get("post_id")
