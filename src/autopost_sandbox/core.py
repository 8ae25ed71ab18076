"""Shared state of the platform sandbox: a movable clock, injected faults, received posts.

Every emulator gets one SandboxState. Tests drive it through the control API
(/_sandbox/...), never by importing emulator internals.
"""

from __future__ import annotations

import hashlib
import random
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, get_args

from autopost_sandbox.tus_store import ResumableStore

Platform = Literal["vk", "rutube", "dzen", "telegram"]
PLATFORMS: tuple[Platform, ...] = get_args(Platform)
# Faults aim at a platform, or at the neutral TUS endpoints (/_tus) that no platform owns yet.
FaultTarget = Literal["vk", "rutube", "dzen", "telegram", "tus"]
FAULT_TARGETS: tuple[FaultTarget, ...] = (*PLATFORMS, "tus")

FaultKind = Literal[
    "rate_limit",
    "server_error",
    "timeout",
    "reset",
    "token_expired",
    "captcha",
    "processing_failed",
    # VK: error 9 (flood control) and error 29 (a method's daily quota), see docs/platforms/vk.md.
    "flood_control",
    "daily_limit",
    # Telegram: the Bot API server's own overload answer, 429 with retry_after 60 (docs/platforms/telegram.md).
    "overloaded",
    # Дзен: the channel stopped letting the person publish; the editor's CSRF token went stale.
    "forbidden",
    "invalid_csrf",
]
FAULT_KINDS: tuple[FaultKind, ...] = get_args(FaultKind)


class Clock:
    """Wall clock that tests can move forward (token expiry, processing time), or stop: a stopped
    clock lets a test make 31 calls "within one second" however slow the machine is."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._stopped_at: float | None = None

    def now(self) -> float:
        return self._stopped_at if self._stopped_at is not None else time.time() + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += seconds
        if self._stopped_at is not None:
            self._stopped_at += seconds

    def stop(self, stopped: bool) -> None:
        if stopped and self._stopped_at is None:
            self._stopped_at = self.now()
        elif not stopped and self._stopped_at is not None:
            self._offset = self._stopped_at - time.time()
            self._stopped_at = None

    def reset(self) -> None:
        self._offset = 0.0
        self._stopped_at = None


@dataclass
class Fault:
    """One injected fault: hits the next `count` matching calls, or each call with probability `rate`.

    `on` narrows it to one operation (an emulator's op name such as "video.save",
    "upload" or "sendVideo"); `delay` is how long a `timeout` fault hangs;
    `after_bytes` is where a `reset` cuts an upload's body (default: about half);
    `account` narrows it to one account's calls where the emulator names them (Telegram: a bot's id).
    """

    platform: FaultTarget
    fault: FaultKind
    count: int | None = 1
    rate: float | None = None
    retry_after: int = 1
    on: str | None = None
    delay: float = 30.0
    after_bytes: int | None = None
    account: str | None = None
    hits: int = 0

    def matches(self, platform: str, op: str, kinds: tuple[FaultKind, ...], account: str | None) -> bool:
        if self.platform != platform or self.fault not in kinds:
            return False
        if self.account is not None and self.account != account:
            return False
        return self.on is None or self.on == op


class FaultBook:
    """Faults waiting to be served; thread-safe because uploads may run in worker threads."""

    def __init__(self, seed: int | None = None) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._random = random.Random(seed)

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def take(
        self,
        platform: str,
        op: str,
        kinds: tuple[FaultKind, ...] = FAULT_KINDS,
        *,
        account: str | None = None,
    ) -> Fault | None:
        """Return the fault to serve on this call (one of `kinds`), or None for a normal answer.

        `account` names the caller's account; a fault meant for another account is not served.
        """
        with self._lock:
            for fault in self._faults:
                if not fault.matches(platform, op, kinds, account):
                    continue
                if fault.rate is not None:
                    if self._random.random() >= fault.rate:
                        continue
                elif fault.count is not None:
                    if fault.count <= 0:
                        continue
                    fault.count -= 1
                fault.hits += 1
                return fault
            return None

    def active(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(f) for f in self._faults if f.rate is not None or (f.count or 0) > 0]

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()


@dataclass
class ReceivedPost:
    """A post as the platform recorded it: what the tests check for duplicates and byte fidelity."""

    platform: Platform
    owner: str
    remote_id: str
    title: str
    caption: str = ""
    bytes: int = 0
    sha256: str = ""
    status: str = "published"
    url: str = ""
    created_at: float = 0.0
    updated_at: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class WebSession:
    """A person signed in on a platform's site: the session cookie's value names it."""

    platform: Platform
    account: str
    value: str = field(repr=False)
    expires_at: float
    ended: bool = False

    def active(self, now: float) -> bool:
        return not self.ended and now < self.expires_at


class SessionBook:
    """Browser sessions the emulated sites know; ended ones (signed out) stay listed as inactive."""

    def __init__(self) -> None:
        self._sessions: list[WebSession] = []
        self._lock = threading.Lock()

    def open(self, session: WebSession) -> WebSession:
        """Start a session; one with the same cookie value is replaced (seeding again after a reset)."""
        with self._lock:
            self._sessions = [
                s for s in self._sessions if (s.platform, s.value) != (session.platform, session.value)
            ]
            self._sessions.append(session)
        return session

    def find(self, platform: str, value: str, now: float) -> WebSession | None:
        """The active session a cookie value belongs to, or None (unknown, expired or ended)."""
        with self._lock:
            for session in self._sessions:
                if session.platform == platform and session.value == value and session.active(now):
                    return session
        return None

    def end(self, platform: str, account: str | None = None) -> int:
        """Sign out every session of the platform (or of one account); returns how many ended."""
        ended = 0
        with self._lock:
            for session in self._sessions:
                if session.platform == platform and account in (None, session.account) and not session.ended:
                    session.ended = True
                    ended += 1
        return ended

    def listing(self, now: float) -> list[dict[str, Any]]:
        """What GET /_sandbox/state shows: never the cookie values."""
        with self._lock:
            return [
                {
                    "platform": s.platform,
                    "account": s.account,
                    "active": s.active(now),
                    "expires_at": s.expires_at,
                }
                for s in self._sessions
            ]

    def clear(self) -> None:
        with self._lock:
            self._sessions.clear()


class ViolationCounter:
    """Requests refused because a client went over a per-unit limit, by platform and unit.

    Only the emulators' own limits count here, never a fault injected through /_sandbox/faults:
    the count says whether the product kept to the platforms' limits.
    """

    def __init__(self) -> None:
        self._counts: dict[str, dict[str, int]] = {}
        self._lock = threading.Lock()

    def record(self, platform: Platform, unit: str) -> None:
        with self._lock:
            units = self._counts.setdefault(platform, {})
            units[unit] = units.get(unit, 0) + 1

    def snapshot(self) -> dict[str, dict[str, int]]:
        with self._lock:
            return {platform: dict(units) for platform, units in self._counts.items()}

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()


def token_unit(token: str) -> str:
    """How a violation names a token without printing it: its SHA-256's first 8 hex digits."""
    return "token:" + hashlib.sha256(token.encode()).hexdigest()[:8]


