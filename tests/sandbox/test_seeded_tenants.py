"""POST /_sandbox/accounts: many tenants per platform, each one working over HTTP until reset."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx2
import pytest

from tests.conftest import Sandbox
from tests.sandbox.test_vk_support import API_VERSION

VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 64
EDITOR_DATA = re.compile(r'<script id="editor-data" type="application/json">(.*?)</script>')


def seed(sandbox: Sandbox, platform: str, count: int) -> list[dict[str, Any]]:
    with sandbox.control() as control:
        answer = control.post("/accounts", json={"platform": platform, "count": count})
        assert answer.status_code == 201, answer.text
        made: list[dict[str, Any]] = answer.json()
        return made


def listed(sandbox: Sandbox) -> list[dict[str, Any]]:
    with sandbox.control() as control:
        accounts: list[dict[str, Any]] = control.get("/accounts").json()
        return accounts


def reset(sandbox: Sandbox) -> None:
    with sandbox.control() as control:
        control.post("/reset").raise_for_status()


@pytest.mark.parametrize(
    "body",
    [
        {"platform": "vk", "count": 0},
        {"platform": "vk", "count": 1001},
        {"platform": "vk", "count": "3"},
        {"platform": "vk", "count": True},
        {"platform": "ok", "count": 1},
        {"platform": "telegram"},
        [],
    ],
)
def test_a_bad_seeding_request_is_a_clear_400(sandbox: Sandbox, body: Any) -> None:
    with sandbox.control() as control:
        answer = control.post("/accounts", json=body)
    assert answer.status_code == 400
    assert "platform" in answer.json()["error"] or "count" in answer.json()["error"]


def test_seeded_vk_users_save_videos_to_their_own_community(sandbox: Sandbox) -> None:
    made = seed(sandbox, "vk", 3)
    assert len(made) == 3 and {a["platform"] for a in made} == {"vk"}
    tokens = {a["credentials"]["access_token"] for a in made}
    assert len(tokens) == 3
    for account in made:
        credentials = account["credentials"]
        answer = httpx2.post(
            f"{sandbox.url}/vk/method/video.save",
            headers={"Authorization": f"Bearer {credentials['access_token']}"},
            data={"v": API_VERSION, "name": "clip", "group_id": credentials["group_id"]},
        ).json()
        assert answer["response"]["owner_id"] == -int(credentials["group_id"]), answer
    assert all(a in listed(sandbox) for a in made)

    reset(sandbox)
    assert not any(a in listed(sandbox) for a in made)
    gone = httpx2.post(
        f"{sandbox.url}/vk/method/users.get",
        headers={"Authorization": f"Bearer {made[0]['credentials']['access_token']}"},
        data={"v": API_VERSION},
    ).json()
    assert gone["error"]["error_code"] == 5


def test_seeded_telegram_bots_post_to_their_own_channels(sandbox: Sandbox) -> None:
    made = seed(sandbox, "telegram", 2)
    for account in made:
        credentials = account["credentials"]
        api = f"{sandbox.url}/telegram/bot{credentials['bot_token']}"
        me = httpx2.get(f"{api}/getMe").json()
        assert me["ok"] and me["result"]["username"] == credentials["bot_username"]
        sent = httpx2.post(
            f"{api}/sendVideo",
            data={"chat_id": credentials["channel"], "caption": "hello"},
            files={"video": ("clip.mp4", VIDEO, "video/mp4")},
        ).json()
        assert sent["ok"], sent
        assert sent["result"]["chat"]["id"] == int(credentials["channel_id"])
    # Each bot administers only its own channel.
    foreign = httpx2.post(
        f"{sandbox.url}/telegram/bot{made[0]['credentials']['bot_token']}/sendVideo",
        data={"chat_id": made[1]["credentials"]["channel"]},
        files={"video": ("clip.mp4", VIDEO, "video/mp4")},
    )
    assert foreign.status_code in (400, 403)
    assert all(a in listed(sandbox) for a in made)

    reset(sandbox)
    assert (
        httpx2.get(f"{sandbox.url}/telegram/bot{made[0]['credentials']['bot_token']}/getMe").status_code
        == 401
    )


def test_seeded_rutube_accounts_log_in_and_call_the_api(sandbox: Sandbox) -> None:
    made = seed(sandbox, "rutube", 2)
    for account in made:
        credentials = account["credentials"]
        login = httpx2.post(
            f"{sandbox.url}/rutube/api/accounts/token_auth/",
            json={"username": credentials["username"], "password": credentials["password"]},
        )
        assert login.json() == {"token": credentials["token"]}
        mine = httpx2.get(
            f"{sandbox.url}/rutube/api/video/person/",
            headers={"Authorization": f"Token {credentials['token']}"},
        )
        assert mine.status_code == 200
    assert all(a in listed(sandbox) for a in made)

    reset(sandbox)
    gone = httpx2.get(
        f"{sandbox.url}/rutube/api/video/person/",
        headers={"Authorization": f"Token {made[0]['credentials']['token']}"},
    )
    assert gone.status_code == 401


def dzen_session(account: dict[str, Any]) -> str:
    lines: list[str] = account["credentials"]["cookies_txt"].splitlines()
    line = next(line for line in lines if "zen_session_id" in line)
    return line.split("\t")[-1]


def test_seeded_dzen_publishers_open_the_editor_with_their_cookie_export(sandbox: Sandbox) -> None:
    made = seed(sandbox, "dzen", 2)
    for account in made:
        page = httpx2.get(
            f"{sandbox.url}/dzen/profile/editor", cookies={"zen_session_id": dzen_session(account)}
        )
        assert page.status_code == 200
        match = EDITOR_DATA.search(page.text)
        assert match is not None
        assert json.loads(match.group(1))["publisher"]["id"] == account["credentials"]["publisher_id"]
    assert all(a in listed(sandbox) for a in made)

    reset(sandbox)
    signed_out = httpx2.get(
        f"{sandbox.url}/dzen/profile/editor",
        cookies={"zen_session_id": dzen_session(made[0])},
        follow_redirects=False,
    )
    assert signed_out.status_code == 302
