"""Cookie exports as users hand them over: cookies.txt, extension JSON, a raw Cookie header."""

from __future__ import annotations

import json
import time
from http.cookiejar import Cookie, MozillaCookieJar
from pathlib import Path

import httpx2
import pytest

from autopost.platforms.cookies import cookie_names, dump_jar, load_jar, parse_cookie_export
from autopost.platforms.errors import Permanent

LATER = int(time.time()) + 86_400
EARLIER = int(time.time()) - 86_400
SECRET = "s3cr3t-remixsid-value"


def _stdlib_cookie(name: str, value: str, domain: str, *, expires: int | None = LATER) -> Cookie:
    return Cookie(
        0, name, value, None, False, domain, True, domain.startswith("."), "/", True, True, expires,
        expires is None, None, None, {},
    )  # fmt: skip


def _sent_cookie_header(jar: object, url: str) -> str:
    request = httpx2.Request("GET", url)
    httpx2.Cookies(jar).set_cookie_header(request)  # type: ignore[arg-type]
    return request.headers.get("Cookie", "")


def test_a_cookies_txt_written_by_the_standard_library_reads_back(tmp_path: Path) -> None:
    written = MozillaCookieJar(str(tmp_path / "cookies.txt"))
    written.set_cookie(_stdlib_cookie("remixsid", SECRET, ".vk.com"))
    written.set_cookie(_stdlib_cookie("other", "x", ".example.org"))
    written.save()

    jar = parse_cookie_export((tmp_path / "cookies.txt").read_text(), domains=["vk.com"])

    assert cookie_names(jar) == {"remixsid"}
    assert _sent_cookie_header(jar, "https://vk.com/feed") == f"remixsid={SECRET}"
    assert _sent_cookie_header(jar, "https://api.vk.com/method") == f"remixsid={SECRET}"


def test_curl_httponly_lines_and_windows_line_ends_are_read() -> None:
    text = (
        "# Netscape HTTP Cookie File\r\n"
        f"#HttpOnly_.vk.com\tTRUE\t/\tTRUE\t{LATER}\tremixsid\t{SECRET}\r\n"
        f"login.vk.com\tFALSE\t/\tTRUE\t0\tl\t42\r\n"
        "\r\n"
    )
    jar = parse_cookie_export(text, domains=["vk.com"])

    cookies = {cookie.name: cookie for cookie in jar}
    assert set(cookies) == {"remixsid", "l"}
    assert cookies["remixsid"].has_nonstandard_attr("HttpOnly")
    assert cookies["l"].expires is None  # 0 in cookies.txt is a session cookie


def test_the_json_of_cookie_export_extensions_is_read() -> None:
    exported = [
        {
            "domain": ".dzen.ru", "expirationDate": LATER + 0.5, "hostOnly": False, "httpOnly": True,
            "name": "zen_session_id", "path": "/", "sameSite": "no_restriction", "secure": True,
            "session": False, "storeId": "0", "value": SECRET,
        },
        {"domain": ".yandex.ru", "hostOnly": False, "name": "Session_id", "path": "/", "session": True,
         "value": "y"},
        {"domain": ".ads.example", "name": "tracker", "value": "t", "path": "/"},
    ]  # fmt: skip
    jar = parse_cookie_export(json.dumps(exported), domains=["dzen.ru", "yandex.ru"])

    assert cookie_names(jar) == {"zen_session_id", "Session_id"}
    assert _sent_cookie_header(jar, "https://dzen.ru/editor") == f"zen_session_id={SECRET}"


def test_playwright_storage_state_is_read() -> None:
    state = {
        "cookies": [
            {"name": "remixsid", "value": SECRET, "domain": ".vk.com", "path": "/", "expires": -1,
             "httpOnly": True, "secure": True, "sameSite": "Lax"},
        ],
        "origins": [],
    }  # fmt: skip
    jar = parse_cookie_export(json.dumps(state), domains=["vk.com"])

    assert [(c.name, c.expires) for c in jar] == [("remixsid", None)]


def test_a_raw_cookie_header_is_taken_for_the_platform_domain() -> None:
    jar = parse_cookie_export(f"Cookie: remixsid={SECRET}; remixlang=0;", domains=["vk.com"])

    assert cookie_names(jar) == {"remixsid", "remixlang"}
    assert _sent_cookie_header(jar, "https://vk.com/") == f"remixsid={SECRET}; remixlang=0"
    assert _sent_cookie_header(jar, "https://example.org/") == ""


def test_lookalike_domains_and_expired_cookies_are_left_out() -> None:
    text = "\n".join(
        [
            f".evilvk.com\tTRUE\t/\tFALSE\t{LATER}\tremixsid\tstolen",
            f".vk.com\tTRUE\t/\tFALSE\t{EARLIER}\told\tgone",
            f".vk.com\tTRUE\t/\tFALSE\t{LATER}\tremixsid\t{SECRET}",
        ]
    )
    assert cookie_names(parse_cookie_export(text, domains=["vk.com"])) == {"remixsid"}


def test_an_export_with_nothing_valid_for_the_platform_is_refused_by_name() -> None:
    expired_only = f".vk.com\tTRUE\t/\tFALSE\t{EARLIER}\tremixsid\t{SECRET}"
    with pytest.raises(Permanent) as refused:
        parse_cookie_export(expired_only, domains=["vk.com"])

    assert refused.value.code == "web_session.no_cookies"
    assert refused.value.params == {"domain": "vk.com"}
    assert SECRET not in str(refused.value)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "not a cookie export at all",
        "[1, 2, 3]",
        '{"cookies": "nope"}',
        "[{broken json",
        ".vk.com\tTRUE\t/\tFALSE",  # a cookies.txt line cut short
        '[{"name": "remixsid", "value": "a\\r\\nSet-Cookie: x=y", "domain": ".vk.com"}]',  # header splitting
        '[{"name": "bad name", "value": "v", "domain": ".vk.com"}]',
        "x" * (512 * 1024 + 1),
    ],
)
def test_unreadable_exports_are_refused_without_echoing_them(text: str) -> None:
    with pytest.raises(Permanent) as refused:
        parse_cookie_export(text, domains=["vk.com"])

    assert refused.value.code == "web_session.unreadable"
    assert "Set-Cookie" not in str(refused.value)


def test_a_session_survives_sealing_as_json_and_back() -> None:
    jar = parse_cookie_export(
        f"#HttpOnly_.vk.com\tTRUE\t/\tTRUE\t{LATER}\tremixsid\t{SECRET}\nvk.com\tFALSE\t/\tFALSE\t0\tl\t1",
        domains=["vk.com"],
    )
    restored = load_jar(dump_jar(jar))

    assert sorted((c.name, c.value, c.domain, c.secure, c.expires) for c in restored) == sorted(
        (c.name, c.value, c.domain, c.secure, c.expires) for c in jar
    )
    assert _sent_cookie_header(restored, "http://vk.com/") == "l=1"  # Secure stays Secure
