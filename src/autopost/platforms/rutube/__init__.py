"""Rutube: token connections (login/password exchange or a pasted token), upload by URL, polling, stats."""

from autopost.platforms.rutube.provider import RutubeProvider, exchange_password

__all__ = ["RutubeProvider", "exchange_password"]
