"""A scripted provider for engine tests of one module: the engine's mechanics, not a platform.

Each publish() call takes the next step of its script: an exception to raise,
or None for success. Real platforms are proven through the sandbox instead.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from autopost.platforms.base import (
    AccountInfo,
    Capabilities,
    Counters,
    Credentials,
    PublishRequest,
    PublishResult,
    PublishState,
    StatsSupport,
)
from autopost.platforms.catalog import Platform
from autopost.platforms.errors import AuthExpired


@dataclass
class ScriptedProvider:
    platform: Platform = Platform.TELEGRAM
    script: list[Exception | None] = field(default_factory=list)
    upload_delay: float = 0.0
    processing_polls: int = 0
    posts: list[dict[str, Any]] = field(default_factory=list)
    refreshes: int = 0
    refresh_fails: bool = False
    refresh_delay: float = 0.0
    tokens_seen: list[str] = field(default_factory=list)

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(
            platform=self.platform,
            stats=StatsSupport.FULL,
            upload_by_url=False,
            needs_processing=self.processing_polls > 0,
            oauth=True,
        )

    async def verify(self, *, credentials: Credentials) -> AccountInfo:
        return AccountInfo(account_id="1", name="Demo")

    async def refresh(self, *, credentials: Credentials) -> Credentials:
        await asyncio.sleep(self.refresh_delay)
        self.refreshes += 1
        if self.refresh_fails:
            raise AuthExpired("refresh_failed", "refresh refused")
        return Credentials(
            access_token=f"fresh-{self.refreshes}", refresh_token=f"refresh-{self.refreshes + 1}"
        )

    async def publish(self, *, request: PublishRequest) -> PublishResult:
        self.tokens_seen.append(request.credentials.access_token)
        if "remote_id" in request.checkpoint:
            return await self.check(credentials=request.credentials, checkpoint=request.checkpoint)
        step = self.script.pop(0) if self.script else None
        if step is not None:
            raise step
        digest, sent = hashlib.sha256(), 0
        async for chunk in request.clip.chunks():
            digest.update(chunk)
            sent += len(chunk)
            if request.on_progress:
                request.on_progress(sent, request.clip.size)
            await asyncio.sleep(self.upload_delay)
        remote_id = str(len(self.posts) + 1)
        self.posts.append({"remote_id": remote_id, "sha256": digest.hexdigest(), "caption": request.title})
        checkpoint = {"remote_id": remote_id, "polls": 0}
        if request.on_checkpoint:
            await request.on_checkpoint(checkpoint)
        return await self.check(credentials=request.credentials, checkpoint=checkpoint)

    async def check(self, *, credentials: Credentials, checkpoint: Mapping[str, Any]) -> PublishResult:
        polls = int(checkpoint.get("polls", 0)) + 1
        state = PublishState.PUBLISHED if polls > self.processing_polls else PublishState.PROCESSING
        remote_id = str(checkpoint["remote_id"])
        return PublishResult(
            state=state,
            checkpoint={**checkpoint, "polls": polls},
            remote_id=remote_id,
            remote_url=f"https://example.test/{remote_id}",
        )

    async def fetch_stats(
        self, *, credentials: Credentials, remote_ids: Sequence[str]
    ) -> Mapping[str, Counters]:
        return {rid: Counters(views=10, likes=1, shares=0, comments=0) for rid in remote_ids}
