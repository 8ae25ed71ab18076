"""Each platform's per-unit limits: going over one is refused and counted per unit in /_sandbox/state.

Two units each at their limit count nothing; an injected fault is never a violation; reset clears.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import httpx2

from tests.conftest import Sandbox
from tests.sandbox.test_seeded_tenants import EDITOR_DATA, VIDEO, dzen_session, seed
from tests.sandbox.test_vk_support import API_VERSION

ADMIN_BOT = "7000000001:AAHb3vQm2Xk9LpR4tZs8YwNc1DfGj6UeKoA"
PRIVATE_CHANNEL = "-1001000000002"


def violations(sandbox: Sandbox) -> dict[str, dict[str, int]]:
    with sandbox.control() as control:
        found: dict[str, dict[str, int]] = control.get("/state").json()["rate_limit_violations"]
        return found


def control_post(sandbox: Sandbox, path: str, body: dict[str, Any]) -> None:
    with sandbox.control() as control:
        control.post(path, json=body).raise_for_status()


def unit_of(token: str) -> str:
    return "token:" + hashlib.sha256(token.encode()).hexdigest()[:8]


def vk_call(sandbox: Sandbox, token: str, method: str = "users.get", **values: str) -> dict[str, Any]:
    answer: dict[str, Any] = httpx2.post(
        f"{sandbox.url}/vk/method/{method}",
        headers={"Authorization": f"Bearer {token}"},
        data={"v": API_VERSION, **values},
    ).json()
    return answer


def stop_the_clock(sandbox: Sandbox) -> None:
    """The calls below count within one second of the sandbox's clock, however slow this machine is."""
    control_post(sandbox, "/clock", {"stopped": True})


def test_vk_counts_the_fourth_call_in_a_second_against_its_token_only(sandbox: Sandbox) -> None:
    stop_the_clock(sandbox)
    first, second = (a["credentials"]["access_token"] for a in seed(sandbox, "vk", 2))
    for _ in range(3):
        assert "response" in vk_call(sandbox, first)
        assert "response" in vk_call(sandbox, second)
    assert violations(sandbox) == {}

    assert vk_call(sandbox, first)["error"]["error_code"] == 6
    assert violations(sandbox) == {"vk": {unit_of(first): 1}}

    control_post(sandbox, "/reset", {})
    assert violations(sandbox) == {}


def test_vk_video_save_quota_is_per_app_per_day(sandbox: Sandbox) -> None:
    control_post(sandbox, "/config", {"vk_video_save_daily_quota": 2})
    accounts = [a["credentials"] for a in seed(sandbox, "vk", 3)]
    for credentials in accounts[:2]:
        saved = vk_call(sandbox, credentials["access_token"], "video.save", group_id=credentials["group_id"])
        assert "response" in saved
    over = vk_call(sandbox, accounts[2]["access_token"], "video.save", group_id=accounts[2]["group_id"])
    assert over["error"]["error_code"] == 29 and over["error"]["error_msg"] == "Rate limit reached"
    app = accounts[2]["client_id"]
    assert violations(sandbox) == {"vk": {f"app:{app}": 1}}
    # Other methods are not under the quota, and the next day it starts again.
    assert "response" in vk_call(sandbox, accounts[2]["access_token"])
    control_post(sandbox, "/clock", {"advance": 86400})
    again = vk_call(sandbox, accounts[2]["access_token"], "video.save", group_id=accounts[2]["group_id"])
    assert "response" in again


def test_vk_injected_faults_are_not_violations(sandbox: Sandbox) -> None:
    (account,) = seed(sandbox, "vk", 1)
    for fault in ("rate_limit", "daily_limit", "flood_control"):
        control_post(sandbox, "/faults", {"platform": "vk", "fault": fault})
        assert "error" in vk_call(sandbox, account["credentials"]["access_token"])
        control_post(sandbox, "/clock", {"advance": 1})
    assert violations(sandbox) == {}


def send_video(sandbox: Sandbox, token: str, chat: str) -> httpx2.Response:
    return httpx2.post(
        f"{sandbox.url}/telegram/bot{token}/sendVideo",
        data={"chat_id": chat},
        files={"video": ("clip.mp4", VIDEO, "video/mp4")},
    )


