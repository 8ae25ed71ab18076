"""Which provider and which OAuth connector serve each platform."""

from __future__ import annotations

from typing import Protocol

import httpx2

from autopost.platforms.base import AccountInfo, Credentials, Provider
from autopost.platforms.catalog import Platform
from autopost.platforms.errors import Permanent
from autopost.platforms.throttle import UnitLimiter
from autopost.settings import Settings


def build_provider(
    platform: Platform,
    settings: Settings,
    *,
    transport: httpx2.AsyncBaseTransport | None = None,
    limiter: UnitLimiter | None = None,
) -> Provider:
    """The platform's provider; `limiter` shares its per-unit limits with other processes
    (UnitLimiter.over_redis), without one they hold in this process only."""
    if platform is Platform.VK:
        from autopost.platforms.vk import VkProvider

        return VkProvider(settings.vk, transport=transport, limiter=limiter)
    if platform is Platform.TELEGRAM:
        from autopost.platforms.telegram import TelegramProvider

        return TelegramProvider(settings.telegram, transport=transport, limiter=limiter)
    if platform is Platform.RUTUBE:
        from autopost.platforms.rutube import RutubeProvider

        return RutubeProvider(settings.rutube, transport=transport, limiter=limiter)
    from autopost.platforms.dzen import DzenProvider

    return DzenProvider(settings.dzen, transport=transport, limiter=limiter)


class OAuthConnector(Protocol):
    def authorize_url(self, *, state: str, code_verifier: str, redirect_uri: str) -> str: ...

    async def exchange(
        self, *, code: str, code_verifier: str, redirect_uri: str, device_id: str | None
    ) -> tuple[Credentials, AccountInfo]: ...


OAUTH_PLATFORMS = (Platform.VK,)


def build_oauth(platform: Platform, settings: Settings) -> OAuthConnector:
    if platform is Platform.VK:
        return _VkConnector(settings)
    raise ValueError(f"{platform} connects with a token, not OAuth")


class _VkConnector:
    """VK ID: the redirect carries a device_id that every later token call needs."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def authorize_url(self, *, state: str, code_verifier: str, redirect_uri: str) -> str:
        from autopost.platforms.vk import VkOAuth

        return VkOAuth(self._settings.vk).authorize_url(
            state=state, code_verifier=code_verifier, redirect_uri=redirect_uri
        )

    async def exchange(
        self, *, code: str, code_verifier: str, redirect_uri: str, device_id: str | None
    ) -> tuple[Credentials, AccountInfo]:
        from autopost.platforms.vk import VkOAuth

        if not device_id:
            raise Permanent("vk.device_id_missing", "the VK ID redirect carried no device_id")
        oauth = VkOAuth(self._settings.vk)
        try:
            return await oauth.exchange(
                code=code, code_verifier=code_verifier, redirect_uri=redirect_uri, device_id=device_id
            )
        finally:
            await oauth.aclose()
