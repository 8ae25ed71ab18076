"""The Telegram Bot API emulator over real HTTP: auth, chats, members, sendVideo, size limits."""

from __future__ import annotations

import hashlib
from fractions import Fraction
from typing import Any

import av
import httpx2
import pytest

from tests.conftest import Sandbox

ADMIN = "7000000001:AAHb3vQm2Xk9LpR4tZs8YwNc1DfGj6UeKoA"
MEMBER = "7000000002:AAEr5TnW7yHq0ZcV3bMx6KsLd2PfJ8GiUoN"
REVOKED = "7000000003:AAFx0Qw1Er2Ty3Ui4Op5As6Df7Gh8Jk9LzX"
VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 64


def make_jpeg(width: int, height: int) -> bytes:
    codec = av.CodecContext.create("mjpeg", "w")
    codec.width, codec.height = width, height
    codec.pix_fmt = "yuvj420p"
    codec.time_base = Fraction(1, 25)
    frame = av.VideoFrame(width, height, "yuvj420p")
    return b"".join(bytes(p) for p in [*codec.encode(frame), *codec.encode(None)])


def api(sandbox: Sandbox, token: str, method: str, **kwargs: Any) -> httpx2.Response:
    return httpx2.post(f"{sandbox.url}/telegram/bot{token}/{method}", timeout=30, **kwargs)


def send_video(
    sandbox: Sandbox, token: str = ADMIN, chat_id: str = "@clipmaker_demo", **fields: Any
) -> httpx2.Response:
    files = fields.pop("files", {"video": ("clip.mp4", VIDEO, "video/mp4")})
    return api(sandbox, token, "sendVideo", data={"chat_id": chat_id, **fields}, files=files)


def posts(sandbox: Sandbox) -> list[dict[str, Any]]:
    with sandbox.control() as control:
        return [p for p in control.get("/state").json()["posts"] if p["platform"] == "telegram"]


def set_config(sandbox: Sandbox, **switches: Any) -> None:
    with sandbox.control() as control:
        control.post("/config", json=switches).raise_for_status()


def assert_error(response: httpx2.Response, code: int, description: str) -> None:
    assert response.status_code == code
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"ok": False, "error_code": code, "description": description}


def test_demo_accounts_list_the_seeded_bots_and_channels(sandbox: Sandbox) -> None:
    with sandbox.control() as control:
        accounts = [a for a in control.get("/accounts").json() if a["platform"] == "telegram"]
    tokens = {a["credentials"]["bot_token"] for a in accounts}
    assert tokens == {ADMIN, MEMBER, REVOKED}
    assert {a["credentials"]["channel"] for a in accounts} == {"@clipmaker_demo", "@clipmaker_other"}
    assert {a["credentials"]["api_base_url"] for a in accounts} == {f"{sandbox.url}/telegram"}


def test_get_me_identifies_each_bot(sandbox: Sandbox) -> None:
    admin = api(sandbox, ADMIN, "getMe").json()["result"]
    member = httpx2.get(f"{sandbox.url}/telegram/bot{MEMBER}/getMe").json()["result"]
    assert (admin["id"], admin["username"], admin["is_bot"]) == (7000000001, "clipmaker_demo_bot", True)
    assert (member["id"], member["username"]) == (7000000002, "clipmaker_member_bot")


def test_a_revoked_token_is_unauthorized_on_every_method(sandbox: Sandbox) -> None:
    for method in ("getMe", "getChat", "sendVideo", "noSuchMethod"):
        assert_error(api(sandbox, REVOKED, method, data={"chat_id": "@clipmaker_demo"}), 401, "Unauthorized")


def test_a_malformed_token_answers_like_the_cloud_or_the_local_server(sandbox: Sandbox) -> None:
    assert_error(api(sandbox, "12345", "getMe"), 404, "Not Found")
    set_config(sandbox, telegram_local_server=True)
    assert_error(api(sandbox, "12345", "getMe"), 401, "Unauthorized: invalid token specified")