def test_telegram_counts_a_channels_21st_message_in_a_minute_against_that_chat(sandbox: Sandbox) -> None:
    bots = [a["credentials"] for a in seed(sandbox, "telegram", 2)]
    for _ in range(20):
        for bot in bots:
            assert send_video(sandbox, bot["bot_token"], bot["channel"]).status_code == 200
        # Stay under 30 messages a second per bot: the chat limit is the one under test.
        control_post(sandbox, "/clock", {"advance": 1})
    assert violations(sandbox) == {}

    assert send_video(sandbox, bots[0]["bot_token"], bots[0]["channel"]).status_code == 429
    assert violations(sandbox) == {"telegram": {f"chat:{bots[0]['channel_id']}": 1}}


def test_telegram_counts_a_bots_31st_message_in_a_second_against_the_bot(sandbox: Sandbox) -> None:
    stop_the_clock(sandbox)
    # The demo admin bot posts to two channels, so it can reach 30 a second without a chat's 20 a minute.
    for channel, messages in (("@clipmaker_demo", 20), (PRIVATE_CHANNEL, 10)):
        for _ in range(messages):
            assert send_video(sandbox, ADMIN_BOT, channel).status_code == 200
    assert violations(sandbox) == {}
    assert send_video(sandbox, ADMIN_BOT, PRIVATE_CHANNEL).status_code == 429
    assert violations(sandbox) == {"telegram": {f"bot:{ADMIN_BOT.split(':')[0]}": 1}}


def test_telegram_injected_faults_are_not_violations(sandbox: Sandbox) -> None:
    (bot,) = (a["credentials"] for a in seed(sandbox, "telegram", 1))
    control_post(sandbox, "/faults", {"platform": "telegram", "fault": "rate_limit"})
    assert send_video(sandbox, bot["bot_token"], bot["channel"]).status_code == 429
    assert violations(sandbox) == {}


def rutube_get(sandbox: Sandbox, token: str) -> httpx2.Response:
    return httpx2.get(f"{sandbox.url}/rutube/api/video/person/", headers={"Authorization": f"Token {token}"})


def test_rutube_counts_a_second_call_in_a_second_against_the_account(sandbox: Sandbox) -> None:
    stop_the_clock(sandbox)
    first, second = (a["credentials"] for a in seed(sandbox, "rutube", 2))
    assert rutube_get(sandbox, first["token"]).status_code == 200
    assert rutube_get(sandbox, second["token"]).status_code == 200
    assert violations(sandbox) == {}

    assert rutube_get(sandbox, first["token"]).status_code == 429
    assert violations(sandbox) == {"rutube": {f"account:{first['account_id']}": 1}}

    control_post(sandbox, "/clock", {"advance": 1})
    control_post(sandbox, "/faults", {"platform": "rutube", "fault": "rate_limit"})
    assert rutube_get(sandbox, second["token"]).status_code == 429
    assert violations(sandbox) == {"rutube": {f"account:{first['account_id']}": 1}}


def dzen_client(sandbox: Sandbox, account: dict[str, Any]) -> tuple[httpx2.Client, str]:
    client = httpx2.Client(base_url=f"{sandbox.url}/dzen", cookies={"zen_session_id": dzen_session(account)})
    match = EDITOR_DATA.search(client.get("/profile/editor").text)
    assert match is not None
    return client, json.loads(match.group(1))["csrfToken"]


def dzen_call(client: httpx2.Client, csrf: str, publisher_id: str) -> httpx2.Response:
    return client.post(
        "/media-api-video/validate-video",
        params={"publisherId": publisher_id, "clid": "320"},
        headers={"X-Csrf-Token": csrf, "Content-Type": "video/mp4"},
        content=VIDEO,
    )


def test_dzen_counts_a_publishers_fourth_editor_call_in_a_second(sandbox: Sandbox) -> None:
    stop_the_clock(sandbox)
    accounts = seed(sandbox, "dzen", 2)
    clients = [(dzen_client(sandbox, a), a["credentials"]["publisher_id"]) for a in accounts]
    for _ in range(3):
        for (client, csrf), publisher in clients:
            assert dzen_call(client, csrf, publisher).status_code == 200
    assert violations(sandbox) == {}

    (client, csrf), publisher = clients[0]
    refused = dzen_call(client, csrf, publisher)
    assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
    assert refused.json() == {"errors": [{"type": "too-many-requests"}]}
    assert violations(sandbox) == {"dzen": {f"publisher:{publisher}": 1}}

    control_post(sandbox, "/clock", {"advance": 1})
    control_post(sandbox, "/faults", {"platform": "dzen", "fault": "rate_limit"})
    assert dzen_call(client, csrf, publisher).status_code == 429
    assert violations(sandbox) == {"dzen": {f"publisher:{publisher}": 1}}
    control_post(sandbox, "/reset", {})
    assert violations(sandbox) == {}
    for (each, _), _ in clients:
        each.close()
