"""Contract: what the VK emulator serves exists in VK's own JSON Schema (../shared/specs/vk-api-schema).

- every served method and every parameter it reads is in <section>/methods.json;
- live answers validate against the methods' response schemas, and every field
  they carry is declared there (the schemas rarely forbid extra fields, so that
  is checked separately);
- every error code answered is in errors.json, worded as its description.
Exempt, as documented in docs/platforms/vk.md: shortVideo.* and error 3001 (not
in the public schema), the fields of error 14 (captcha_sid, captcha_img and the
redirect_uri, captcha_ts, captcha_attempt, is_refresh_enabled VK sends since 2025),
and the upload server's video_hash/direct_link/owner_id.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from autopost_sandbox.vk.api import METHODS
from autopost_sandbox.vk.errors import SERVED_CODES, SHORT_VIDEO_IN_PROCESSING
from tests.conftest import Sandbox
from tests.sandbox.test_vk_support import ADMIN_GROUP_ID, API_VERSION, Vk

# ../shared/specs beside the repository (a git worktree may sit one level deeper than the main checkout).
SPEC_ROOT = next(
    parent / "shared" / "specs" / "vk-api-schema"
    for parent in Path(__file__).resolve().parents
    if (parent / "shared" / "specs" / "vk-api-schema").is_dir()
)
BASE_URI = "https://vk-api-schema.spec/"
NOT_IN_PUBLIC_SCHEMA = "shortVideo."
ERROR_EXTRAS = {
    "captcha_sid",
    "captcha_img",
    "redirect_uri",
    "captcha_ts",
    "captcha_attempt",
    "is_refresh_enabled",
}
UPLOAD_EXTRAS = {"video_hash", "direct_link", "owner_id"}


def _draft07(node: Any) -> Any:
    """Move draft-04 style `"required": true` on properties into the parent's required list."""
    if isinstance(node, list):
        return [_draft07(item) for item in node]
    if not isinstance(node, dict):
        return node
    fixed = {key: _draft07(value) for key, value in node.items() if not (key == "required" and value is True)}
    if fixed.get("required") is False:
        del fixed["required"]
    properties = node.get("properties")
    if isinstance(properties, dict):
        marked = [
            name for name, sub in properties.items() if isinstance(sub, dict) and sub.get("required") is True
        ]
        if marked:
            fixed["required"] = [*fixed.get("required", []), *marked]
    if isinstance(fixed.get("required"), list):
        # inner_type (base_error, wall_wallpost, ...) is a code-generation tag VK never sends.
        fixed["required"] = [name for name in fixed["required"] if name != "inner_type"]
    return fixed


@cache
def registry() -> Registry[Any]:
    resources = []
    for path in SPEC_ROOT.rglob("*.json"):
        document = _draft07(json.loads(path.read_text(encoding="utf-8")))
        uri = BASE_URI + path.relative_to(SPEC_ROOT).as_posix()
        resources.append((uri, Resource.from_contents(document, default_specification=DRAFT7)))
    return Registry().with_resources(resources)


def methods_json(section: str) -> dict[str, dict[str, Any]]:
    document = json.loads((SPEC_ROOT / section / "methods.json").read_text(encoding="utf-8"))
    return {method["name"]: method for method in document["methods"]}


def response_ref(method: str, key: str = "response") -> str:
    section = method.split(".")[0]
    ref: str = methods_json(section)[method]["responses"][key]["$ref"]
    return urljoin(f"{BASE_URI}{section}/methods.json", ref)


def check(body: dict[str, Any], ref: str, extras: frozenset[str] = frozenset()) -> None:
    """Validate against the schema, then insist every field is declared there."""
    validator = Draft7Validator({"$ref": ref}, registry=registry())
    problems = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]
    assert not problems, problems
    resolved = registry().resolver().lookup(ref)
    undeclared = [
        p
        for p in _undeclared(body, resolved.contents, resolved.resolver, "")
        if p.split(".")[-1] not in extras
    ]
    assert not undeclared, undeclared


def _properties(schema: Any, resolver: Any) -> Iterator[tuple[str, Any, Any]]:
    if not isinstance(schema, dict):
        return
    if "$ref" in schema:
        resolved = resolver.lookup(schema["$ref"])
        yield from _properties(resolved.contents, resolved.resolver)
    for name, sub in schema.get("properties", {}).items():
        yield name, sub, resolver
    for combinator in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(combinator, []):
            yield from _properties(sub, resolver)


def _items(schema: Any, resolver: Any) -> tuple[Any, Any] | None:
    if not isinstance(schema, dict):
        return None
    if "$ref" in schema:
        resolved = resolver.lookup(schema["$ref"])
        return _items(resolved.contents, resolved.resolver)
    return (schema["items"], resolver) if "items" in schema else None


def _undeclared(value: Any, schema: Any, resolver: Any, path: str) -> Iterator[str]:
    if isinstance(value, dict):
        declared = {name: (sub, res) for name, sub, res in _properties(schema, resolver)}
        for key, child in value.items():
            if key not in declared:
                yield f"{path}.{key}".lstrip(".")
            else:
                yield from _undeclared(child, *declared[key], f"{path}.{key}")
    elif isinstance(value, list):
        items = _items(schema, resolver)
        for child in value:
            yield from _undeclared(child, *(items or (None, resolver)), f"{path}[]")


@pytest.fixture
def vk(sandbox: Sandbox) -> Iterator[Vk]:
    with Vk(sandbox) as client:
        client.configure(enforce_rate_limits=False, processing_seconds=100)
        yield client