def test_unknown_methods_are_not_found_and_names_ignore_case(sandbox: Sandbox) -> None:
    assert_error(api(sandbox, ADMIN, "sendClip"), 404, "Not Found")
    assert_error(httpx2.get(f"{sandbox.url}/telegram/file/bot{ADMIN}/videos/x.mp4"), 404, "Not Found")
    assert api(sandbox, ADMIN, "GETME").json()["result"]["id"] == 7000000001


def test_parameters_arrive_by_query_string_form_json_or_multipart(sandbox: Sandbox) -> None:
    url = f"{sandbox.url}/telegram/bot{ADMIN}/getChatMember"
    wanted = {"chat_id": "@clipmaker_demo", "user_id": "7000000001"}
    answers = [
        httpx2.get(url, params=wanted),
        httpx2.post(url, data=wanted),
        httpx2.post(url, json={"chat_id": "@clipmaker_demo", "user_id": 7000000001}),
        httpx2.post(url, files={name: (None, value) for name, value in wanted.items()}),
    ]
    assert [a.json()["result"]["status"] for a in answers] == ["administrator"] * 4


def test_get_chat_describes_visible_channels(sandbox: Sandbox) -> None:
    public = api(sandbox, ADMIN, "getChat", data={"chat_id": "@CLIPMAKER_DEMO"}).json()["result"]
    assert (public["id"], public["type"], public["username"]) == (-1001000000001, "channel", "clipmaker_demo")
    private = api(sandbox, ADMIN, "getChat", json={"chat_id": -1001000000002}).json()["result"]
    assert private["type"] == "channel" and "username" not in private and private["title"]
    # A public channel is visible to any bot; a private one only to its members.
    assert api(sandbox, MEMBER, "getChat", data={"chat_id": "@clipmaker_other"}).json()["ok"] is True
    assert_error(
        api(sandbox, MEMBER, "getChat", data={"chat_id": "-1001000000002"}),
        400,
        "Bad Request: chat not found",
    )
    assert_error(
        api(sandbox, ADMIN, "getChat", data={"chat_id": "@nobody_here"}), 400, "Bad Request: chat not found"
    )
    assert_error(api(sandbox, ADMIN, "getChat", data={"chat_id": ""}), 400, "Bad Request: chat_id is empty")


def test_get_chat_member_shows_who_may_post(sandbox: Sandbox) -> None:
    def member(token: str, chat_id: str, user_id: int) -> httpx2.Response:
        return api(sandbox, token, "getChatMember", json={"chat_id": chat_id, "user_id": user_id})

    admin = member(ADMIN, "@clipmaker_demo", 7000000001).json()["result"]
    assert admin["status"] == "administrator" and admin["can_post_messages"] is True
    assert admin["user"]["id"] == 7000000001
    assert member(MEMBER, "@clipmaker_demo", 7000000002).json()["result"]["status"] == "member"
    assert member(ADMIN, "@clipmaker_other", 7000000001).json()["result"]["status"] == "left"
    assert_error(
        member(MEMBER, "@clipmaker_demo", 7000000001), 400, "Bad Request: member list is inaccessible"
    )
    forbidden = "Forbidden: bot is not a member of the channel chat"
    assert_error(member(ADMIN, "@clipmaker_other", 100000001), 403, forbidden)
    assert_error(member(ADMIN, "@clipmaker_demo", 0), 400, "Bad Request: invalid user_id specified")
    assert_error(member(ADMIN, "@clipmaker_demo", 123456), 400, "Bad Request: user not found")


