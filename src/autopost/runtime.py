"""What a running process shares: settings, database, vault, queues, Redis, providers, storage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from autopost.clips.storage import LocalStorage
from autopost.db import make_engine, make_session_factory
from autopost.platforms.base import Provider
from autopost.platforms.catalog import Platform
from autopost.platforms.throttle import UnitLimiter
from autopost.queue import Queues
from autopost.security.vault import Vault
from autopost.settings import Settings

ProviderFactory = Callable[[Platform], Provider]


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    vault: Vault
    queues: Queues
    redis: aioredis.Redis
    providers: ProviderFactory
    storage: LocalStorage
    # The platforms' per-unit limits, counted in Redis for every process (platforms/throttle.py).
    limiter: UnitLimiter
    _provider_cache: dict[Platform, Provider] = field(default_factory=dict)

    @classmethod
    def create(cls, settings: Settings, redis_url: str, providers: ProviderFactory | None = None) -> Runtime:
        engine = make_engine(settings.resolved_database_url)
        # No socket timeout (as for BullMQ, architecture rule 1): with one, a command cancelled
        # mid-flight can leave redis-py's connection hung. Callers that must answer fast bound
        # their own wait (readyz).
        redis = aioredis.Redis.from_url(redis_url, socket_timeout=None, socket_connect_timeout=5)
        limiter = UnitLimiter.over_redis(redis, settings.redis_namespace)
        if providers is None:
            from autopost.platforms.registry import build_provider

            def providers(platform: Platform) -> Provider:
                return build_provider(platform, settings, limiter=limiter)

        return cls(
            settings=settings,
            engine=engine,
            session_factory=make_session_factory(engine),
            vault=settings.vault(),
            queues=Queues(redis_url, prefix=settings.redis_namespace),
            redis=redis,
            providers=providers,
            storage=LocalStorage(settings.resolved_storage_dir),
            limiter=limiter,
        )

    def provider(self, platform: Platform) -> Provider:
        if platform not in self._provider_cache:
            self._provider_cache[platform] = self.providers(platform)
        return self._provider_cache[platform]

    async def close(self) -> None:
        await self.queues.close()
        await self.redis.aclose()
        await self.engine.dispose()
