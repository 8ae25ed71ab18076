"""What each platform allows, as data: names, size and caption limits.

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
    display_name: str
    max_bytes: int
    title_max: int | None
    description_max: int | None
    title_required: bool = False


LIMITS: dict[Platform, PlatformLimits] = {
    Platform.VK: PlatformLimits("VK", 256 * MiB, title_max=128, description_max=5000),
    Platform.RUTUBE: PlatformLimits("Rutube", 10 * 1024 * MiB, title_max=100, description_max=5000),
    Platform.DZEN: PlatformLimits(
        "Дзен", 4 * 1024 * MiB, title_max=100, description_max=5000, title_required=True
    ),
    # Telegram has no title: title and description go into one caption of up to 1024 characters.
    Platform.TELEGRAM: PlatformLimits("Telegram", 50 * MiB, title_max=None, description_max=1024),
}

TELEGRAM_LOCAL_SERVER_MAX_BYTES = 2000 * MiB


def max_upload_bytes(platform: Platform, *, telegram_local_server: bool = False) -> int:
    if platform is Platform.TELEGRAM and telegram_local_server:
        return TELEGRAM_LOCAL_SERVER_MAX_BYTES
    return LIMITS[platform].max_bytes


# Only the providers' own Russian error messages still use these two; everything else passes raw
# bytes (`*_bytes` parameters) and autopost.i18n writes them out in the reader's language.
def format_limit(limit: int) -> str:
    """A limit as the platform states it: «256 МБ», «2000 МБ», «4 ГБ»."""
    gib = 1024 * MiB
    return f"{limit // gib} ГБ" if limit % gib == 0 else f"{limit // MiB} МБ"


def format_size(size: int) -> str:
    """«38 МБ», «4 ГБ»: how sizes read in messages."""
    if size >= 1024 * MiB:
        gib = size / (1024 * MiB)
        return f"{gib:.1f}".rstrip("0").rstrip(".").replace(".", ",") + " ГБ"
    return f"{max(1, round(size / MiB))} МБ"


def caption_text(title: str, description: str) -> str:
    """One caption from title and description (platforms without a title field: Telegram, VK clips)."""
    return "\n\n".join(part for part in (title.strip(), description.strip()) if part)
