"""No Russian in the product's Python: texts are English msgids, Russian lives in the ru catalog.

The exceptions are a platform's own words that the code must match or send as they are (wire
text); such a module is listed here with the reason, and says so where the text is.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

SRC = Path(__file__).parents[2] / "src" / "autopost"
CYRILLIC = re.compile("[А-Яа-яЁё]")
# Module (relative to src/autopost) -> what platform words it holds. None today.
WIRE_TEXT: dict[str, str] = {}


def _russian(path: Path) -> list[str]:
    """Lines of string literals, docstrings and comments that hold Cyrillic."""
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text()).readline)
    return [
        f"{path.relative_to(SRC)}:{token.start[0]}: {token.string[:60]}"
        for token in tokens
        if token.type in (tokenize.STRING, tokenize.COMMENT) and CYRILLIC.search(token.string)
    ]


def test_no_russian_in_python_strings_docstrings_or_comments() -> None:
    found = {path.relative_to(SRC).as_posix(): _russian(path) for path in sorted(SRC.rglob("*.py"))}
    unexpected = [line for name, lines in found.items() if name not in WIRE_TEXT for line in lines]
    assert not unexpected, "translate to English (texts: an English msgid, Russian in ru/messages.po)"
    stale = [name for name in WIRE_TEXT if not found.get(name)]
    assert not stale, f"no Russian left in {stale}: remove them from WIRE_TEXT"
