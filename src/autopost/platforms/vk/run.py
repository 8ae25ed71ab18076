"""One publish or check call: the account it calls VK as, the paths it may take, the checkpoint as it grows.

Checkpoint keys, each saved through on_checkpoint the moment VK gives it:
  path          "clips" | "video": which path this publication took (what it becomes: a clip or a video)
  remote_id     "<owner_id>_<video_id>" (also owner_id, video_id); upload_url: where its file goes
  upload_sent   the file started going out: it may have arrived even if no answer came back
  uploaded      VK has the file (video_hash when the upload server said so)
  edited        clips: shortVideo.edit answered (privacy set)
  published     clips: shortVideo.publish answered
  listed        clips: whether shortVideo.getOwnerVideos showed it right after publishing
  wall_post_id  video: the wall post showing the video; wall_post_refused: VK's code when it refused one
  abandoned     placeholders left without a file (their upload URL expired); never published
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from autopost.platforms.base import CheckpointCallback, Credentials, PublishResult, PublishState
from autopost.platforms.catalog import PostFormat
from autopost.platforms.vk.api import Caller, VkApi

CLIPS, VIDEO = "clips", "video"
FORMATS = {CLIPS: PostFormat.CLIP, VIDEO: PostFormat.VIDEO}
PAGES = {CLIPS: "clip", VIDEO: "video"}


def group_of(credentials: Credentials) -> int | None:
    """The community a connection publishes to (meta "group_id"), or None for the user's own page."""
    value = credentials.meta.get("group_id")
    return None if value in (None, "") else int(value)


@dataclass
class Run:
    """`paths` in the order they are tried: ("video",) for VK ID, ("clips", "video") for a VK ID
    app VK opened clips to (video.save when shortVideo.* is refused), ("clips",) for a web session."""

    api: VkApi
    caller: Caller
    paths: tuple[str, ...]
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

    @property
    def video_id(self) -> int:
        return int(self.checkpoint["video_id"])

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
        for stale in ("video_hash", "edited", "published", "listed", "wall_post_id", "wall_post_refused"):
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
            format=FORMATS[self.path],
        )

    def published(self) -> PublishResult:
        return PublishResult(
            state=PublishState.PUBLISHED,
            checkpoint=dict(self.checkpoint),
            remote_id=self.remote_id,
            remote_url=f"https://vk.com/{PAGES[self.path]}{self.remote_id}",
            format=FORMATS[self.path],
        )
