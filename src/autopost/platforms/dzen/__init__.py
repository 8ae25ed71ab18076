"""Dzen: Yandex OAuth (documented) and a MODELLED publisher API (publisher_api.py)."""

from autopost.platforms.dzen.oauth import DzenOAuth
from autopost.platforms.dzen.provider import CAPABILITIES, DzenProvider

__all__ = ["CAPABILITIES", "DzenOAuth", "DzenProvider"]
