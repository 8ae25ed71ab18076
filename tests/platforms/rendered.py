"""The text a person reads for a platform error: its code and parameters rendered in Russian."""

from __future__ import annotations

from autopost.i18n import render
from autopost.platforms.errors import PlatformError


def text_of(error: PlatformError) -> str:
    return render(error.code, "ru", **error.params)
