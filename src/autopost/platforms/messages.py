"""What each platform error code says to a person, in Russian (the gettext source language).

Providers raise errors with a code and parameters only; autopost.i18n renders
the text from this table in the reader's language. `N_` marks the texts for
Babel's extraction without translating them here.
"""

from __future__ import annotations


def N_(text: str) -> str:
    """Mark a text for extraction (gettext's conventional name); it is translated where shown."""
    return text


MESSAGES: dict[str, str] = {}
