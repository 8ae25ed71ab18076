"""Captions as the Bot API parses them (https://core.telegram.org/bots/api#formatting-options).

parse_mode HTML, MarkdownV2 or Markdown (legacy), or caption_entities as JSON.
The result is the plain text the channel shows plus MessageEntity objects whose
offsets and lengths count UTF-16 code units. Parse errors are worded like
tdlib's (MessageEntity.cpp), which the Bot API forwards as
"Bad Request: can't parse entities: ...".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from autopost_sandbox.telegram.wire import ApiError

MAX_CAPTION_LENGTH = 1024
MARKDOWN_V2_RESERVED = "_*[]()~`>#+-=|{}.!"
HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
HTML_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
ENTITY_TYPES = {
    "mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number", "bold", "italic",
    "underline", "strikethrough", "spoiler", "blockquote", "expandable_blockquote", "code", "pre",
    "text_link", "text_mention", "custom_emoji",
}  # fmt: skip
V2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
    "code": "Code",
    "pre": "Pre",
}
_ATTRIBUTE = re.compile(r"""([\w-]+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode())


def _cant_parse(reason: str) -> ApiError:
    return ApiError.bad_request(f"can't parse entities: {reason}")


@dataclass
class FormattedText:
    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Open:
    kind: str
    start: int
    index: int
    extra: dict[str, Any] = field(default_factory=dict)


