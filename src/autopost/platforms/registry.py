"""Which provider and which OAuth connector serve each platform."""

from __future__ import annotations

from typing import Protocol

import httpx2

from autopost.platforms.base import AccountInfo, Provider, TokenSet
from autopost.platforms.catalog import Platform
from autopost.settings import Settings


def build_provider(
    platform: Platform, settings: Settings, *, transport: httpx2.AsyncBaseTransport | None = None
) -> Provider:
    if platform is Platform.VK:
        from autopost.platforms.vk import VkProvider

        return VkProvider(settings.vk, transport=transport)
    if platform is Platform.TELEGRAM:
        from autopost.platforms.telegram import TelegramProvider

        return TelegramProvider(settings.telegram, transport=transport)
    if platform is Platform.RUTUBE:
        from autopost.platforms.rutube import RutubeProvider

        return RutubeProvider(settings.rutube, transport=transport)
    from autopost.platforms.dzen import DzenProvider

    return DzenProvider(settings.dzen, transport=transport)


class OAuthConnector(Protocol):
    def authorize_url(self, *, state: str, code_verifier: str, redirect_uri: str) -> str: ...

    async def exchange(
        self, *, code: str, code_verifier: str, redirect_uri: str, device_id: str | None
    ) -> tuple[TokenSet, AccountInfo]: ...


OAUTH_PLATFORMS = (Platform.VK, Platform.DZEN)


def build_oauth(platform: Platform, settings: Settings) -> OAuthConnector:
    if platform is Platform.VK:
        from autopost.platforms.vk import VkOAuth

        return VkOAuth(settings.vk)
    if platform is Platform.DZEN:
        from autopost.platforms.dzen import DzenOAuth

        return _DzenConnector(DzenOAuth(settings.dzen))
    raise ValueError(f"{platform} connects with a token, not OAuth")


class _DzenConnector:
    """Yandex OAuth has no device_id; adapt DzenOAuth to the common connector shape."""

    def __init__(self, oauth: object) -> None:
        self._oauth = oauth

    def authorize_url(self, *, state: str, code_verifier: str, redirect_uri: str) -> str:
        return self._oauth.authorize_url(state=state, code_verifier=code_verifier, redirect_uri=redirect_uri)  # type: ignore[attr-defined, no-any-return]

    async def exchange(
        self, *, code: str, code_verifier: str, redirect_uri: str, device_id: str | None
    ) -> tuple[TokenSet, AccountInfo]:
        return await self._oauth.exchange(code=code, code_verifier=code_verifier, redirect_uri=redirect_uri)  # type: ignore[attr-defined, no-any-return]
