"""VK Clips / VK Video: VK ID OAuth 2.1, vk.com web sessions and the VK API (docs/platforms/vk.md, "Provider")."""

from autopost.platforms.vk.oauth import VkOAuth
from autopost.platforms.vk.provider import VkProvider

__all__ = ["VkOAuth", "VkProvider"]
