"""Emulators of Yandex OAuth (/yandex-oauth) and of the ASSUMED Дзен publisher API (/dzen).

Both share one Yandex ID registry, so tokens issued by the OAuth emulator are the
ones the Дзен emulator accepts. The modelled Дзен protocol lives in publisher_api.py
and docs/platforms/dzen.md.
"""

from __future__ import annotations

from autopost_sandbox.core import SandboxState
from autopost_sandbox.dzen.publisher_api import DzenEmulator
from autopost_sandbox.dzen.registry import YandexRegistry
from autopost_sandbox.dzen.yandex_oauth import YandexOAuthEmulator
from autopost_sandbox.http import Emulator


def emulators(state: SandboxState) -> list[Emulator]:
    registry = YandexRegistry(state.clock)
    return [YandexOAuthEmulator(state, registry), DzenEmulator(state, registry)]
