"""What each platform allows, as data: size and caption limits (names are texts: autopost.i18n).

Sizes are in the unit each platform states its limit in: MiB (1024 * 1024 bytes) for VK,
Rutube and Dzen; decimal megabytes (10**6 bytes) for Telegram, whose "50 MB" is 50,000,000
bytes and whose self-hosted server takes 2000 MB = 2,000,000,000 bytes (docs/platforms/telegram.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

MiB = 1024 * 1024
MB = 1000 * 1000


class Platform(StrEnum):
    VK = "vk"
    RUTUBE = "rutube"
    DZEN = "dzen"
    TELEGRAM = "telegram"


class ConnectionKind(StrEnum):
    """How a connection signs in (platforms.md Part 2): each kind reaches different platform routes."""

    OAUTH = "oauth"  # VK ID: the documented API (VK Video)
    TOKEN = "token"  # Telegram bot, Rutube DRF token
    REFRESH_TOKEN = "refresh_token"  # Rutube SSO accounts: a rotating refresh token
    WEB_SESSION = "web_session"  # a person's signed-in browser session (VK Clips, Dzen)


class PostFormat(StrEnum):
    """What a publication became where a platform has several kinds of post (VK: «Clip» or «Video»)."""

    CLIP = "clip"
    VIDEO = "video"


# Where a platform's web session lives: the cookie domains a cookie export is read for
# (Dzen's editor runs on dzen.ru; a signed-in export also holds the Yandex Passport cookies).
WEB_SESSION_DOMAINS: dict[Platform, tuple[str, ...]] = {
    Platform.VK: ("vk.com",),
    Platform.DZEN: ("dzen.ru", "yandex.ru"),
}


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
    Platform.TELEGRAM: PlatformLimits(50 * MB, title_max=None, description_max=1024),
}

TELEGRAM_LOCAL_SERVER_MAX_BYTES = 2000 * MB


@dataclass(frozen=True)
class ClipShape:
    """What a short-video format accepts beyond the platform's size limit: length and orientation."""

    min_seconds: float
    max_seconds: float
    vertical: bool


# VK Clips (crosspostly/diveclub-vkposter:CLIPS.md): vertical 9:16, 3 s to 3 min. Only the web-session
# route makes clips; VK Video (VK ID) takes any shape.
VK_CLIP_SHAPE = ClipShape(min_seconds=3, max_seconds=180, vertical=True)


def max_upload_bytes(platform: Platform, *, telegram_local_server: bool = False) -> int:
    if platform is Platform.TELEGRAM and telegram_local_server:
        return TELEGRAM_LOCAL_SERVER_MAX_BYTES
    return LIMITS[platform].max_bytes


def caption_text(title: str, description: str) -> str:
    """One caption from title and description (platforms without a title field: Telegram, VK clips)."""
    return "\n\n".join(part for part in (title.strip(), description.strip()) if part)
