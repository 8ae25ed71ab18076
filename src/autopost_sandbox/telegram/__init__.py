"""Emulators of the Telegram Bot API (/telegram) and of t.me's public channel preview (/tme).

Both share one TelegramWorld, so a video a bot posts through the Bot API shows
up, with growing view counts, on the channel's preview page.
"""

from __future__ import annotations

from starlette.types import ASGIApp

from autopost_sandbox.core import SandboxState
from autopost_sandbox.http import DemoAccount, Emulator
from autopost_sandbox.telegram.botapi import bot_api_app
from autopost_sandbox.telegram.control import control_app
from autopost_sandbox.telegram.preview import preview_app
from autopost_sandbox.telegram.world import TelegramWorld


class BotApiEmulator:
    """api.telegram.org: /telegram/bot<token>/<method>."""

    prefix = "/telegram"

    def __init__(self, state: SandboxState, world: TelegramWorld) -> None:
        self._state = state
        self._world = world

    def app(self) -> ASGIApp:
        return bot_api_app(self._state, self._world)

    def demo_accounts(self) -> list[DemoAccount]:
        return self._world.demo_accounts(self._state.config.public_url)

    def control_app(self) -> ASGIApp:
        """/_sandbox/telegram: people writing to bots in private, and what the bots answered."""
        return control_app(self._world)

    def reset(self) -> None:
        self._world.reset()

    def seed_accounts(self, count: int) -> list[DemoAccount]:
        return self._world.seed_tenants(count, self._state.config.public_url)


class ChannelPreviewEmulator:
    """t.me: /tme/s/<channel> (public preview with view counts) and /tme/<name>."""

    prefix = "/tme"

    def __init__(self, world: TelegramWorld) -> None:
        self._world = world

    def app(self) -> ASGIApp:
        return preview_app(self._world)

    def demo_accounts(self) -> list[DemoAccount]:
        # The channels are listed with the bots that post to them.
        return []

    def reset(self) -> None:
        # The shared world is reset by BotApiEmulator; resetting it twice would be harmless but pointless.
        return None


def emulators(state: SandboxState) -> list[Emulator]:
    world = TelegramWorld(state.clock)
    return [BotApiEmulator(state, world), ChannelPreviewEmulator(world)]
