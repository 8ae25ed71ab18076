"""Convert aiogram's machine-readable Bot API schema into the api.json layout the contract tests read.

aiogram (MIT) ships the Bot API as parsed from https://core.telegram.org/bots/api in
`.butcher/schema/schema.json` of its source distribution. The tests were written against
PaulSonOfLars/telegram-bot-api-spec's api.json layout (types and methods by name, fields
with `types`, `required`, `description`; `subtypes`/`subtype_of`; methods with `returns`),
so this script rewrites the one into the other:

    python scripts/telegram_spec.py aiogram-3.31.0/.butcher/schema/schema.json \\
        tests/specs/telegram-bot-api-10.3/api.json [--check old/api.json]

Descriptions are taken from the HTML text (curly quotes become straight double quotes, as in
telegram-bot-api-spec) so that 'always "administrator"' reads the same in both. Return types
are read from the sentences of a method's description that mention returning, the way
telegram-bot-api-spec reads them; --check compares them with an older api.json.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from pathlib import Path
from typing import Any

BASE = "https://core.telegram.org/bots/api#"


def plain(fragment: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", "", fragment))
    return text.replace("\u201c", '"').replace("\u201d", '"').strip()


def field_types(expr: str) -> list[str]:
    """'Integer or String' -> ['Integer', 'String']; 'Array of A, B and C' -> ['Array of A', ...]."""
    expr = expr.replace("Float number", "Float")
    prefix = ""
    while expr.startswith("Array of "):
        prefix += "Array of "
        expr = expr.removeprefix("Array of ")
    parts = [part.strip() for part in re.split(r", | or | and ", expr)]
    # The page's "True" (a field present only when true) is a Boolean, as telegram-bot-api-spec has it.
    return [prefix + ("Boolean" if part == "True" else part) for part in parts if part]


def returns(description: str, known: set[str]) -> list[str]:
    found: list[str] = []
    for sentence in re.split(r"(?<=\.)\s+", description):
        # "optionally returned in getChat requests" names another method's answer, not this one's.
        if "return" not in sentence.lower() or "returned in" in sentence:
            continue
        for match in re.finditer(r"(Array of )?([A-Z][A-Za-z]+)", sentence):
            name = {"Int": "Integer", "True": "Boolean"}.get(match.group(2), match.group(2))
            if name in known or name in {"Integer", "Boolean", "String"}:
                typed = (match.group(1) or "") + name
                if typed not in found:
                    found.append(typed)
    return found


def convert(schema: dict[str, Any]) -> dict[str, Any]:
    children = [child for group in schema["items"] for child in group["children"]]
    type_names = {c["name"] for c in children if c["category"] == "types"}
    types: dict[str, Any] = {}
    methods: dict[str, Any] = {}
    for child in children:
        paragraphs = re.findall(r"<(p|li|blockquote)>(.*?)</\1>", child["html_description"], re.S)
        description = [("- " if tag == "li" else "") + plain(text) for tag, text in paragraphs]
        entry: dict[str, Any] = {
            "name": child["name"],
            "href": BASE + child["anchor"],
            "description": description or [child["description"]],
        }
        fields = [
            {
                "name": a["name"],
                "types": field_types(a["type"]),
                "required": a["required"],
                "description": plain(a["html_description"]),
            }
            for a in child["annotations"]
        ]
        if child["category"] == "methods":
            entry["returns"] = returns(plain(child["html_description"]), type_names)
            if fields:
                entry["fields"] = fields
            methods[child["name"]] = entry
            continue
        subtypes = [plain(item) for item in re.findall(r"<li>(.*?)</li>", child["html_description"], re.S)]
        if fields:
            entry["fields"] = fields
        elif subtypes:
            entry["subtypes"] = subtypes
        types[child["name"]] = entry
    for name, entry in types.items():
        for sub in entry.get("subtypes", []):
            types[sub].setdefault("subtype_of", []).append(name)
    return {
        "version": f"Bot API {schema['api']['version']}",
        "release_date": schema["api"]["release_date"],
        "source": "aiogram 3.31.0 .butcher/schema/schema.json, converted by scripts/telegram_spec.py",
        "methods": methods,
        "types": types,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("schema", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--check", type=Path, help="an older api.json whose return types must agree")
    args = parser.parse_args()
    spec = convert(json.loads(args.schema.read_text()))
    args.output.write_text(json.dumps(spec, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    if args.check is None:
        return 0
    old = json.loads(args.check.read_text())
    differ = [
        m
        for m, e in old["methods"].items()
        if m in spec["methods"] and spec["methods"][m]["returns"] != e["returns"]
    ]
    subtypes = [
        t
        for t, e in old["types"].items()
        if t in spec["types"] and spec["types"][t].get("subtypes") != e.get("subtypes")
    ]
    for name in differ:
        print(
            f"returns differ: {name}: {old['methods'][name]['returns']} -> {spec['methods'][name]['returns']}"
        )
    for name in subtypes:
        print(
            f"subtypes differ: {name}: {sorted(set(old['types'][name]['subtypes']) ^ set(spec['types'][name].get('subtypes', [])))}"
        )
    # Subtypes change between versions (10.2 and 10.3 added rich blocks); return types must not.
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
