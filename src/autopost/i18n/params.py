"""Message parameters in the reader's language: names of plans and platforms, sizes, durations, counts.

Domain code passes raw values (a plan's code, a platform's code, bytes,
seconds); this module turns them into words when the text is rendered. The
convention is by parameter name (see autopost.i18n).
"""

from __future__ import annotations

from datetime import timedelta
from gettext import NullTranslations

from babel.dates import format_timedelta
from babel.numbers import format_decimal

from autopost.i18n.codes import CODES, N_

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB
# Decimal megabytes: Telegram's "50 MB" is 50 * 10**6 bytes (docs/platforms/telegram.md).
MB = 1000 * 1000

_PLATFORMS = {"vk", "rutube", "dzen", "telegram"}
_PLANS = {"free", "start", "pro", "business"}
_ROLES = {"owner", "editor", "approver", "viewer"}


def _units(translations: NullTranslations, text: str, number: str) -> str:
    return translations.gettext(text).format(number=number)


def format_size(size: int, lang: str, translations: NullTranslations) -> str:
    """A size as people read it, in their units: "300 KB" below a MiB, "38 MB" below a GiB, "4.5 GB" above."""
    if size >= GiB:
        number = format_decimal(size / GiB, format="#0.#", locale=lang)
        return _units(translations, N_("{number} GB"), number)
    if size >= MiB:
        return _units(translations, N_("{number} MB"), str(round(size / MiB)))
    # Rounded up: a file of a few bytes is "1 KB", not "0 KB"; only an empty one is "0 KB".
    return _units(translations, N_("{number} KB"), str(min(1023, -(-size // KiB))))


def is_decimal(limit: int) -> bool:
    """A limit stated in decimal megabytes (50 * 10**6) rather than binary ones (256 * 2**20)."""
    return limit % MiB != 0 and limit % MB == 0


def format_limit(limit: int, lang: str, translations: NullTranslations) -> str:
    """A limit as the platform states it: "256 MB", "2000 MB", "4 GB" (exact, never rounded)."""
    if limit % GiB == 0:
        return _units(translations, N_("{number} GB"), str(limit // GiB))
    if is_decimal(limit):
        return _units(translations, N_("{number} MB"), str(limit // MB))
    return _units(translations, N_("{number} MB"), str(limit // MiB))


def format_size_against(size: int, limit: int, lang: str, translations: NullTranslations) -> str:
    """A size next to a decimal limit, in the limit's units; in bytes where megabytes would read equal."""
    number = format_decimal(size / MB, format="#0.#", locale=lang)
    if number == str(limit // MB):
        return _units(translations, N_("{number} bytes"), format_decimal(size, locale=lang))
    return _units(translations, N_("{number} MB"), number)


def format_seconds(seconds: float, lang: str) -> str:
    """A duration in the reader's language: "5 min", "30 sec"."""
    return format_timedelta(timedelta(seconds=seconds), format="short", threshold=1.0, locale=lang)


def localize_all(params: dict[str, object], lang: str, translations: NullTranslations) -> dict[str, object]:
    """Every parameter as the text shows it; a size beside a decimal limit is given in the same units."""
    shown = {name: localize(name, value, lang, translations) for name, value in params.items()}
    size, limit = params.get("size_bytes"), params.get("limit_bytes")
    if isinstance(size, int) and isinstance(limit, int) and is_decimal(limit):
        shown["size_bytes"] = format_size_against(size, limit, lang, translations)
    return shown


def localize(name: str, value: object, lang: str, translations: NullTranslations) -> object:
    """One parameter as the text shows it to a reader of `lang`."""
    if name == "platform" and str(value) in _PLATFORMS:
        return translations.gettext(CODES[f"platform.{value}"])
    if name == "plan" and str(value) in _PLANS:
        return translations.gettext(CODES[f"plan.{value}"])
    if name == "role" and str(value) in _ROLES:
        return translations.gettext(CODES[f"role.{value}"])
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if name.endswith("limit_bytes"):
        return format_limit(int(value), lang, translations)
    if name.endswith("_bytes"):
        return format_size(int(value), lang, translations)
    if name.endswith("_seconds"):
        return format_seconds(value, lang)
    if name == "count" or name.endswith("_count"):
        return format_decimal(value, locale=lang)
    return value
