"""What the VK API and VK ID emulators share, and the shape of a method handler."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from autopost_sandbox.core import ReceivedPost, SandboxState, WebSession
from autopost_sandbox.vk.accounts import ANNA, DEMO_SESSION, DEMO_SESSION_EXPIRES, GROUPS
from autopost_sandbox.vk.errors import ACCESS_DENIED, VkApiError
from autopost_sandbox.vk.params import Params
from autopost_sandbox.vk.registry import AccessToken, TokenRegistry
from autopost_sandbox.vk.seeding import SeededVk
from autopost_sandbox.vk.store import Video, VideoStore

REQUESTS_PER_SECOND = 3


@dataclass
class RateLimiter:
    """VK's 3 requests per second per user token, on the sandbox clock."""

    _calls: dict[str, deque[float]] = field(default_factory=dict)

    def allow(self, token: str, now: float) -> bool:
        calls = self._calls.setdefault(token, deque())
        while calls and calls[0] <= now - 1.0:
            calls.popleft()
        # Moving the clock back (a reset) must not leave future calls blocking the window.
        while calls and calls[-1] > now:
            calls.pop()
        if len(calls) >= REQUESTS_PER_SECOND:
            return False
        calls.append(now)
        return True

    def reset(self) -> None:
        self._calls.clear()


@dataclass
class DailyQuota:
    """A method's calls per app per day (VK's video.save quota), counted per sandbox-clock day."""

    _used: dict[tuple[str, int], int] = field(default_factory=dict)

    def allow(self, app: str, now: float, limit: int) -> bool:
        key = (app, int(now // 86400))
        if self._used.get(key, 0) >= limit:
            return False
        self._used[key] = self._used.get(key, 0) + 1
        return True

    def reset(self) -> None:
        self._used.clear()


@dataclass
class VkWorld:
    state: SandboxState
    tokens: TokenRegistry
    videos: VideoStore
    rate: RateLimiter = field(default_factory=RateLimiter)
    video_save_quota: DailyQuota = field(default_factory=DailyQuota)
    seeded: SeededVk = field(default_factory=SeededVk)

    @classmethod
    def create(cls, state: SandboxState) -> VkWorld:
        world = cls(state, TokenRegistry(state.clock), VideoStore(state.clock))
        world.seed_sessions()
        return world

    def reset(self) -> None:
        self.tokens.reset()
        self.videos.reset()
        self.rate.reset()
        self.video_save_quota.reset()
        self.seeded.forget()
        self.seed_sessions()

    def seed_sessions(self) -> None:
        """Анна is signed in on vk.com again (a reset undoes a sign-out)."""
        self.state.web_sessions.open(
            WebSession("vk", str(ANNA.id), DEMO_SESSION, expires_at=float(DEMO_SESSION_EXPIRES))
        )

    def now(self) -> float:
        return self.state.clock.now()

    def record_video(self, video: Video, *, status: str, path: str) -> None:
        """Record a video as a post the platform shows (once per video)."""
        owner = str(video.owner_id)
        self.state.record_post(
            ReceivedPost(
                platform="vk",
                owner=owner,
                remote_id=video.full_id,
                title=video.title,
                caption=video.description,
                bytes=video.size,
                sha256=video.sha256,
                status=status,
                url=video.url,
                extra={
                    "path": path,
                    "wall_post_id": video.wall_post_id,
                    "type": video.kind,
                    "app": video.app,
                },
            )
        )


@dataclass
class Call:
    """One API call as a handler sees it."""

    world: VkWorld
    token: AccessToken
    params: Params

    def owner_for_group(self, group_id: int | None) -> int:
        """The owner_id a user publishes to: herself, or -group_id for a community she administers."""
        if group_id is None:
            return self.token.user_id
        group = GROUPS.get(group_id)
        if group is None or self.token.user_id not in group.admins:
            raise VkApiError(ACCESS_DENIED, "you are not an admin of this community")
        return -group_id


Handler = Callable[[Call], Any]


@dataclass(frozen=True)
class MethodSpec:
    """A served method: its parameters (all in vk-api-schema unless shortVideo.*) and required scope."""

    name: str
    params: frozenset[str]
    handler: Handler
    scope: str | None = None