def test_the_validators_can_fail() -> None:
    with pytest.raises(AssertionError, match="count"):
        check({"response": {"items": []}}, response_ref("video.get"))
    with pytest.raises(AssertionError, match=r"items\[\]\.made_up"):
        check({"response": {"count": 1, "items": [{"id": 1, "made_up": 1}]}}, response_ref("video.get"))


def test_every_served_method_and_parameter_is_in_the_schema() -> None:
    for name, spec in METHODS.items():
        if name.startswith(NOT_IN_PUBLIC_SCHEMA):
            continue
        method = methods_json(name.split(".")[0]).get(name)
        assert method is not None, name
        declared = {p["name"] for p in method["parameters"]}
        assert spec.params <= declared, (name, spec.params - declared)


def test_every_error_code_is_in_errors_json_with_its_wording(vk: Vk) -> None:
    schema_errors = json.loads((SPEC_ROOT / "errors.json").read_text(encoding="utf-8"))["errors"]
    descriptions = {error["code"]: error["description"] for error in schema_errors.values()}
    assert SERVED_CODES - {SHORT_VIDEO_IN_PROCESSING} <= set(descriptions)
    for error in _provoke_errors(vk):
        code = error["error_code"]
        assert error["error_msg"].split(":")[0] == descriptions[code], error
        check(error, f"{BASE_URI}base/objects.json#/definitions/base_error", frozenset(ERROR_EXTRAS))


def _provoke_errors(vk: Vk) -> Iterator[dict[str, Any]]:
    """One live error of each kind the emulator answers outside shortVideo.*."""
    yield vk.error("no.such_method")
    yield vk.call("users.get", token="bad")["error"]
    yield vk.http.post("/vk/method/users.get", data={"v": "5.50"}).json()["error"]
    yield vk.error("video.save", group_id=2002)
    yield vk.error("video.get", videos="garbage")
    yield vk.error("users.get", user_ids="not-a-user")
    yield vk.error("wall.post", owner_id=-2002, message="x")
    for fault in ("rate_limit", "server_error", "captcha", "token_expired", "flood_control", "daily_limit"):
        vk.fault(fault, on="users.get")
        yield vk.error("users.get")
    # An ordinary VK ID app's token: shortVideo.* does not exist for it.
    yield vk.error("shortVideo.create", file_size=1)


def test_users_and_groups_answers_match_the_schema(vk: Vk) -> None:
    users = vk.call(
        "users.get",
        user_ids="1001,anna.smirnova,999999",
        fields="photo_50,photo_100,photo_200,sex,screen_name",
    )
    check(users, response_ref("users.get"))
    check(vk.call("groups.get", filter="admin"), response_ref("groups.get"))
    check(vk.call("groups.get", extended=1), response_ref("groups.get", "extendedResponse"))
    check(
        vk.call("groups.getById", group_ids=f"{ADMIN_GROUP_ID},montage_news"), response_ref("groups.getById")
    )


def test_video_answers_match_the_schema_in_every_state(vk: Vk) -> None:
    saved = vk.call("video.save", name="contract", description="d", group_id=ADMIN_GROUP_ID, wallpost=1)
    check(saved, response_ref("video.save"))
    uploaded = vk.upload(saved["response"]["upload_url"], "video_file", b"x" * 100).json()
    check(
        {"response": uploaded},
        f"{BASE_URI}video/responses.json#/definitions/video_upload_response",
        frozenset(UPLOAD_EXTRAS),
    )
    vk.fault("processing_failed", on="upload")
    failing = vk.publish_video(b"y" * 100, name="failing")
    vk.use_web_token()  # clips need the vk.com web client's token
    clip = vk.upload_clip(b"z" * 100, description="clip")
    refs = [
        f"-{ADMIN_GROUP_ID}_{saved['response']['video_id']}",
        f"{failing['owner_id']}_{failing['video_id']}",
        f"{clip['owner_id']}_{clip['video_id']}",
    ]
    check(vk.call("video.get", videos=",".join(refs)), response_ref("video.get"))
    vk.advance(5000)
    vk.use_web_token()  # the page's token lived minutes, not hours
    vk.ok("shortVideo.publish", owner_id=clip["owner_id"], video_id=clip["video_id"], license_agree=1)
    ready = vk.call("video.get", videos=",".join(refs))
    # The clip is not in the video library, even asked for by id.
    assert [item["id"] for item in ready["response"]["items"]] == [
        saved["response"]["video_id"],
        failing["video_id"],
    ]
    assert ready["response"]["items"][0]["views"] > 0
    check(ready, response_ref("video.get"))
    check(vk.call("video.get", owner_id=-ADMIN_GROUP_ID, count=10, offset=0), response_ref("video.get"))
    post = vk.call(
        "wall.post", owner_id=-ADMIN_GROUP_ID, from_group=1, message="m", attachments=f"video{refs[0]}"
    )
    check(post, response_ref("wall.post"))
    wall = vk.call("wall.get", domain="montage_courses", count=10, offset=0)
    assert [a["type"] for a in wall["response"]["items"][0]["attachments"]] == ["video"]
    check(wall, response_ref("wall.get"))


def test_api_version_below_5_81_is_refused(vk: Vk) -> None:
    old = vk.http.post("/vk/method/users.get", data={"v": "5.50", "access_token": "x"}).json()["error"]
    assert old["error_code"] == 8
    assert (
        vk.http.post("/vk/method/users.get", params={"v": API_VERSION, "access_token": vk.token}).json()[
            "response"
        ][0]["id"]
        == 1001
    )
