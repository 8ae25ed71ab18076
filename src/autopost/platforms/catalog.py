"""What each platform allows, as data: size and caption limits (names are texts: autopost.i18n).

Sizes are in MiB (1024 * 1024 bytes), the unit the platforms' own limits use
(Telegram's "50 MB" is 52,428,800 bytes).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

MiB = 1024 * 1024


class Platform(StrEnum):
    VK = "vk"
    RUTUBE = "rutube"
    DZEN = "dzen"
    TELEGRAM = "telegram"


@dataclass(frozen=True)
class PlatformLimits:
    max_bytes: int
    title_max: int | None
    description_max: int | None
    title_required: bool = False


LIMITS: dict[Platform, PlatformLimits] = {
    Platform.VK: PlatformLimits(256 * MiB, title_max=128, description_max=5000),
    Platform.RUTUBE: PlatformLimits(10 * 1024 * MiB, title_max=100, description_max=5000),
    Platform.DZEN: PlatformLimits(4 * 1024 * MiB, title_max=100, description_max=5000, title_required=True),
    # Telegram has no title: title and description go into one caption of up to 1024 characters.
    Platform.TELEGRAM: PlatformLimits(50 * MiB, title_max=None, description_max=1024),
}

TELEGRAM_LOCAL_SERVER_MAX_BYTES = 2000 * MiB


def max_upload_bytes(platform: Platform, *, telegram_local_server: bool = False) -> int:
    if platform is Platform.TELEGRAM and telegram_local_server:
        return TELEGRAM_LOCAL_SERVER_MAX_BYTES
    return LIMITS[platform].max_bytes


def caption_text(title: str, description: str) -> str:
    """One caption from title and description (platforms without a title field: Telegram, VK clips)."""
    return "\n\n".join(part for part in (title.strip(), description.strip()) if part)
