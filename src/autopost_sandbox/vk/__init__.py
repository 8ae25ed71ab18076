"""Emulators of the VK API (/vk) and VK ID OAuth 2.1 (/vkid); docs/platforms/vk.md describes both."""

from __future__ import annotations

from autopost_sandbox.core import SandboxState
from autopost_sandbox.http import Emulator
from autopost_sandbox.vk.api import VkApiEmulator
from autopost_sandbox.vk.vkid import VkIdEmulator
from autopost_sandbox.vk.world import VkWorld


def emulators(state: SandboxState) -> list[Emulator]:
    """The VK API and VK ID emulators; they share one world, so VK ID tokens work on the API."""
    world = VkWorld.create(state)
    return [VkApiEmulator(world), VkIdEmulator(world)]
