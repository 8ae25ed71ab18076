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

from autopost.clips.sources import ClipSource
from autopost.platforms.catalog import Platform
from autopost.platforms.errors import (
    AuthExpired,
    OutcomeUnknown,
    Permanent,
    PlatformError,
    RateLimited,
    Transient,
)

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
    "TokenSet",
    "Transient",
]

# ---------------------------------------------------------------- data


class StatsSupport(StrEnum):
    FULL = "full"
    PUBLIC_ONLY = "public_only"  # Telegram: only channels with a public preview page
    NONE = "none"


@dataclass(frozen=True)
class Capabilities:
    platform: Platform
    max_bytes: int
    title_max: int | None
    description_max: int | None
    stats: StatsSupport
    upload_by_url: bool
    needs_processing: bool
    oauth: bool


@dataclass(frozen=True)
class Credentials:
    """Decrypted tokens, alive only inside the process that calls the platform."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    expires_at: datetime | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TokenSet:
    access_token: str = field(repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    expires_at: datetime | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AccountInfo:
    """Who a connection publishes as (account_id is where posts go) and what to show the user."""

    account_id: str
    name: str
    avatar_url: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)


ProgressCallback = Callable[[int, int], None]
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

    async def refresh(self, *, credentials: Credentials) -> TokenSet:
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
