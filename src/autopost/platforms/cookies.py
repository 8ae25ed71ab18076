"""A person's signed-in browser session, handed over as a cookie export.

Three shapes are accepted, as users get them from their browser:
- the Netscape `cookies.txt` format (what yt-dlp and curl read; `#HttpOnly_` marks
  HttpOnly lines), written by the "Get cookies.txt" extensions;
- the JSON array that cookie-export extensions write (Cookie-Editor, EditThisCookie:
  `expirationDate`), or an object with a `cookies` array (Playwright's storage state:
  `expires`);
- a raw `Cookie` request header, copied from the browser's developer tools; it names
  no domain, so its cookies are taken for the platform's own domain.

The result is a stdlib CookieJar, so domain, path, expiry and Secure matching are
the standard library's, and httpx2 sends and updates it like a browser would.
Nothing here logs or echoes a cookie value: errors name counts and domains only.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from http.cookiejar import Cookie, CookieJar
from typing import Any

from autopost.platforms.errors import Permanent

MAX_EXPORT_CHARS = 512 * 1024
"""Real exports of a whole browser profile stay far below this; a session for one site is a few KiB."""

MAX_COOKIES = 2000

# A name is an RFC 6265 token; a value may not carry what would split or end a header.
_NAME = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_BAD_VALUE = re.compile(r"[\x00-\x1f\x7f;]")
_NETSCAPE_FIELDS = 7


def parse_cookie_export(text: str, *, domains: Sequence[str]) -> CookieJar:
    """The cookies of `text` that belong to `domains` (e.g. ["dzen.ru", "yandex.ru"]) or their subdomains.

    A raw Cookie header is taken for the first domain. Raises Permanent("web_session.unreadable")
    for text in none of the three shapes, Permanent("web_session.no_cookies") when nothing in it
    is for these domains and still valid.
    """
    text = text.strip().lstrip("\ufeff")
    if not text or len(text) > MAX_EXPORT_CHARS:
        raise Permanent("web_session.unreadable", "empty or oversize export")
    if text[0] in "[{":
        cookies = list(_from_json(text))
    elif "\t" in text or text.startswith("# Netscape"):
        cookies = list(_from_netscape(text))
    else:
        cookies = list(_from_header(text, domains[0]))
    if len(cookies) > MAX_COOKIES:
        raise Permanent("web_session.unreadable", f"{len(cookies)} cookies")
    now = int(time.time())
    jar = CookieJar()
    for cookie in cookies:
        if _belongs_to(cookie.domain, domains) and not cookie.is_expired(now):
            jar.set_cookie(cookie)
    if not len(jar):
        raise Permanent(
            "web_session.no_cookies", f"{len(cookies)} cookies, none for {domains}", domain=domains[0]
        )
    return jar


def cookie_names(jar: CookieJar) -> set[str]:
    """Which cookies the session holds: enough to tell a signed-in export from an anonymous one."""
    return {cookie.name for cookie in jar}


def session_ends_at(jar: CookieJar) -> datetime | None:
    """When the session ends at the latest: its longest-lived cookie's expiry (None: browser-session
    cookies only). Platforms do not say which cookie signs in, so this is the one date that cannot
    warn too early."""
    expiries = [cookie.expires for cookie in jar if cookie.expires]
    return datetime.fromtimestamp(max(expiries), UTC) if expiries else None


def dump_jar(jar: CookieJar) -> str:
    """The session as JSON, to be sealed at rest like a token (never stored or logged in the clear)."""
    return json.dumps([_as_dict(cookie) for cookie in jar], separators=(",", ":"))


def load_jar(sealed_json: str) -> CookieJar:
    """The inverse of dump_jar (expired cookies stay out, as a browser would drop them)."""
    jar = CookieJar()
    now = int(time.time())
    for item in json.loads(sealed_json):
        cookie = _cookie(**item)
        if not cookie.is_expired(now):
            jar.set_cookie(cookie)
    return jar


def _from_netscape(text: str) -> Iterator[Cookie]:
    for line in text.splitlines():
        http_only = line.startswith("#HttpOnly_")
        if http_only:
            line = line.removeprefix("#HttpOnly_")
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.rstrip("\r").split("\t")
        if len(fields) != _NETSCAPE_FIELDS:
            raise Permanent("web_session.unreadable", f"a cookies.txt line has {len(fields)} fields")
        host, _subdomains, path, secure, expires, name, value = fields
        yield _cookie(
            name=name,
            value=value,
            domain=host,
            path=path or "/",
            secure=secure.upper() == "TRUE",
            expires=_epoch(expires),
            http_only=http_only,
        )


def _from_json(text: str) -> Iterator[Cookie]:
    try:
        data: Any = json.loads(text)
    except ValueError as exc:
        raise Permanent("web_session.unreadable", "invalid JSON") from exc
    items = data.get("cookies") if isinstance(data, dict) else data
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise Permanent("web_session.unreadable", "JSON is not a list of cookies")
    for item in items:
        if not isinstance(item.get("name"), str) or not isinstance(item.get("domain"), str):
            raise Permanent("web_session.unreadable", "a cookie without name or domain")
        # Extensions write expirationDate (absent for session cookies); Playwright writes expires (-1).
        expires = item.get("expirationDate", item.get("expires"))
        yield _cookie(
            name=item["name"],
            value=str(item.get("value", "")),
            domain=item["domain"],
            path=str(item.get("path") or "/"),
            secure=bool(item.get("secure")),
            expires=_epoch(expires),
            http_only=bool(item.get("httpOnly")),
        )


def _from_header(text: str, domain: str) -> Iterator[Cookie]:
    if text[:7].lower() == "cookie:":
        text = text[7:]
    for pair in _split_header(text):
        name, sep, value = pair.partition("=")
        if not sep:
            raise Permanent("web_session.unreadable", "a Cookie header pair without '='")
        yield _cookie(name=name.strip(), value=value.strip(), domain=f".{domain}", path="/")


def _split_header(text: str) -> Iterable[str]:
    return (pair for pair in text.replace("\n", ";").split(";") if pair.strip())


def _cookie(
    *,
    name: str,
    value: str,
    domain: str,
    path: str = "/",
    secure: bool = False,
    expires: int | None = None,
    http_only: bool = False,
) -> Cookie:
    if not _NAME.match(name) or _BAD_VALUE.search(value) or not domain.strip("."):
        raise Permanent("web_session.unreadable", "a cookie with an invalid name, value or domain")
    domain = domain.lower()
    return Cookie(
        version=0,
        name=name,
        value=value,
        port=None,
        port_specified=False,
        domain=domain,
        domain_specified=domain.startswith("."),
        domain_initial_dot=domain.startswith("."),
        path=path,
        path_specified=True,
        secure=secure,
        expires=expires,
        discard=expires is None,
        comment=None,
        comment_url=None,
        rest={"HttpOnly": ""} if http_only else {},
    )


def _as_dict(cookie: Cookie) -> dict[str, Any]:
    return {
        "name": cookie.name,
        "value": cookie.value,
        "domain": cookie.domain,
        "path": cookie.path,
        "secure": cookie.secure,
        "expires": cookie.expires,
        "http_only": cookie.has_nonstandard_attr("HttpOnly"),
    }


def _epoch(value: object) -> int | None:
    """An expiry in Unix seconds; 0, -1, empty or absent means a session cookie."""
    if value in (None, ""):
        return None
    try:
        seconds = int(float(str(value)))
    except ValueError as exc:
        raise Permanent("web_session.unreadable", "an expiry that is not a number") from exc
    return seconds if seconds > 0 else None


def _belongs_to(cookie_domain: str, domains: Sequence[str]) -> bool:
    host = cookie_domain.lstrip(".")
    return any(host == domain or host.endswith(f".{domain}") for domain in domains)
