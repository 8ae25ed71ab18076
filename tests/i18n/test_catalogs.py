"""The gettext catalogs are complete and compiled: every text in the code is English and has its Russian."""

from __future__ import annotations

import io
import re
import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from autopost.i18n import LOCALE_DIR, code_table, gettext, ngettext, pgettext, render
from autopost.i18n.codes import CODES
from autopost.platforms.messages import MESSAGES as PLATFORM_MESSAGES

ROOT = Path(__file__).parents[2]
CYRILLIC = re.compile("[А-Яа-яЁё]")
# Latin words the Russian translations may hold: names, what people type literally, file formats.
LATIN_ALLOWED = {
    "VK", "Rutube", "Telegram", "BotFather", "newbot", "API", "Authorization", "Bearer",
    "MP", "MOV", "WebM", "OAuth", "Idempotency", "Key", "email", "UTC", "HTTP", "ID",
    "channel", "token", "username", "password", "autopost", "up", "Redis",
    "Cookie", "Cookies", "cookies", "txt", "JSON", "Chrome", "Firefox", "Network", "F",
    "CSV", "Excel", "UTF", "Shift", "Enter",
    "HTTPS", "POST", "CRM", "xx",
}  # fmt: skip
# Not words but names a person types or looks up as they are: parameters, settings, scopes, hosts,
# and the «quoted» names of extensions and buttons as the person will find them on screen.
VERBATIM = re.compile(
    r"\{[a-z_]+\}|\b[a-z]+_[a-z_]+\b|\b[A-Z]+_[A-Z_]+\b|\(scope [a-z]+\)|\b(?:t\.me|vk\.com|dzen\.ru)\b|«[^»]*»"
    r"|\bX-Autopost-[A-Za-z]+\b|\bdocs/[a-z]+\.md\b|\bhttps?://"  # webhook headers, a doc's path, a scheme
)

Key = tuple[str | None, str | tuple[str, str]]


def _extracted() -> set[Key]:
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: set[Key] = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords={"N_": None}
    ):
        found.add((context, message if isinstance(message, str) else (message[0], message[1])))
    return found


def _catalog(lang: str) -> Catalog:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=lang)


def _messages(lang: str) -> list[Message]:
    return [m for m in _catalog(lang) if m.id]


def _key(message: Message) -> Key:
    return (message.context, message.id if isinstance(message.id, str) else (message.id[0], message.id[1]))


def _texts(value: str | tuple[str, ...] | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _fields(*texts: str) -> set[str]:
    return {name for text in texts for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_text_in_the_sources_is_in_both_catalogs() -> None:
    extracted = _extracted()
    assert len(extracted) > 150, "extraction found almost nothing: babel.cfg does not match the sources"
    assert {context for context, _ in extracted} > {None}, "contexts (pgettext) are not extracted"
    for lang in ("en", "ru"):
        missing = extracted - {_key(m) for m in _messages(lang)}
        assert not missing, f"{lang}: run scripts/texts.sh and translate: {sorted(map(str, missing))}"


def test_the_source_texts_are_english_and_the_english_catalog_adds_nothing() -> None:
    for message in _messages("en"):
        for text in _texts(message.id):
            assert not CYRILLIC.search(text), f"a Russian msgid: {text!r} (msgids are English)"
        assert not any(_texts(message.string)), f"English is the msgid itself: {message.id!r}"


def test_every_text_has_a_russian_translation_with_the_same_parameters() -> None:
    for message in _messages("ru"):
        ids, strings = _texts(message.id), _texts(message.string)
        assert all(strings), f"no Russian for {ids[0]!r}"
        assert not message.fuzzy, f"fuzzy Russian for {ids[0]!r}"
        if message.pluralizable:
            assert len(strings) == 3, f"Russian needs three plural forms: {ids[0]!r}"
        assert _fields(*strings) - {"count"} == _fields(*ids) - {"count"}, f"parameters differ: {ids[0]!r}"
        for text in strings:
            assert _fields(text) <= _fields(*ids) | {"count"}, f"parameters differ: {ids[0]!r}"
            words = set(re.findall(r"[A-Za-z]{2,}", VERBATIM.sub("", text)))
            assert words <= LATIN_ALLOWED, (text, words - LATIN_ALLOWED)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_committed_mo_files_are_compiled_from_the_po_files(lang: str) -> None:
    compiled = io.BytesIO()
    write_mo(compiled, _catalog(lang))
    committed = (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.mo").read_bytes()
    assert compiled.getvalue() == committed, "run scripts/texts.sh to compile the catalogs"


def test_one_code_table_for_our_codes_and_the_platforms() -> None:
    assert not set(CODES) & set(PLATFORM_MESSAGES), "a code must mean one text"
    assert set(code_table()) == set(CODES) | set(PLATFORM_MESSAGES)
    assert render("no_such_code", "en") == "no_such_code"


def test_parameters_are_written_out_in_the_readers_language() -> None:
    mib = 1024 * 1024
    assert render("file_too_large", "ru", size_bytes=4608 * mib, platform="dzen", limit_bytes=4096 * mib) == (
        "Файл 4,5 ГБ больше лимита Дзен 4 ГБ"
    )
    assert render("file_too_large", "en", size_bytes=4608 * mib, platform="dzen", limit_bytes=4096 * mib) == (
        "The file (4.5 GB) exceeds the Dzen limit of 4 GB"
    )
    assert render("plan_excludes_platform", "en", platform="dzen", plan="start") == (
        "Dzen is not included in the Start plan — upgrade your plan"
    )
    assert render("scheduled_too_soon", "ru", lead_seconds=300).endswith("через 5 мин")
    assert render("scheduled_too_soon", "en", lead_seconds=30) == (
        "The publication time must be at least 30 sec ahead"
    )
    # A parameter an old row lacks does not break the page.
    assert render("needs_reconnect", "en") == "— needs to be reconnected"


def test_plural_forms_follow_each_language() -> None:
    one, many = "{count} publication is scheduled", "{count} publications are scheduled"
    assert [ngettext("ru", one, many, n) for n in (1, 2, 5, 21)] == [
        "1 публикация запланирована",
        "2 публикации запланированы",
        "5 публикаций запланировано",
        "21 публикация запланирована",
    ]
    assert [ngettext("en", one, many, n) for n in (1, 2)] == [
        "1 publication is scheduled",
        "2 publications are scheduled",
    ]
    assert gettext("ru", "{head} and {last}", head="Про", last="Бизнес") == "Про и Бизнес"
    assert gettext("en", "{head} and {last}", head="Pro", last="Business") == "Pro and Business"


def test_a_context_keeps_apart_two_russian_words_for_one_english_one() -> None:
    assert gettext("ru", "Log in") == "Войти"  # the button
    assert pgettext("ru", "login page", "Log in") == "Вход"  # the page's title
    assert gettext("en", "Log in") == pgettext("en", "login page", "Log in") == "Log in"
    assert render("status.scheduled", "ru") == "Запланировано"
    assert pgettext("ru", "publications tab", "Scheduled") == "Запланированные"