def test_send_video_posts_to_the_channel_and_records_every_byte(sandbox: Sandbox) -> None:
    thumbnail = make_jpeg(180, 320)
    response = send_video(
        sandbox,
        caption="Клип дня 🎬",
        duration="15",
        width="1080",
        height="1920",
        supports_streaming="true",
        thumbnail="attach://thumb",
        files={"video": ("clip.mp4", VIDEO, "video/mp4"), "thumb": ("t.jpg", thumbnail, "image/jpeg")},
    )
    message = response.json()["result"]
    assert message["message_id"] == 2  # message 1 is the channel's "Channel created"
    assert message["chat"]["username"] == "clipmaker_demo" and message["sender_chat"]["id"] == -1001000000001
    video = message["video"]
    assert (video["width"], video["height"], video["duration"], video["file_size"]) == (
        1080,
        1920,
        15,
        len(VIDEO),
    )
    assert (video["mime_type"], video["file_name"]) == ("video/mp4", "clip.mp4")
    assert video["thumbnail"]["width"] == 180 and video["thumbnail"]["height"] == 320
    assert video["thumbnail"]["file_size"] == len(thumbnail)
    [post] = posts(sandbox)
    assert post["sha256"] == hashlib.sha256(VIDEO).hexdigest() and post["bytes"] == len(VIDEO)
    assert (post["owner"], post["remote_id"], post["title"]) == ("@clipmaker_demo", "2", "")
    assert post["caption"] == "Клип дня 🎬"
    assert post["url"] == "https://t.me/clipmaker_demo/2"
    assert post["extra"]["file_id"] == video["file_id"] and post["extra"]["supports_streaming"] is True


def test_message_ids_count_up_per_channel_and_private_posts_link_by_internal_id(sandbox: Sandbox) -> None:
    assert send_video(sandbox).json()["result"]["message_id"] == 2
    assert send_video(sandbox).json()["result"]["message_id"] == 3
    assert send_video(sandbox, chat_id="-1001000000002").json()["result"]["message_id"] == 2
    private = posts(sandbox)[-1]
    assert (private["owner"], private["url"]) == ("-1001000000002", "https://t.me/c/1000000002/2")


def test_a_thumbnail_may_also_come_as_a_part_named_thumbnail(sandbox: Sandbox) -> None:
    files = {"video": ("c.mp4", VIDEO), "thumbnail": ("t.jpg", make_jpeg(90, 160), "image/jpeg")}
    video = send_video(sandbox, files=files).json()["result"]["video"]
    assert (video["thumbnail"]["width"], video["thumbnail"]["height"]) == (90, 160)


def test_a_body_that_is_not_a_json_object_is_a_bad_request(sandbox: Sandbox) -> None:
    refused = api(sandbox, ADMIN, "getChat", content=b"[1, 2]", headers={"content-type": "application/json"})
    assert_error(refused, 400, "Bad Request: JSON object expected")


@pytest.mark.parametrize(
    ("name", "thumbnail"),
    [
        ("wider than 320 px", make_jpeg(640, 360)),
        ("taller than 320 px", make_jpeg(180, 321)),
        ("not a JPEG", b"\x89PNG\r\n\x1a\n" + bytes(2000)),
        ("200 kB or more", make_jpeg(320, 180) + bytes(200 * 1024)),
    ],
)
def test_a_thumbnail_breaking_the_rules_is_silently_ignored(
    sandbox: Sandbox, name: str, thumbnail: bytes
) -> None:
    response = send_video(
        sandbox, thumbnail="attach://t", files={"video": ("c.mp4", VIDEO), "t": ("t.jpg", thumbnail)}
    )
    assert response.status_code == 200, name
    assert "thumbnail" not in response.json()["result"]["video"], name
    [post] = posts(sandbox)
    assert post["extra"]["thumbnail_sent"] is True and post["extra"]["thumbnail"] is None


def test_a_file_id_can_be_sent_again_without_uploading(sandbox: Sandbox) -> None:
    first = send_video(sandbox, width="720", height="1280").json()["result"]["video"]
    again = api(sandbox, ADMIN, "sendVideo", json={"chat_id": -1001000000002, "video": first["file_id"]})
    assert again.json()["result"]["video"] == first
    assert [p["sha256"] for p in posts(sandbox)] == [hashlib.sha256(VIDEO).hexdigest()] * 2
    assert posts(sandbox)[1]["extra"]["reused_file_id"] is True
    wrong = "Bad Request: wrong file identifier/HTTP URL specified"
    assert_error(send_video(sandbox, video="BAACAgIAAxkDAAIunknown", files={}), 400, wrong)


