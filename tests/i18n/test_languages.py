"""Which language a reader gets: the pages and the API by request and setting, the command line by locale."""

from __future__ import annotations

import pytest

from autopost.i18n import pick_language, terminal_language


@pytest.mark.parametrize(
    ("environ", "lang"),
    [
        ({}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "ru_RU.UTF-8"}, "ru"),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "ru_RU.UTF-8"}, "ru"),
        ({"LANG": "ru_RU.UTF-8", "LC_ALL": "C"}, "en"),  # LC_ALL outranks the rest, as in POSIX
        ({"LANG": "ru_RU.UTF-8", "LC_ALL": ""}, "ru"),  # an empty variable is unset
    ],
)
def test_the_command_line_follows_the_posix_locale(environ: dict[str, str], lang: str) -> None:
    assert terminal_language(environ) == lang


def test_the_pages_default_to_russian() -> None:
    assert pick_language(None) == "ru"
    assert pick_language("de-DE,de;q=0.9") == "ru"
    assert pick_language("en-US,en;q=0.9") == "en"
    assert pick_language(None, fallback="en") == "en"
