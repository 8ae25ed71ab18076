"""Contract: everything the Telegram emulator accepts and returns exists in Bot API 10.3 (api.json).

Each returned object is walked recursively against api.json's types: every field
name known, every value of a declared type, every required field present, and
the fixed values api.json spells out ('always "creator"', 'can be either ...').
api.json is the newest Bot API a maintained client models: aiogram 3.31's schema, vendored
in tests/specs/telegram-bot-api-10.3 (SOURCE.md says where from and how it was converted).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import httpx2
import pytest

from autopost_sandbox.telegram.methods import METHODS, PARAMETERS, RETURNS
from tests.conftest import Sandbox

SPEC_PATH = Path(__file__).resolve().parents[1] / "specs" / "telegram-bot-api-10.3" / "api.json"
ADMIN = "7000000001:AAHb3vQm2Xk9LpR4tZs8YwNc1DfGj6UeKoA"
MEMBER = "7000000002:AAEr5TnW7yHq0ZcV3bMx6KsLd2PfJ8GiUoN"
REVOKED = "7000000003:AAFx0Qw1Er2Ty3Ui4Op5As6Df7Gh8Jk9LzX"
VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40


@cache
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SPEC_PATH.read_text())
    return loaded


def _fixed_values(description: str) -> set[str] | None:
    """The values api.json's prose pins a String field to, if it pins them."""
    always = re.search(r'always "([^"]+)"', description)
    if always:
        return {always.group(1)}
    either = re.search(r"can be either ((?:\"[^\"]+\"(?:, | or )?)+)", description)
    if either:
        return set(re.findall(r'"([^"]+)"', either.group(1)))
    return None


def type_errors(value: Any, type_expr: str, path: str) -> list[str]:
    if type_expr.startswith("Array of "):
        if not isinstance(value, list):
            return [f"{path}: expected {type_expr}, got {value!r}"]
        inner = type_expr.removeprefix("Array of ")
        return [e for i, item in enumerate(value) for e in type_errors(item, inner, f"{path}[{i}]")]
    scalars = {
        "Integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "Float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "String": lambda v: isinstance(v, str),
        "Boolean": lambda v: isinstance(v, bool),
    }
    if type_expr in scalars:
        return [] if scalars[type_expr](value) else [f"{path}: expected {type_expr}, got {value!r}"]
    if type_expr in spec()["types"]:
        return object_errors(value, type_expr, path)
    return [f"{path}: unknown type {type_expr}"]


def object_errors(value: Any, type_name: str, path: str) -> list[str]:
    definition = spec()["types"][type_name]
    if "subtypes" in definition:
        attempts = [object_errors(value, sub, path) for sub in definition["subtypes"]]
        if any(not errors for errors in attempts):
            return []
        return [f"{path}: matches no subtype of {type_name}", *min(attempts, key=len)]
    if not isinstance(value, dict):
        return [f"{path}: expected a {type_name} object, got {value!r}"]
    fields = {f["name"]: f for f in definition.get("fields", [])}
    errors = [f"{path}.{name}: not a field of {type_name}" for name in value if name not in fields]
    errors += [
        f"{path}.{n}: required by {type_name}" for n, f in fields.items() if f["required"] and n not in value
    ]
    for name, item in value.items():
        if name not in fields:
            continue
        field = fields[name]
        attempts = [type_errors(item, t, f"{path}.{name}") for t in field["types"]]
        if all(attempts):
            errors += attempts[0]
        fixed = _fixed_values(field["description"]) if field["types"] == ["String"] else None
        if fixed is not None and item not in fixed:
            errors.append(f"{path}.{name}: {item!r} is not one of {sorted(fixed)}")
    return errors


def call(sandbox: Sandbox, token: str, method: str, **kwargs: Any) -> dict[str, Any]:
    response = httpx2.post(f"{sandbox.url}/telegram/bot{token}/{method}", timeout=10, **kwargs)
    body: dict[str, Any] = response.json()
    assert set(body) <= {"ok", "result", "error_code", "description", "parameters"}
    if not body["ok"]:
        assert response.status_code == body["error_code"]
    return body


def assert_result_matches(body: dict[str, Any], method: str) -> None:
    assert body["ok"] is True, body
    returns = spec()["methods"][method]["returns"]
    attempts = [type_errors(body["result"], t, method) for t in returns]
    assert not all(attempts), attempts[0]


def test_validator_rejects_what_the_spec_does_not_allow() -> None:
    assert object_errors({"id": 1, "is_bot": True}, "User", "u") == ["u.first_name: required by User"]
    assert object_errors({"id": 1, "is_bot": 1, "first_name": "x"}, "User", "u")
    assert object_errors({"id": 1, "is_bot": True, "first_name": "x", "views": 3}, "User", "u")
    assert object_errors({"id": 1, "type": "secret", "title": "t"}, "Chat", "c")
    member = {"status": "banned", "user": {"id": 1, "is_bot": False, "first_name": "x"}}
    assert object_errors(member, "ChatMember", "m")


