"""Emulators of the VK API (/vk) and VK ID OAuth 2.1 (/vkid); docs/platforms/vk.md describes both."""

from __future__ import annotations

from autopost.sandbox.core import SandboxState
from autopost.sandbox.http import Emulator
from autopost.sandbox.vk.api import VkApiEmulator
from autopost.sandbox.vk.vkid import VkIdEmulator
from autopost.sandbox.vk.world import VkWorld


def emulators(state: SandboxState) -> list[Emulator]:
    """The VK API and VK ID emulators; they share one world, so VK ID tokens work on the API."""
    world = VkWorld.create(state)
    return [VkApiEmulator(world), VkIdEmulator(world)]
