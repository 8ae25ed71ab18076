"""Caption parsing as the Bot API does it: plain text, UTF-16 entity offsets, tdlib's error texts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autopost_sandbox.telegram.entities import parse_caption, utf16_len
from autopost_sandbox.telegram.wire import ApiError


def entities(text: str, mode: str) -> tuple[str, list[tuple[str, int, int]]]:
    parsed = parse_caption(text, mode, "")
    return parsed.text, [(e["type"], e["offset"], e["length"]) for e in parsed.entities]


def error(text: str, mode: str) -> str:
    with pytest.raises(ApiError) as raised:
        parse_caption(text, mode, "")
    assert raised.value.code == 400
    return raised.value.description


def test_html_tags_become_entities_with_utf16_offsets() -> None:
    text, found = entities(
        "🎬 <b>Клип</b> <i>дня</i> &lt;3 &amp; <a href='https://t.me/x'>ссылка</a>", "HTML"
    )
    assert text == "🎬 Клип дня <3 & ссылка"
    # The clapper board is two UTF-16 code units, so "Клип" starts at 3.
    assert found == [("bold", 3, 4), ("italic", 8, 3), ("text_link", 17, 6)]
    assert parse_caption("<a href='https://t.me/x'>a</a>", "html", "").entities[0]["url"] == "https://t.me/x"


def test_html_pre_with_language_spoilers_and_numeric_entities() -> None:
    parsed = parse_caption(
        '<pre><code class="language-python">x = 1</code></pre><tg-spoiler>s</tg-spoiler>&#169;&#x41;&nbsp;',
        "HTML",
        "",
    )
    assert parsed.text == "x = 1s©A&nbsp;"
    assert parsed.entities == [
        {"type": "pre", "offset": 0, "length": 5, "language": "python"},
        {"type": "spoiler", "offset": 5, "length": 1},
    ]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("a<br>b", 'Unsupported start tag "br" at byte offset 1'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("я<b", "Unclosed start tag at byte offset 2"),
        ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler"'),
    ],
)
def test_html_errors_are_worded_like_tdlib(text: str, reason: str) -> None:
    assert error(text, "HTML") == f"Bad Request: can't parse entities: {reason}"


def test_markdown_v2_entities_escapes_and_links() -> None:
    text, found = entities(
        r"*жирный* _курсив_ __под__ ~зач~ ||сп|| `код` итог 2024\. [тут](https://t.me/a\)b)", "MarkdownV2"
    )
    assert text == "жирный курсив под зач сп код итог 2024. тут"
    assert found == [
        ("bold", 0, 6),
        ("italic", 7, 6),
        ("underline", 14, 3),
        ("strikethrough", 18, 3),
        ("spoiler", 22, 2),
        ("code", 25, 3),
        ("text_link", 40, 3),
    ]
    assert parse_caption("[x](https://t.me/a\\)b)", "MarkdownV2", "").entities[0]["url"] == "https://t.me/a)b"


def test_markdown_v2_pre_blocks_and_blockquotes() -> None:
    parsed = parse_caption("```python\nprint(1)```\n>цитата\n>ещё", "MarkdownV2", "")
    assert parsed.text == "print(1)\nцитата\nещё"
    assert parsed.entities == [
        {"type": "pre", "offset": 0, "length": 8, "language": "python"},
        {"type": "blockquote", "offset": 9, "length": 10},
    ]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Итоги 2024.", "Character '.' is reserved and must be escaped with the preceding '\\'"),
        ("клип #1", "Character '#' is reserved and must be escaped with the preceding '\\'"),
        ("*жирный", "Can't find end of Bold entity at byte offset 0"),
        ("ok _x", "Can't find end of Italic entity at byte offset 3"),
        ("`код", "Can't find end of Code entity at byte offset 0"),
    ],
)
def test_markdown_v2_errors_are_worded_like_tdlib(text: str, reason: str) -> None:
    assert error(text, "MarkdownV2") == f"Bad Request: can't parse entities: {reason}"


def test_legacy_markdown() -> None:
    text, found = entities("*b* _i_ `c` [l](https://t.me) 2024. #tag", "Markdown")
    assert text == "b i c l 2024. #tag"
    assert found == [("bold", 0, 1), ("italic", 2, 1), ("code", 4, 1), ("text_link", 6, 1)]
    reason = "Can't find end of the entity starting at byte offset 9"  # bytes, not characters
    assert error("плюс *x", "Markdown") == f"Bad Request: can't parse entities: {reason}"


def test_without_parse_mode_text_is_kept_and_caption_entities_are_used() -> None:
    parsed = parse_caption("  <b>x</b> 1.  ", "", '[{"type": "bold", "offset": 2, "length": 3}]')
    # Leading and trailing spaces are trimmed; the entity moves with its text.
    assert parsed.text == "<b>x</b> 1."
    assert parsed.entities == [{"type": "bold", "offset": 0, "length": 3}]
    assert parse_caption("x", "None", "").text == "x"
    assert parse_caption("x", "", '[{"type": "bold", "offset": 0, "length": 5}]').entities == []


def test_bad_parse_mode_or_entities_json() -> None:
    with pytest.raises(ApiError, match="unsupported parse_mode"):
        parse_caption("x", "bbcode", "")
    with pytest.raises(ApiError, match="can't parse entities JSON object"):
        parse_caption("x", "", "{not json")


MARKUP = st.sampled_from(
    [
        *"ab я🎬\n\\*_~|[]()`>#.!<>/&;=\"'",
        "<b>",
        "</b>",
        "<a href='x'>",
        "</a>",
        "<pre>",
        "</pre>",
        "&amp;",
        "```",
    ]
)


@given(st.lists(MARKUP, max_size=30).map("".join), st.sampled_from(["HTML", "MarkdownV2", "Markdown", ""]))
def test_any_caption_parses_or_is_a_bad_request_with_entities_inside_the_text(text: str, mode: str) -> None:
    try:
        parsed = parse_caption(text, mode, "")
    except ApiError as refused:
        assert refused.code == 400
        return
    length = utf16_len(parsed.text)
    for entity in parsed.entities:
        assert entity["length"] > 0 and 0 <= entity["offset"] <= entity["offset"] + entity["length"] <= length
