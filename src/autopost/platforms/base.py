"""What every platform provider implements, the data it takes and returns, and its errors.

A provider talks to one platform over one injectable httpx2 transport. It
classifies each failure once, where the response arrives, into the error
hierarchy below; the engine decides what to do from the class alone.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from autopost.platforms.catalog import (
    LIMITS,
    ConnectionKind,
    Platform,
    PlatformLimits,
    PostFormat,
    max_upload_bytes,
)
from autopost.platforms.errors import (
    AuthExpired,
    OutcomeUnknown,
    Permanent,
    PlatformError,
    RateLimited,
    Transient,
)
from autopost.platforms.media import ClipSource, ProgressCallback

__all__ = [
    "AccountInfo",
    "AuthExpired",
    "Capabilities",
    "Counters",
    "Credentials",
    "OutcomeUnknown",
    "Permanent",
    "PlatformError",
    "Provider",
    "PublishRequest",
    "PublishResult",
    "PublishState",
    "RateLimited",
    "StatsSupport",
    "Transient",
]

# ---------------------------------------------------------------- data


class StatsSupport(StrEnum):
    FULL = "full"
    PUBLIC_ONLY = "public_only"  # Telegram: only channels with a public preview page
    NONE = "none"


@dataclass(frozen=True)
class Capabilities:
    """What a provider can do; its limits are the platform's (catalog.LIMITS), never restated."""

    platform: Platform
    stats: StatsSupport
    upload_by_url: bool
    needs_processing: bool
    oauth: bool
    # A self-hosted Bot API server takes larger files than api.telegram.org (Telegram only).
    telegram_local_server: bool = False

    @property
    def limits(self) -> PlatformLimits:
        return LIMITS[self.platform]

    @property
    def max_bytes(self) -> int:
        return max_upload_bytes(self.platform, telegram_local_server=self.telegram_local_server)

    @property
    def title_max(self) -> int | None:
        return self.limits.title_max

    @property
    def description_max(self) -> int | None:
        return self.limits.description_max


@dataclass(frozen=True)
class Credentials:
    """A connection's tokens: what a provider is called with, and what a connect or refresh returns.

    Decrypted, alive only inside the process that calls the platform. `meta` is
    what the platform said alongside the tokens (VK ID's device_id and user_id);
    the connection merges it into its own meta. For a web session, `access_token`
    is the session's cookies (autopost.platforms.cookies.dump_jar).
    """

    access_token: str = field(repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    expires_at: datetime | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)
    kind: ConnectionKind = ConnectionKind.TOKEN


@dataclass(frozen=True)
class AccountInfo:
    """Who a connection publishes as (account_id is where posts go) and what to show the user."""

    account_id: str
    name: str
    avatar_url: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)


CheckpointCallback = Callable[[Mapping[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class PublishRequest:
    """One clip to one account. `checkpoint` is what an earlier attempt already did."""

    credentials: Credentials
    clip: ClipSource
    title: str
    description: str
    checkpoint: Mapping[str, Any] = field(default_factory=dict)
    # URL the platform downloads the clip from (upload-by-URL platforms: Rutube).
    media_url: str | None = None
    # URL the platform calls when it has processed a clip it downloaded (Rutube's callback_url).
    callback_url: str | None = None
    on_progress: ProgressCallback | None = None
    # Awaited the moment the platform returns an id, before anything else is sent.
    on_checkpoint: CheckpointCallback | None = None


class PublishState(StrEnum):
    PROCESSING = "processing"
    PUBLISHED = "published"


@dataclass(frozen=True)
class PublishResult:
    state: PublishState
    checkpoint: Mapping[str, Any]
    remote_id: str | None = None
    remote_url: str | None = None
    progress: int | None = None
    # Set where the platform has several kinds of post (VK): which one this became.
    format: PostFormat | None = None


@dataclass(frozen=True)
class Counters:
    views: int | None = None
    likes: int | None = None
    shares: int | None = None
    comments: int | None = None


# ---------------------------------------------------------------- the protocol


class Provider(Protocol):
    capabilities: Capabilities

    async def verify(self, *, credentials: Credentials) -> AccountInfo:
        """Check the connection works and say whose it is."""
        ...

    async def refresh(self, *, credentials: Credentials) -> Credentials:
        """Exchange the refresh token for new tokens (callers hold the connection's lock)."""
        ...

    async def publish(self, *, request: PublishRequest) -> PublishResult:
        """Upload and publish, resuming from request.checkpoint; never posts twice."""
        ...

    async def check(self, *, credentials: Credentials, checkpoint: Mapping[str, Any]) -> PublishResult:
        """Poll a publication the platform is still processing."""
        ...

    async def fetch_stats(
        self, *, credentials: Credentials, remote_ids: Sequence[str]
    ) -> Mapping[str, Counters]:
        """Latest counters per remote id, in as few platform calls as the platform allows."""
        ...
