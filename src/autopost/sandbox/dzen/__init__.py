"""Emulators of Yandex OAuth (/yandex-oauth) and of the ASSUMED Дзен publisher API (/dzen).

Both share one Yandex ID registry, so tokens issued by the OAuth emulator are the
ones the Дзен emulator accepts. The modelled Дзен protocol lives in publisher_api.py
and docs/platforms/dzen.md.
"""

from __future__ import annotations

from autopost.sandbox.core import SandboxState
from autopost.sandbox.dzen.publisher_api import DzenEmulator
from autopost.sandbox.dzen.registry import YandexRegistry
from autopost.sandbox.dzen.yandex_oauth import YandexOAuthEmulator
from autopost.sandbox.http import Emulator


def emulators(state: SandboxState) -> list[Emulator]:
    registry = YandexRegistry(state.clock)
    return [YandexOAuthEmulator(state, registry), DzenEmulator(state, registry)]
