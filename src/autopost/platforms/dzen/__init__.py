"""Dzen: the editor protocol of dzen.ru over a person's signed-in browser session."""

from autopost.platforms.dzen.provider import CAPABILITIES, DzenProvider

__all__ = ["CAPABILITIES", "DzenProvider"]
