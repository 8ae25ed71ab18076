"""How dates, numbers, sizes and durations read on the pages (Russian conventions by default)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_timedelta, get_timezone_location

from autopost.i18n import gettext, translations
from autopost.i18n.params import format_limit, format_size

DEFAULT_ZONE = "Europe/Moscow"
# A narrow no-break space: thousands stay together on one line and read as «12 345».
THIN_SPACE = "\u202f"
LOCAL_INPUT_FORMAT = "%Y-%m-%dT%H:%M"

__all__ = [
    "format_count",
    "format_datetime",
    "format_duration",
    "format_limit_for",
    "format_relative",
    "format_size_for",
    "local_input_value",
    "parse_local",
    "user_zone",
    "zone_label",
]


def user_zone(name: str | None) -> ZoneInfo:
    """The user's time zone; a name the system does not know falls back to Moscow time."""
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def format_datetime(value: datetime, zone: ZoneInfo) -> str:
    """«25.11.2026 18:30» in the user's time zone."""
    return value.astimezone(zone).strftime("%d.%m.%Y %H:%M")


def format_count(value: int | None, lang: str = "ru") -> str:
    """«12 345» (Russian) or «12,345» (English); an unknown count is a dash."""
    if value is None:
        return "—"
    grouped = f"{value:,}"
    return grouped.replace(",", THIN_SPACE) if lang == "ru" else grouped


def format_duration(seconds: float | None) -> str:
    """«0:42», «12:05», «1:02:03»."""
    if seconds is None:
        return "—"
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def format_size_for(size: int | None, lang: str = "ru") -> str:
    """A size: "38 MB", "4.5 GB" (Russian units and decimal comma on the Russian pages)."""
    if size is None:
        return "—"
    return format_size(size, lang, translations(lang))


def format_limit_for(limit: int, lang: str = "ru") -> str:
    """A platform's limit as it states it: "2000 MB", "4 GB" (in the reader's units)."""
    return format_limit(limit, lang, translations(lang))


def format_relative(value: datetime, now: datetime, lang: str = "ru") -> str:
    """A moment relative to now in the reader's language: "5 minutes ago", "in 2 hours"."""
    delta: timedelta = value - now
    if abs(delta) < timedelta(seconds=45):
        return gettext(lang, "just now")
    return format_timedelta(delta, add_direction=True, locale=lang, threshold=0.9)


def zone_label(zone: ZoneInfo, now: datetime, lang: str = "ru") -> str:
    """The city and the current offset ("Moscow, UTC+3"), so nobody has to guess the zone."""
    city = get_timezone_location(zone, locale=lang, return_city=True)
    offset = now.astimezone(zone).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, mins = divmod(abs(minutes), 60)
    shift = f"{hours}:{mins:02}" if mins else f"{hours}"
    return f"{city}, UTC{sign}{shift}" if minutes else f"{city}, UTC"


def local_input_value(value: datetime, zone: ZoneInfo) -> str:
    """A datetime-local input's value («2026-11-25T18:30») for an aware datetime."""
    return value.astimezone(zone).strftime(LOCAL_INPUT_FORMAT)


def parse_local(value: str, zone: ZoneInfo) -> datetime | None:
    """A datetime-local input's value read in the user's time zone; None when it is not a time."""
    text = value.strip()
    for layout in (LOCAL_INPUT_FORMAT, LOCAL_INPUT_FORMAT + ":%S"):
        try:
            return datetime.strptime(text, layout).replace(tzinfo=zone)
        except ValueError:
            continue
    return None
