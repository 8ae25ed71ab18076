"""Rutube: DRF-token and SSO (refreshToken) connections, direct (TUS) or by-URL upload, polling, stats."""

from autopost.platforms.rutube.provider import RutubeProvider, exchange_password

__all__ = ["RutubeProvider", "exchange_password"]
