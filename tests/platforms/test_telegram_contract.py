"""Contract: every Bot API method, parameter and answer field the provider uses exists in Bot API 10.3 (tests/specs/telegram-bot-api-10.3)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from autopost.platforms.telegram.botapi import READ_FIELDS, SENT_PARAMETERS

SPEC_PATH = Path(__file__).resolve().parents[1] / "specs" / "telegram-bot-api-10.3" / "api.json"


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SPEC_PATH.read_text())
    return loaded


@pytest.mark.parametrize("method", sorted(SENT_PARAMETERS))
def test_sent_parameters_exist(spec: dict[str, Any], method: str) -> None:
    declared = {f["name"] for f in spec["methods"][method].get("fields", [])}
    assert set(SENT_PARAMETERS[method]) <= declared


@pytest.mark.parametrize("type_name", sorted(READ_FIELDS))
def test_read_fields_exist(spec: dict[str, Any], type_name: str) -> None:
    declared = {f["name"] for f in spec["types"][type_name]["fields"]}
    assert set(READ_FIELDS[type_name]) <= declared