class _Builder:
    """Plain text plus entities, with offsets in UTF-16 code units."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.offset = 0
        self.entities: list[dict[str, Any]] = []

    def text(self, chunk: str) -> None:
        self.parts.append(chunk)
        self.offset += utf16_len(chunk)

    def close(self, opened: _Open) -> None:
        if self.offset > opened.start:
            entity = {"type": opened.kind, "offset": opened.start, "length": self.offset - opened.start}
            self.entities.append(entity | opened.extra)

    def result(self) -> FormattedText:
        ordered = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return FormattedText("".join(self.parts), ordered)


def parse_caption(text: str, parse_mode: str, entities_json: str) -> FormattedText:
    """Apply parse_mode (it wins over caption_entities, as in telegram-bot-api), then trim."""
    mode = parse_mode.strip().lower()
    if text and mode and mode != "none":
        parsers = {"html": parse_html, "markdownv2": parse_markdown_v2, "markdown": parse_markdown}
        if mode not in parsers:
            raise ApiError.bad_request("unsupported parse_mode")
        return _trim(parsers[mode](text))
    return _trim(FormattedText(text, _explicit_entities(entities_json, utf16_len(text))))


def _explicit_entities(raw: str, text_length: int) -> list[dict[str, Any]]:
    if not raw.strip():
        return []
    try:
        items = json.loads(raw)
    except ValueError as exc:
        raise ApiError.bad_request("can't parse entities JSON object") from exc
    if not isinstance(items, list):
        raise ApiError.bad_request("can't parse entities JSON object")
    entities = []
    for item in items:
        if not isinstance(item, dict) or item.get("type") not in ENTITY_TYPES:
            raise ApiError.bad_request("can't parse MessageEntity: unsupported entity type")
        offset, length = item.get("offset"), item.get("length")
        if not isinstance(offset, int) or not isinstance(length, int):
            raise ApiError.bad_request("can't parse MessageEntity: offset and length must be Integers")
        # Entities outside the text are dropped silently, as tdlib's fix_formatted_text does.
        if length > 0 and offset >= 0 and offset + length <= text_length:
            keep = {"type", "offset", "length", "url", "language", "custom_emoji_id"}
            entities.append({k: v for k, v in item.items() if k in keep})
    return entities


def _trim(parsed: FormattedText) -> FormattedText:
    """Telegram strips leading and trailing whitespace from captions; entities follow the text."""
    stripped = parsed.text.strip()
    if stripped == parsed.text:
        return parsed
    shift = utf16_len(parsed.text[: len(parsed.text) - len(parsed.text.lstrip())])
    limit = utf16_len(stripped)
    entities = []
    for entity in parsed.entities:
        start = max(0, entity["offset"] - shift)
        end = min(entity["offset"] + entity["length"] - shift, limit)
        if end > start:
            entities.append(entity | {"offset": start, "length": end - start})
    return FormattedText(stripped, entities)


def parse_html(source: str) -> FormattedText:
    builder = _Builder()
    stack: list[_Open] = []
    i = 0
    while i < len(source):
        if source[i] == "&":
            chunk, i = _html_entity(source, i)
            builder.text(chunk)
        elif source[i] == "<":
            i = _html_tag(source, i, builder, stack)
        else:
            end = min((p for p in (source.find("<", i), source.find("&", i)) if p != -1), default=len(source))
            builder.text(source[i:end])
            i = end
    if stack:
        raise _cant_parse(f'Can\'t find end tag corresponding to start tag "{stack[-1].extra["tag"]}"')
    return builder.result()


def _html_entity(source: str, i: int) -> tuple[str, int]:
    match = re.match(r"&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);", source[i:])
    if match is None:
        return "&", i + 1
    name = match.group(1)
    if name.startswith("#x"):
        return chr(int(name[2:], 16)), i + match.end()
    if name.startswith("#"):
        return chr(int(name[1:])), i + match.end()
    # Only four named entities are supported; others stay as written.
    return HTML_NAMED_ENTITIES.get(name, match.group(0)), i + match.end()


def _html_tag(source: str, i: int, builder: _Builder, stack: list[_Open]) -> int:
    end = source.find(">", i)
    if end == -1:
        raise _cant_parse(f"Unclosed start tag at byte offset {_byte_offset(source, i)}")
    inside = source[i + 1 : end]
    if inside.startswith("/"):
        name = inside[1:].strip().lower()
        if not stack:
            raise _cant_parse(f"Unexpected end tag at byte offset {_byte_offset(source, i)}")
        opened = stack.pop()
        if name and name != opened.extra["tag"]:
            raise _cant_parse(
                f"Unmatched end tag at byte offset {_byte_offset(source, i)}, "
                f'expected "</{opened.extra["tag"]}>", found "</{name}>"'
            )
        _close_html(opened, builder, stack)
        return end + 1
    name, _, rest = inside.partition(" ")
    name = name.strip().lower()
    if name not in HTML_TAGS:
        raise _cant_parse(f'Unsupported start tag "{name}" at byte offset {_byte_offset(source, i)}')
    attributes = {
        m.group(1).lower(): next((g for g in m.groups()[1:] if g is not None), "")
        for m in _ATTRIBUTE.finditer(rest)
    }
    if name == "span" and attributes.get("class") != "tg-spoiler":
        raise _cant_parse('Tag "span" must have class "tg-spoiler"')
    stack.append(_Open(HTML_TAGS[name], builder.offset, i, {"tag": name, "attributes": attributes}))
    return end + 1


def _close_html(opened: _Open, builder: _Builder, stack: list[_Open]) -> None:
    attributes: dict[str, str] = opened.extra["attributes"]
    kind = opened.kind
    extra: dict[str, Any] = {}
    if kind == "text_link":
        if not attributes.get("href"):
            return
        extra = {"url": attributes["href"]}
    elif kind == "custom_emoji":
        extra = {"custom_emoji_id": attributes.get("emoji-id", "")}
    elif kind == "blockquote" and "expandable" in attributes:
        kind = "expandable_blockquote"
    elif kind == "code" and stack and stack[-1].kind == "pre":
        # <pre><code class="language-x"> is one pre entity with a language.
        language = attributes.get("class", "").removeprefix("language-")
        if language:
            stack[-1].extra["attributes"]["language"] = language
        return
    elif kind == "pre" and attributes.get("language"):
        extra = {"language": attributes["language"]}
    builder.close(_Open(kind, opened.start, opened.index, extra))


def parse_markdown_v2(source: str) -> FormattedText:
    builder = _Builder()
    stack: list[_Open] = []
    i = 0
    while i < len(source):
        char = source[i]
        if char == "\\" and i + 1 < len(source) and 0 < ord(source[i + 1]) <= 126:
            builder.text(source[i + 1])
            i += 2
        elif stack and stack[-1].kind in ("code", "pre"):
            i = _v2_in_code(source, i, builder, stack)
        elif char == ">" and (i == 0 or source[i - 1] == "\n"):
            i = _v2_blockquote(source, i, builder)
        elif char in MARKDOWN_V2_RESERVED:
            i = _v2_reserved(source, i, builder, stack)
        else:
            builder.text(char)
            i += 1
    if stack:
        opened = stack[-1]
        name = V2_NAMES.get(opened.kind, opened.kind)
        raise _cant_parse(
            f"Can't find end of {name} entity at byte offset {_byte_offset(source, opened.index)}"
        )
    return builder.result()


def _v2_in_code(source: str, i: int, builder: _Builder, stack: list[_Open]) -> int:
    opened = stack[-1]
    fence = "```" if opened.kind == "pre" else "`"
    if source.startswith(fence, i):
        builder.close(stack.pop())
        return i + len(fence)
    builder.text(source[i])
    return i + 1


def _v2_blockquote(source: str, i: int, builder: _Builder) -> int:
    """A run of lines starting with '>' is one blockquote; the markers are not shown."""
    start = builder.offset
    end = i
    while end < len(source) and source[end] == ">":
        line_end = source.find("\n", end)
        line_end = len(source) if line_end == -1 else line_end
        inner = parse_markdown_v2(source[end + 1 : line_end])
        for entity in inner.entities:
            builder.entities.append(entity | {"offset": entity["offset"] + builder.offset})
        builder.text(inner.text)
        end = line_end
        if end + 1 < len(source) and source[end + 1] == ">":
            builder.text("\n")
            end += 1
    builder.close(_Open("blockquote", start, i))
    return end


_V2_TOGGLES = {"*": "bold", "~": "strikethrough", "__": "underline", "||": "spoiler", "_": "italic"}


def _v2_reserved(source: str, i: int, builder: _Builder, stack: list[_Open]) -> int:
    for marker, kind in _V2_TOGGLES.items():
        if source.startswith(marker, i):
            if stack and stack[-1].kind == kind:
                builder.close(stack.pop())
            else:
                stack.append(_Open(kind, builder.offset, i))
            return i + len(marker)
    char = source[i]
    if char == "[":
        stack.append(_Open("text_link", builder.offset, i))
        return i + 1
    if char == "]" and stack and stack[-1].kind == "text_link":
        return _v2_link_end(source, i, builder, stack)
    if char == "`":
        if source.startswith("```", i):
            newline = source.find("\n", i + 3)
            language = source[i + 3 : newline].strip() if newline != -1 else ""
            extra = {"language": language} if language else {}
            stack.append(_Open("pre", builder.offset, i, extra))
            return newline + 1 if newline != -1 else i + 3
        stack.append(_Open("code", builder.offset, i))
        return i + 1
    raise _cant_parse(f"Character '{char}' is reserved and must be escaped with the preceding '\\'")


def _v2_link_end(source: str, i: int, builder: _Builder, stack: list[_Open]) -> int:
    opened = stack.pop()
    if not source.startswith("(", i + 1):
        raise _cant_parse(
            f"Can't find end of TextUrl entity at byte offset {_byte_offset(source, opened.index)}"
        )
    url: list[str] = []
    j = i + 2
    while j < len(source) and source[j] != ")":
        if source[j] == "\\" and j + 1 < len(source):
            j += 1
        url.append(source[j])
        j += 1
    if j >= len(source):
        raise _cant_parse(f"Can't find end of a URL at byte offset {_byte_offset(source, i + 2)}")
    opened.extra = {"url": "".join(url)}
    builder.close(opened)
    return j + 1


def parse_markdown(source: str) -> FormattedText:
    """Legacy Markdown: *bold*, _italic_, `code`, ```pre```, [text](url); entities cannot nest."""
    builder = _Builder()
    i = 0
    while i < len(source):
        char = source[i]
        if char == "\\" and i + 1 < len(source) and source[i + 1] in "_*`[":
            builder.text(source[i + 1])
            i += 2
            continue
        if char not in "_*`[":
            builder.text(char)
            i += 1
            continue
        marker = "```" if source.startswith("```", i) else ("]" if char == "[" else char)
        end = source.find(marker, i + (3 if marker == "```" else 1))
        if end == -1:
            raise _cant_parse(
                f"Can't find end of the entity starting at byte offset {_byte_offset(source, i)}"
            )
        i = _markdown_entity(source, i, end, marker, builder)
    return builder.result()


def _markdown_entity(source: str, i: int, end: int, marker: str, builder: _Builder) -> int:
    start = builder.offset
    if marker == "]":
        url_end = source.find(")", end) if source.startswith("(", end + 1) else -1
        builder.text(source[i + 1 : end])
        if url_end == -1:
            return end + 1
        builder.close(_Open("text_link", start, i, {"url": source[end + 2 : url_end]}))
        return url_end + 1
    if marker == "```":
        body = source[i + 3 : end]
        first_line, newline, rest = body.partition("\n")
        language = first_line.strip() if newline and first_line.strip() and " " not in first_line else ""
        builder.text(rest if language else body)
        builder.close(_Open("pre", start, i, {"language": language} if language else {}))
        return end + 3
    kinds = {"*": "bold", "_": "italic", "`": "code"}
    builder.text(source[i + 1 : end])
    builder.close(_Open(kinds[marker], start, i))
    return end + 1