def test_send_video_rejects_a_missing_empty_or_remote_video(sandbox: Sandbox) -> None:
    no_video = "Bad Request: there is no video in the request"
    assert_error(send_video(sandbox, files={}), 400, no_video)
    assert_error(
        send_video(sandbox, video="attach://missing", files={"other": ("x.mp4", VIDEO)}), 400, no_video
    )
    assert_error(
        send_video(sandbox, files={"video": ("x.mp4", b"")}), 400, "Bad Request: file must be non-empty"
    )
    remote = send_video(sandbox, video="https://example.org/clip.mp4", files={})
    assert_error(remote, 400, "Bad Request: failed to get HTTP URL content")
    assert posts(sandbox) == []


def test_only_an_administrator_bot_of_the_channel_can_post(sandbox: Sandbox) -> None:
    assert_error(
        send_video(sandbox, MEMBER), 400, "Bad Request: need administrator rights in the channel chat"
    )
    forbidden = "Forbidden: bot is not a member of the channel chat"
    assert_error(send_video(sandbox, ADMIN, "@clipmaker_other"), 403, forbidden)
    assert_error(send_video(sandbox, MEMBER, "-1001000000002"), 400, "Bad Request: chat not found")
    assert_error(send_video(sandbox, ADMIN, "@nobody_here"), 400, "Bad Request: chat not found")
    assert posts(sandbox) == []


def test_the_caption_limit_counts_characters_after_entity_parsing(sandbox: Sandbox) -> None:
    assert send_video(sandbox, caption="я" * 1024).status_code == 200
    marked_up = "<b>" + "я" * 1000 + "</b><i>" + "ы" * 24 + "</i>"
    parsed = send_video(sandbox, caption=marked_up, parse_mode="HTML").json()["result"]
    assert len(parsed["caption"]) == 1024
    assert parsed["caption_entities"] == [
        {"type": "bold", "offset": 0, "length": 1000},
        {"type": "italic", "offset": 1000, "length": 24},
    ]
    too_long = send_video(sandbox, caption="я" * 1025)
    assert_error(too_long, 400, "Bad Request: message caption is too long")
    assert len(posts(sandbox)) == 2


def test_caption_markup_errors_are_bad_requests(sandbox: Sandbox) -> None:
    assert_error(
        send_video(sandbox, caption="Итоги 2024.", parse_mode="MarkdownV2"),
        400,
        "Bad Request: can't parse entities: "
        "Character '.' is reserved and must be escaped with the preceding '\\'",
    )
    assert_error(
        send_video(sandbox, caption="a<br>b", parse_mode="HTML"),
        400,
        'Bad Request: can\'t parse entities: Unsupported start tag "br" at byte offset 1',
    )
    assert_error(
        send_video(sandbox, caption="x", parse_mode="BBCode"), 400, "Bad Request: unsupported parse_mode"
    )
    assert posts(sandbox) == []


def test_uploads_over_50_mb_are_refused_by_the_cloud_api_and_accepted_by_a_local_server(
    sandbox: Sandbox,
) -> None:
    # Decimal megabytes: exactly 50,000,000 bytes pass, one more is refused.
    at_limit = VIDEO + bytes(50_000_000 - len(VIDEO))
    assert send_video(sandbox, files={"video": ("a.mp4", at_limit)}).status_code == 200
    over = at_limit + b"\x01"
    assert_error(send_video(sandbox, files={"video": ("b.mp4", over)}), 413, "Request Entity Too Large")
    assert [p["bytes"] for p in posts(sandbox)] == [50_000_000]
    set_config(sandbox, telegram_local_server=True)
    accepted = send_video(sandbox, files={"video": ("b.mp4", over)}).json()["result"]
    assert accepted["video"]["file_size"] == 50_000_001
    assert posts(sandbox)[-1]["sha256"] == hashlib.sha256(over).hexdigest()
