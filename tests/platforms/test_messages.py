"""Every platform error code has its one text (an English msgid), with only the documented placeholders."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

import autopost
from autopost.i18n import render
from autopost.platforms.catalog import WEB_SESSION_DOMAINS, MiB
from autopost.platforms.messages import MESSAGES

SRC = Path(autopost.__file__).parent
CODE = re.compile(r"^(vk|rutube|dzen|telegram)\.[a-z_]+(\.[a-z_]+)?$")
ERRORS = {"PlatformError", "RateLimited", "Transient", "AuthExpired", "Permanent", "OutcomeUnknown"}
PARAMETERS = {"platform", "length", "limit", "reason", "parameter", "error", "error_code", "status", "domain"}


def _constants_and_raised_codes() -> dict[str, str]:
    """Codes found in the source: code-shaped string constants, and first arguments of error calls."""
    found: dict[str, str] = {}
    for path in SRC.rglob("*.py"):
        if path.name == "messages.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE.match(node.value):
                found[node.value] = str(path.relative_to(SRC))
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) in ERRORS
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found[str(node.args[0].value)] = str(path.relative_to(SRC))
    return found


def test_every_code_in_the_source_has_a_text() -> None:
    found = _constants_and_raised_codes()
    # needs_reconnect is the publish refusal's code (autopost.i18n) and reads the same here;
    # the web-session cookie domains (vk.com) only look like codes.
    not_codes = {"needs_reconnect", *(d for domains in WEB_SESSION_DOMAINS.values() for d in domains)}
    missing = {code: where for code, where in found.items() if code not in MESSAGES and code not in not_codes}
    assert len(found) > 100 and missing == {}


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_placeholders_are_the_documented_parameters(code: str) -> None:
    names = {name for _, name, _, _ in string.Formatter().parse(MESSAGES[code]) if name}
    assert names <= PARAMETERS | {"size_bytes", "limit_bytes"}, names


def test_sizes_are_rendered_from_bytes_where_the_text_is_shown() -> None:
    text = render("vk.file_too_large", "ru", size_bytes=300 * MiB + 17, limit_bytes=256 * MiB)
    assert text == "Файл 300 МБ больше предела VK (256 МБ)"
    assert render("dzen.platform_file_too_large", "ru", limit_bytes=4 * 1024 * MiB) == (
        "Файл больше 4 ГБ — это лимит Дзена"
    )
