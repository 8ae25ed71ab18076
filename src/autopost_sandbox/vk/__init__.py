"""Emulators of the VK API (/vk), VK ID OAuth 2.1 (/vkid) and the vk.com site (/vkweb); docs/platforms/vk.md."""

from __future__ import annotations

from autopost_sandbox.core import SandboxState
from autopost_sandbox.http import Emulator
from autopost_sandbox.vk.api import VkApiEmulator
from autopost_sandbox.vk.site import VkSiteEmulator
from autopost_sandbox.vk.vkid import VkIdEmulator
from autopost_sandbox.vk.world import VkWorld


def emulators(state: SandboxState) -> list[Emulator]:
    """The VK emulators; they share one world, so VK ID's and the site's tokens work on the API."""
    world = VkWorld.create(state)
    return [VkApiEmulator(world), VkIdEmulator(world), VkSiteEmulator(world)]
