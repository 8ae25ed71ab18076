"""VK Clips through a person's vk.com session: the official web client's token, read from a page.

shortVideo.* answers error 3 to ordinary VK ID apps; the token of VK's own web client
(app 6287487) may call it. A signed-in vk.com page embeds that token as
`"webToken":{"access_token":"…"}`; it lives about 5-10 minutes, then VK answers error 5
(crosspostly/diveclub-vkposter:clip_web_upload.py, proven live 2026-08). So a token is
read right before the calls that need it: at the first call of each publish, check or
stats run, again when it is older than REUSE_SECONDS (an upload may have taken longer
than its life), and once more when VK answers error 5 anyway.

The session is the connection's credentials: `access_token` holds the cookie jar
(platforms.cookies.dump_jar). Its cookies are sent in one Cookie header, chosen as a
browser would choose them for https://vk.com/ (domain, path, Secure, expiry), to the
configured site (settings.web_url: vk.com, or the sandbox). Nothing here logs a cookie
or a token.
"""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Collection, Mapping
from typing import Any

from autopost.platforms.base import Credentials
from autopost.platforms.cookies import load_jar
from autopost.platforms.errors import AuthExpired
from autopost.platforms.vk.answers import web_token
from autopost.platforms.vk.api import FormValue, VkApi

# The site the cookies belong to, whatever host settings.web_url names (the sandbox's, in tests).
SESSION_ORIGIN = "https://vk.com"
# Any signed-in page carries the token; the Clips section is what the person would open.
PAGE_PATH = "/clips"
# A token read this long ago may be near its end (VK: 5-10 minutes): read a fresh one.
REUSE_SECONDS = 60.0
# vk.com serves its full pages to browsers; the page is asked for as one would.
BROWSER_HEADERS = {
    "User-Agent": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.0.0 Safari/537.36"
    ),
    "Accept": "text/html,application/xhtml+xml",
    "Accept-Language": "ru-RU,ru;q=0.9",
}


def cookie_header(credentials: Credentials) -> str:
    """The Cookie header a browser with this session would send to vk.com ("" when none applies)."""
    request = urllib.request.Request(f"{SESSION_ORIGIN}{PAGE_PATH}")  # noqa: S310 - never opened: only matched
    load_jar(credentials.access_token).add_cookie_header(request)
    return request.get_header("Cookie") or ""


class WebTokens:
    """The VK API as the person signed in on vk.com (a Caller): the web client's token, kept fresh."""

    def __init__(self, api: VkApi, web_url: str, credentials: Credentials) -> None:
        self._api = api
        self._page_url = f"{web_url.rstrip('/')}{PAGE_PATH}"
        self._credentials = credentials
        self._token: str | None = None
        self._read_at = 0.0

    async def token(self, *, fresh: bool = False) -> str:
        """The web client's token; AuthExpired("vk.web_signed_out") when the page is signed out."""
        if fresh or self._token is None or time.monotonic() - self._read_at > REUSE_SECONDS:
            cookies = cookie_header(self._credentials)
            if not cookies:
                raise AuthExpired("vk.web_signed_out", "no cookie of the session applies to vk.com")
            response = await self._api.page(self._page_url, {**BROWSER_HEADERS, "Cookie": cookies})
            self._token, self._read_at = web_token(response), time.monotonic()
        return self._token

    async def call(
        self,
        method: str,
        params: Mapping[str, FormValue] | None = None,
        *,
        handles: Collection[int] = (),
    ) -> Any:
        """Call with the current token; on error 5 read a new one from the page and call once more."""
        try:
            return await self._api.call(method, await self.token(), params, handles=handles)
        except AuthExpired as expired:
            if expired.code != "vk.token_expired":
                raise
            # Error 5 answers before VK acts, so the call is safe to repeat.
            return await self._api.call(method, await self.token(fresh=True), params, handles=handles)