@dataclass
class SandboxConfig:
    """Switches tests flip at runtime through POST /_sandbox/config."""

    public_url: str = "http://127.0.0.1:8800"
    # VK opened shortVideo.* (clips) to ordinary VK ID apps; it has not in the real world (docs/platforms/vk.md).
    vk_clips_access: bool = False
    # How long the vk.com page's web-app token lives (VK: about 5-10 minutes).
    vk_web_token_seconds: float = 300.0
    # What the upload server answers a clip's file with: "json" or the legacy "retval" body.
    vk_clip_upload_answer: str = "json"
    telegram_local_server: bool = False
    processing_seconds: float = 1.0
    enforce_rate_limits: bool = True
    # VK's daily video.save quota per app (platforms.md: 5000); tests set it low to reach it.
    vk_video_save_daily_quota: int = 5000


class SandboxState:
    """Everything the emulators share: clock, faults, config, the post registry and resumable uploads."""

    def __init__(self, config: SandboxConfig | None = None, seed: int | None = None) -> None:
        self.config = config or SandboxConfig()
        self.clock = Clock()
        self.faults = FaultBook(seed)
        self.web_sessions = SessionBook()
        self._posts: list[ReceivedPost] = []
        self._lock = threading.Lock()
        self.uploads = ResumableStore()
        self.violations = ViolationCounter()

    def record_post(self, post: ReceivedPost) -> ReceivedPost:
        now = self.clock.now()
        post.created_at = post.created_at or now
        post.updated_at = now
        with self._lock:
            self._posts.append(post)
        return post

    def find_post(self, platform: str, remote_id: str) -> ReceivedPost | None:
        with self._lock:
            for post in self._posts:
                if post.platform == platform and post.remote_id == remote_id:
                    return post
        return None

    def find_post_by_url(self, url: str) -> ReceivedPost | None:
        """The newest post the platform shows at `url` (a re-upload of a deleted post reuses none)."""
        with self._lock:
            return next((p for p in reversed(self._posts) if p.url and p.url == url), None)

    def update_post(self, platform: str, remote_id: str, **changes: Any) -> None:
        post = self.find_post(platform, remote_id)
        if post is None:
            return
        for name, value in changes.items():
            setattr(post, name, value)
        post.updated_at = self.clock.now()

    def posts(self) -> list[ReceivedPost]:
        with self._lock:
            return list(self._posts)

    def reset(self) -> None:
        with self._lock:
            self._posts.clear()
        self.uploads.clear()
        self.faults.clear()
        self.web_sessions.clear()
        self.violations.clear()
        self.clock.reset()
