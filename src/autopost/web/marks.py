"""Platform marks: the vendored Simple Icons for VK and Telegram, text marks for Rutube and Dzen."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from markupsafe import Markup

from autopost.i18n import render
from autopost.platforms.catalog import Platform

ICONS = Path(__file__).parent / "static" / "icons"
SIMPLE_ICONS_VERSION = "16.37.0"

# Brand colours: Simple Icons' hex for VK and Telegram; Rutube's red and Dzen's black from their sites.
BRAND_COLOURS = {
    Platform.VK: "#0077FF",
    Platform.TELEGRAM: "#26A5E4",
    Platform.RUTUBE: "#ED143B",
    Platform.DZEN: "#000000",
}
# Text marks are the first letter of the name in the reader's language (a Cyrillic D in Russian, D in English, for Dzen).
TEXT_MARKS = {Platform.RUTUBE, Platform.DZEN}
TEXT_MARK_SIZES = (20, 28)


@cache
def _icon_path(platform: Platform) -> str:
    svg = (ICONS / f"{platform.value}-simple-icons-{SIMPLE_ICONS_VERSION}.svg").read_text()
    match = re.search(r'<path d="([^"]+)"', svg)
    assert match, f"no path in the {platform} icon"
    return match.group(1)


@cache
def platform_mark(platform: Platform, lang: str = "ru", size: int = 20) -> Markup:
    """The mark beside a platform's name; decorative, so hidden from screen readers (the name is text).

    Cached: a page of a busy month draws thousands of the same few marks."""
    colour = BRAND_COLOURS[platform]
    if platform in TEXT_MARKS:
        # Classes, not a style attribute: the CSP allows no inline styles (app.css has the colours).
        assert size in TEXT_MARK_SIZES, f"add .mark-size-{size} to app.css"
        return Markup(
            '<span class="mark mark-text mark-{platform} mark-size-{size}" aria-hidden="true">{letter}</span>'
        ).format(platform=platform.value, size=size, letter=platform_name(platform, lang)[:1])
    return Markup(
        '<svg class="mark" aria-hidden="true" focusable="false" viewBox="0 0 24 24" '
        'width="{size}" height="{size}"><path fill="{colour}" d="{path}"/></svg>'
    ).format(size=size, colour=colour, path=_icon_path(platform))


def platform_name(platform: Platform, lang: str = "ru") -> str:
    """A platform's name in the reader's language (Dzen is spelt in Cyrillic on the Russian pages)."""
    return render(f"platform.{platform.value}", lang)