def test_the_spec_is_the_bot_api_aiogram_models() -> None:
    import aiogram

    assert spec()["version"] == f"Bot API {aiogram.__api_version__}" == "Bot API 10.3"
    administrator = {f["name"]: f for f in spec()["types"]["ChatMemberAdministrator"]["fields"]}
    assert administrator["can_send_welcome_messages"]["required"] is True


def test_every_declared_method_and_parameter_exists_in_the_bot_api() -> None:
    assert set(METHODS) == set(PARAMETERS) == set(RETURNS)
    for method, parameters in PARAMETERS.items():
        assert method in spec()["methods"], method
        known = {f["name"] for f in spec()["methods"][method].get("fields", [])}
        assert set(parameters) <= known, (method, set(parameters) - known)
        assert spec()["methods"][method]["returns"] == [RETURNS[method]]


def test_get_me_and_get_chat_results_match_the_spec(sandbox: Sandbox) -> None:
    for token in (ADMIN, MEMBER):
        assert_result_matches(call(sandbox, token, "getMe"), "getMe")
    for chat_id in ("@clipmaker_demo", "-1001000000002", "@clipmaker_other"):
        assert_result_matches(call(sandbox, ADMIN, "getChat", data={"chat_id": chat_id}), "getChat")
    assert_result_matches(call(sandbox, MEMBER, "getChat", data={"chat_id": "@clipmaker_demo"}), "getChat")


@pytest.mark.parametrize(
    ("token", "user_id", "status"),
    [
        (ADMIN, 7000000001, "administrator"),
        (ADMIN, 100000001, "creator"),
        (ADMIN, 7000000002, "member"),
        (MEMBER, 7000000002, "member"),
    ],
)
def test_get_chat_member_results_match_the_spec(
    sandbox: Sandbox, token: str, user_id: int, status: str
) -> None:
    body = call(sandbox, token, "getChatMember", json={"chat_id": "@clipmaker_demo", "user_id": user_id})
    assert_result_matches(body, "getChatMember")
    assert body["result"]["status"] == status


def test_left_member_matches_the_spec(sandbox: Sandbox) -> None:
    body = call(sandbox, ADMIN, "getChatMember", json={"chat_id": -1001000000002, "user_id": 7000000002})
    assert_result_matches(body, "getChatMember")
    assert body["result"]["status"] == "left"


def test_send_video_with_every_declared_parameter_matches_the_spec(sandbox: Sandbox, jpeg: bytes) -> None:
    data = {
        "chat_id": "@clipmaker_demo",
        "duration": "15",
        "width": "1080",
        "height": "1920",
        "thumbnail": "attach://cover",
        "caption": '<b>Клип</b> <i>дня</i> <a href="https://example.org">ссылка</a>',
        "parse_mode": "HTML",
        "caption_entities": "[]",
        "show_caption_above_media": "true",
        "has_spoiler": "true",
        "supports_streaming": "true",
        "disable_notification": "true",
        "protect_content": "true",
    }
    assert set(data) | {"video"} == set(PARAMETERS["sendVideo"])
    files = {"video": ("clip.mp4", VIDEO, "video/mp4"), "cover": ("cover.jpg", jpeg, "image/jpeg")}
    body = call(sandbox, ADMIN, "sendVideo", data=data, files=files)
    assert_result_matches(body, "sendVideo")
    assert body["result"]["video"]["thumbnail"]["width"] == 320
    assert [e["type"] for e in body["result"]["caption_entities"]] == ["bold", "italic", "text_link"]


def test_error_answers_match_the_spec(sandbox: Sandbox) -> None:
    with sandbox.control() as control:
        control.post("/faults", json={"platform": "telegram", "fault": "rate_limit", "retry_after": 7})
    errors = [
        call(sandbox, ADMIN, "getMe"),
        call(sandbox, REVOKED, "getMe"),
        call(sandbox, ADMIN, "noSuchMethod"),
        call(sandbox, ADMIN, "getChat", data={"chat_id": "@nobody_here"}),
        call(
            sandbox,
            MEMBER,
            "sendVideo",
            data={"chat_id": "@clipmaker_demo"},
            files={"video": ("v.mp4", VIDEO)},
        ),
    ]
    assert [e["error_code"] for e in errors] == [429, 401, 404, 400, 400]
    for error in errors:
        assert error["ok"] is False
        assert type_errors(error["error_code"], "Integer", "error_code") == []
        assert type_errors(error["description"], "String", "description") == []
        if "parameters" in error:
            assert object_errors(error["parameters"], "ResponseParameters", "parameters") == []
    assert errors[0]["parameters"] == {"retry_after": 7}


@pytest.fixture
def jpeg() -> bytes:
    return make_jpeg(320, 180)


def make_jpeg(width: int, height: int) -> bytes:
    """A real baseline JPEG, encoded by FFmpeg's mjpeg encoder through PyAV."""
    from fractions import Fraction

    import av

    codec = av.CodecContext.create("mjpeg", "w")
    codec.width, codec.height = width, height
    codec.pix_fmt = "yuvj420p"
    codec.time_base = Fraction(1, 25)
    frame = av.VideoFrame(width, height, "yuvj420p")
    return b"".join(bytes(p) for p in [*codec.encode(frame), *codec.encode(None)])
