"""Telegram's flood limits and every injected fault, as a Bot API client sees them."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from autopost_sandbox.telegram.flood import FloodControl
from tests.conftest import Sandbox

ADMIN = "7000000001:AAHb3vQm2Xk9LpR4tZs8YwNc1DfGj6UeKoA"
VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 64


def send_video(sandbox: Sandbox, chat_id: str = "@clipmaker_demo", timeout: float = 30) -> httpx2.Response:
    return httpx2.post(
        f"{sandbox.url}/telegram/bot{ADMIN}/sendVideo",
        data={"chat_id": chat_id},
        files={"video": ("clip.mp4", VIDEO, "video/mp4")},
        timeout=timeout,
    )


def control(sandbox: Sandbox, path: str, body: dict[str, Any]) -> dict[str, Any]:
    with sandbox.control() as client:
        response = client.post(path, json=body)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result


def state(sandbox: Sandbox) -> dict[str, Any]:
    with sandbox.control() as client:
        result: dict[str, Any] = client.get("/state").json()
        return result


def telegram_posts(sandbox: Sandbox) -> list[dict[str, Any]]:
    return [p for p in state(sandbox)["posts"] if p["platform"] == "telegram"]


def test_a_channel_takes_20_messages_a_minute_then_429_until_a_slot_frees(sandbox: Sandbox) -> None:
    for _ in range(20):
        assert send_video(sandbox).status_code == 200
    refused = send_video(sandbox)
    assert refused.status_code == 429
    body = refused.json()
    retry_after = body["parameters"]["retry_after"]
    assert 1 <= retry_after <= 60
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": f"Too Many Requests: retry after {retry_after}",
        "parameters": {"retry_after": retry_after},
    }
    assert refused.headers["retry-after"] == str(retry_after)
    assert len(telegram_posts(sandbox)) == 20
    # The limit is per chat: the private channel still takes messages.
    assert send_video(sandbox, "-1001000000002").status_code == 200
    control(sandbox, "/clock", {"advance": retry_after})
    assert send_video(sandbox).status_code == 200
    assert len(telegram_posts(sandbox)) == 22


def test_flood_limits_are_off_when_the_sandbox_does_not_enforce_them(sandbox: Sandbox) -> None:
    control(sandbox, "/config", {"enforce_rate_limits": False})
    assert all(send_video(sandbox).status_code == 200 for _ in range(25))


def test_a_bot_sends_at_most_30_messages_a_second_across_chats() -> None:
    flood = FloodControl()
    for n in range(30):
        assert flood.retry_after(1, -1000 - n % 3, 100.0) == 0
        flood.record(1, -1000 - n % 3, 100.0)
    assert flood.retry_after(1, -2000, 100.5) == 1
    assert flood.retry_after(2, -2000, 100.5) == 0
    assert flood.retry_after(1, -2000, 101.0) == 0


def test_a_chat_slot_frees_60_seconds_after_its_oldest_message() -> None:
    flood = FloodControl()
    for second in range(20):
        flood.record(1, -1001, 1000.0 + second * 2)
    assert flood.retry_after(1, -1001, 1040.0) == 20
    assert flood.retry_after(1, -1001, 1059.5) == 1
    assert flood.retry_after(1, -1001, 1060.0) == 0


def add_fault(sandbox: Sandbox, fault: str, **extra: Any) -> None:
    control(sandbox, "/faults", {"platform": "telegram", "fault": fault, **extra})


def test_rate_limit_fault_answers_429_with_its_retry_after(sandbox: Sandbox) -> None:
    add_fault(sandbox, "rate_limit", retry_after=42, on="sendVideo")
    refused = send_video(sandbox)
    assert refused.status_code == 429
    assert refused.json()["parameters"] == {"retry_after": 42}
    assert refused.json()["description"] == "Too Many Requests: retry after 42"
    assert telegram_posts(sandbox) == []
    assert send_video(sandbox).status_code == 200


def test_overloaded_fault_answers_the_servers_own_429_with_retry_after_60(sandbox: Sandbox) -> None:
    # The overload answer does not depend on the caller: retry_after is the server's 60, not the fault's.
    add_fault(sandbox, "overloaded", retry_after=5, on="sendVideo")
    refused = send_video(sandbox)
    assert refused.status_code == 429
    assert refused.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 60",
        "parameters": {"retry_after": 60},
    }
    assert refused.headers["retry-after"] == "60"
    assert telegram_posts(sandbox) == []
    assert send_video(sandbox).json()["result"]["message_id"] == 2


def test_server_error_fault_answers_500_in_the_bot_api_envelope(sandbox: Sandbox) -> None:
    add_fault(sandbox, "server_error", count=2)
    for _ in range(2):
        failed = send_video(sandbox)
        assert failed.status_code == 500
        assert failed.json() == {"ok": False, "error_code": 500, "description": "Internal Server Error"}
    assert telegram_posts(sandbox) == []


def test_token_expired_fault_answers_401_like_a_revoked_token(sandbox: Sandbox) -> None:
    add_fault(sandbox, "token_expired", on="getMe")
    refused = httpx2.get(f"{sandbox.url}/telegram/bot{ADMIN}/getMe")
    assert refused.status_code == 401
    assert refused.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert httpx2.get(f"{sandbox.url}/telegram/bot{ADMIN}/getMe").status_code == 200


def test_timeout_fault_posts_the_message_but_never_answers_in_time(sandbox: Sandbox) -> None:
    add_fault(sandbox, "timeout", delay=2)
    with pytest.raises(httpx2.ReadTimeout):
        send_video(sandbox, timeout=0.5)
    [post] = telegram_posts(sandbox)
    assert post["remote_id"] == "2" and post["bytes"] == len(VIDEO)


def test_reset_fault_cuts_the_upload_and_posts_nothing(sandbox: Sandbox) -> None:
    add_fault(sandbox, "reset", on="sendVideo")
    with pytest.raises(httpx2.TransportError):
        send_video(sandbox)
    assert telegram_posts(sandbox) == []
    assert send_video(sandbox).json()["result"]["message_id"] == 2


def test_faults_target_one_method_by_its_name(sandbox: Sandbox) -> None:
    add_fault(sandbox, "server_error", on="getChat")
    assert send_video(sandbox).status_code == 200
    got = httpx2.post(f"{sandbox.url}/telegram/bot{ADMIN}/getchat", data={"chat_id": "@clipmaker_demo"})
    assert got.status_code == 500


@pytest.mark.parametrize("kind", ["captcha", "processing_failed"])
def test_faults_telegram_does_not_have_are_ignored(sandbox: Sandbox, kind: str) -> None:
    add_fault(sandbox, kind)
    assert send_video(sandbox).status_code == 200
    assert [f["fault"] for f in state(sandbox)["faults"]] == [kind]
