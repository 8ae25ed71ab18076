"""Texts people read, in Russian (the default) and English, from Babel gettext catalogs.

English texts are the msgids (gettext's norm: the source in English, every
language a translation): `locale/ru/LC_MESSAGES/messages.po` translates each
to Russian, with Russian's three plural forms; `locale/en/...` lists the same
msgids with empty msgstr, so English is the msgid itself. Catalogs are
compiled to .mo (committed; `scripts/texts.sh` extracts, updates and compiles)
and loaded once per language.

- `gettext(lang, msgid, **params)` / `ngettext(lang, singular, plural, n, **params)`:
  a text written in the code (pages, notices), translated, parameters filled
  in with `str.format` (`{name}`). `ngettext` passes `n` as `{count}` too.
  `pgettext(lang, context, msgid, **params)`: the same with a gettext context
  (msgctxt), for one word that the other language says two ways.
- `render(code, lang, **params)`: a stable code (errors, refusals, events,
  names) looked up in the code table (`autopost.i18n.codes.CODES` plus the
  platforms' `autopost.platforms.messages.MESSAGES`), then as `gettext`.
  An unknown code renders as itself.

Parameters carry raw values; they are turned into words at render time by
their name:
- `platform`: a platform's code ("dzen") → its name in the reader's language ("Dzen", in Cyrillic in Russian);
- `plan`: a plan's code ("pro") → its name ("Pro");
- `*_bytes`: a size → "38 MB", "4.5 GB" (Russian units and decimal comma in Russian);
  `*limit_bytes`: a limit, exact as the platform states it → "2000 MB", "4 GB";
- `*_seconds`: a duration → "5 min", "30 sec";
- `count`, `*_count`: a number with the language's digit grouping.
Anything else is shown as given (user content, numbers such as lengths).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, Literal

import structlog
from babel.support import NullTranslations, Translations

from autopost.i18n.codes import CODES, N_
from autopost.i18n.params import localize_all
from autopost.platforms.messages import MESSAGES as PLATFORM_MESSAGES

__all__ = [
    "LANGS",
    "LOCALE_DIR",
    "N_",
    "Lang",
    "code_table",
    "gettext",
    "ngettext",
    "pgettext",
    "pick_language",
    "render",
    "terminal_language",
]

Lang = Literal["ru", "en"]
LANGS: tuple[Lang, ...] = ("ru", "en")
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"

log = structlog.get_logger(__name__)


def _lang(lang: str) -> Lang:
    return "en" if lang == "en" else "ru"


@cache
def translations(lang: str) -> NullTranslations:
    """The compiled catalog of `lang`, loaded once (English: empty, the msgids are English)."""
    return Translations.load(str(LOCALE_DIR), [_lang(lang)], DOMAIN)


@cache
def code_table() -> dict[str, str]:
    """Every code's source text (the msgid, in English): ours and the platforms' error codes."""
    return {**PLATFORM_MESSAGES, **CODES}


class _Params(dict[str, Any]):
    """Parameters for `str.format_map`; a missing one (a row stored by an older version) shows a dash."""

    def __missing__(self, key: str) -> str:
        log.warning("message_parameter_missing", parameter=key)
        return "—"


def _fill(text: str, lang: str, params: dict[str, Any]) -> str:
    if not params and "{" not in text:
        return text
    catalog = translations(lang)
    return text.format_map(_Params(localize_all(params, _lang(lang), catalog)))


def gettext(lang: str, msgid: str, **params: Any) -> str:
    """`msgid` (an English text) in `lang`, parameters filled in."""
    return _fill(translations(lang).gettext(msgid), lang, params)


def pgettext(lang: str, context: str, msgid: str, **params: Any) -> str:
    """`msgid` as meant in `context`: one source word that another language says two ways."""
    return _fill(str(translations(lang).pgettext(context, msgid)), lang, params)


def ngettext(lang: str, singular: str, plural: str, n: int, **params: Any) -> str:
    """The form of a counted text for `n` in `lang` (Russian: one / few / many); `{count}` is `n`."""
    return _fill(translations(lang).ngettext(singular, plural, n), lang, {"count": n, **params})


def render(code: str, lang: str = "ru", **params: Any) -> str:
    """The message for `code` in `lang` (Russian when unknown), with its parameters filled in."""
    msgid = code_table().get(code)
    if msgid is None:
        return code
    return gettext(lang, msgid, **params)


def pick_language(accept_language: str | None, fallback: str | None = None) -> Lang:
    """The language the caller asked for (Accept-Language), else the user's setting, else Russian."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGS:
            return "en" if tag == "en" else "ru"
    return "en" if fallback == "en" else "ru"


def terminal_language(environ: Mapping[str, str] = os.environ) -> Lang:
    """The command line's language: Russian when the POSIX locale says so (LC_ALL, LC_MESSAGES, LANG), else English."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if value := environ.get(name):
            return "ru" if value.lower().startswith("ru") else "en"
    return "en"
