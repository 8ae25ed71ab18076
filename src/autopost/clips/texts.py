"""Titles and descriptions as the service stores them: one cap per field and one cleaning.

Every path that stores one goes through `stored_title` / `stored_description`: a clip's upload
and its source URL (clips.usecases), and every publish target, from the API and the pages alike
(publications.usecases.publish_clip).
"""

from __future__ import annotations

import re

from autopost.refusals import Refused

# The title columns are String(500); no platform takes a description longer than 5000 characters.
TITLE_MAX = 500
DESCRIPTION_MAX = 5000

# C0 controls, DEL and C1 controls; the bidi embeddings and overrides (U+202A–U+202E) and isolates
# (U+2066–U+2069), which make a text read in another order than it is stored. The marks U+200E/U+200F
# stay: they only set the direction of neutral characters and belong in right-to-left text.
# Lone surrogates (U+D800–U+DFFF) come from JSON escapes like "\ud800" and have no UTF-8 form.
_NEVER_STORED = r"\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_TITLE_DROP = re.compile(rf"[\x00-\x1f\x7f-\x9f{_NEVER_STORED}]")
_DESCRIPTION_DROP = re.compile(rf"[\x00-\x08\x0b-\x1f\x7f-\x9f{_NEVER_STORED}]")
_LINE_BREAKS = re.compile(r"[\t\n\r]+")


def clean_title(text: str) -> str:
    """One line: tabs and line breaks become a space, every other control character is dropped."""
    return _TITLE_DROP.sub("", _LINE_BREAKS.sub(" ", text))


def clean_description(text: str) -> str:
    """Line breaks and tabs kept (a CR is dropped, so CRLF from a form becomes LF), other controls dropped."""
    return _DESCRIPTION_DROP.sub("", text)


def stored_title(text: str) -> str:
    """The title as stored, or refused when it is longer than its cap (never cut)."""
    title = clean_title(text)
    if len(title) > TITLE_MAX:
        raise Refused("title_over_limit", limit=TITLE_MAX)
    return title


def stored_description(text: str) -> str:
    """The description as stored, or refused when it is longer than its cap (never cut)."""
    description = clean_description(text)
    if len(description) > DESCRIPTION_MAX:
        raise Refused("description_over_limit", limit=DESCRIPTION_MAX)
    return description
