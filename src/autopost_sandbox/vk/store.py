"""Videos, clips and wall posts the VK emulator holds, with their clock-driven lifecycle.

A video is created by video.save or shortVideo.create, receives its file at the
upload server, then encodes for `processing_seconds` (sandbox config, read when
the upload completes). Stats start growing once it is published: at the end of
encoding for video.save, at shortVideo.publish (or its publish_date) for clips.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Literal

from autopost_sandbox.core import Clock

VideoKind = Literal["video", "short_video"]
UPLOAD_URL_TTL = 24 * 3600


@dataclass
class Video:
    id: int
    owner_id: int
    user_id: int
    kind: VideoKind
    title: str
    description: str
    created_at: float
    app: str = ""  # the client_id of the token that made it (VK ID app, or the web client)
    wallpost: bool = False
    is_private: bool = False
    access_key: str = field(default_factory=lambda: secrets.token_hex(9))
    upload_key: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    declared_size: int | None = None
    size: int = 0
    sha256: str = ""
    video_hash: str = ""
    receiving: bool = False
    uploaded_at: float | None = None
    ready_at: float | None = None
    processing_failed: bool = False
    published_at: float | None = None
    wall_post_id: int | None = None

    @property
    def full_id(self) -> str:
        return f"{self.owner_id}_{self.id}"

    @property
    def url(self) -> str:
        page = "clip" if self.kind == "short_video" else "video"
        return f"https://vk.com/{page}{self.full_id}"

    def encoding(self, now: float) -> bool:
        return self.ready_at is None or now < self.ready_at

    def ready(self, now: float) -> bool:
        """Encoded and playable; a video whose processing fails encodes for as long, then fails."""
        return not self.encoding(now) and not self.processing_failed

    def failed(self, now: float) -> bool:
        return not self.encoding(now) and self.processing_failed

    def encoded_fraction(self, now: float) -> float:
        if self.uploaded_at is None or self.ready_at is None:
            return 0.0
        span = self.ready_at - self.uploaded_at
        return 1.0 if span <= 0 else min(1.0, max(0.0, (now - self.uploaded_at) / span))


@dataclass(frozen=True)
class Stats:
    views: int
    likes: int
    comments: int
    reposts: int


def stats_at(video: Video, now: float) -> Stats:
    """Deterministic audience growth: a per-video pace of views per minute since publishing."""
    if video.published_at is None or now <= video.published_at:
        return Stats(0, 0, 0, 0)
    minutes = (now - video.published_at) / 60
    views = int(minutes * (3 + video.id % 5))
    return Stats(views=views, likes=views // 12, comments=views // 40, reposts=views // 60)


@dataclass
class WallPost:
    id: int
    owner_id: int
    from_id: int
    message: str
    attachments: tuple[str, ...]
    created_at: float
    guid: str = ""


@dataclass
class VideoStore:
    clock: Clock
    _videos: dict[str, Video] = field(default_factory=dict)
    _by_upload_key: dict[str, Video] = field(default_factory=dict)
    _wall: dict[int, list[WallPost]] = field(default_factory=dict)
    _next_video_id: int = 456239017

    def reset(self) -> None:
        self._videos.clear()
        self._by_upload_key.clear()
        self._wall.clear()
        self._next_video_id = 456239017

    def create(
        self, *, owner_id: int, user_id: int, kind: VideoKind, app: str, title: str, description: str
    ) -> Video:
        video = Video(
            id=self._next_video_id,
            owner_id=owner_id,
            user_id=user_id,
            kind=kind,
            app=app,
            title=title,
            description=description,
            created_at=self.clock.now(),
        )
        self._next_video_id += 1
        self._videos[video.full_id] = video
        self._by_upload_key[video.upload_key] = video
        return video

    def get(self, owner_id: int, video_id: int) -> Video | None:
        return self._videos.get(f"{owner_id}_{video_id}")

    def by_upload_key(self, key: str) -> Video | None:
        video = self._by_upload_key.get(key)
        if video is None or self.clock.now() > video.created_at + UPLOAD_URL_TTL:
            return None
        return video

    def owned_by(self, owner_id: int, kind: VideoKind) -> list[Video]:
        """The owner's videos of one kind, newest first (as the video list shows them)."""
        found = [v for v in self._videos.values() if v.owner_id == owner_id and v.kind == kind]
        return sorted(found, key=lambda v: v.id, reverse=True)

    def wall_of(self, owner_id: int) -> list[WallPost]:
        """The owner's wall, newest first."""
        return list(reversed(self._wall.get(owner_id, [])))

    def add_wall_post(
        self, *, owner_id: int, from_id: int, message: str, attachments: tuple[str, ...], guid: str = ""
    ) -> WallPost:
        """Add a post; a repeated non-empty guid returns the earlier post (wall.post's duplicate guard)."""
        posts = self._wall.setdefault(owner_id, [])
        for earlier in posts:
            if guid and earlier.guid == guid:
                return earlier
        post = WallPost(
            id=len(posts) + 1,
            owner_id=owner_id,
            from_id=from_id,
            message=message,
            attachments=attachments,
            created_at=self.clock.now(),
            guid=guid,
        )
        posts.append(post)
        return post
