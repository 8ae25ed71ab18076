"""dzen.ru's editor as the signed-in person uses it: the page's CSRF token, then the editor's calls.

The session is the connection's credentials: `access_token` holds the cookie jar
(platforms.cookies.dump_jar). Its cookies go in one Cookie header, chosen as a browser would
choose them for https://dzen.ru/ (domain, path, Secure, expiry), to the configured site
(settings.api_url: dzen.ru, or the sandbox). Every call carries `X-Csrf-Token` and
`?publisherId=<id>&clid=320` (platforms.md Part 2). The token is read from the editor page
before the first call and read again, once, when the editor answers invalid-csrf-token-error:
that answer comes before the editor acts, so the call is safe to repeat. Nothing here logs a
cookie or a token.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

import httpx2

from autopost.platforms.base import Credentials
from autopost.platforms.cookies import load_jar
from autopost.platforms.dzen.answers import (
    CSRF_INVALID,
    SESSION_ENDED,
    EditorPage,
    checked,
    editor_page,
    still_offered,
)
from autopost.platforms.errors import AuthExpired, Transient
from autopost.platforms.http import send
from autopost.platforms.throttle import Unit, UnitLimiter

PLATFORM = "dzen"
# The site the cookies belong to, whatever host settings.api_url names (the sandbox's, in tests).
SESSION_ORIGIN = "https://dzen.ru"
PAGE_PATH = "/profile/editor"
CLID = "320"  # the editor's own client id, sent by every call of dzen.ru's editor
BROWSER_HEADERS = {
    "User-Agent": (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/126.0.0.0 Safari/537.36"
    ),
    "Accept-Language": "ru-RU,ru;q=0.9",
    "Origin": SESSION_ORIGIN,
    "Referer": f"{SESSION_ORIGIN}{PAGE_PATH}",
}

# A request body that can be produced again (a repeated call after a stale CSRF token).
BodyFactory = Callable[[], AsyncIterator[bytes]]


def cookie_header(credentials: Credentials) -> str:
    """The Cookie header a browser with this session would send to dzen.ru ("" when none applies)."""
    request = httpx2.Request("GET", f"{SESSION_ORIGIN}{PAGE_PATH}")  # never sent: only matched
    httpx2.Cookies(load_jar(credentials.access_token)).set_cookie_header(request)
    return request.headers.get("Cookie", "")


class EditorSession:
    """The editor calls of one publish, check or stats run, as the signed-in person makes them."""

    def __init__(
        self, http: httpx2.AsyncClient, credentials: Credentials, limiter: UnitLimiter, per_publisher: Unit
    ) -> None:
        self._http = http
        self._limiter = limiter
        self._per_publisher = per_publisher
        self._cookies = cookie_header(credentials)
        self._publisher_id = str(credentials.meta.get("publisher_id") or "")
        self._page: EditorPage | None = None

    @property
    def http(self) -> httpx2.AsyncClient:
        return self._http

    @property
    def publisher_id(self) -> str:
        return self._publisher_id

    async def page(self, *, fresh: bool = False) -> EditorPage:
        """The editor page; AuthExpired(SESSION_ENDED) when it is signed out."""
        if self._page is None or fresh:
            if not self._cookies:
                raise AuthExpired(SESSION_ENDED, "no cookie of the session applies to dzen.ru")
            headers = {**BROWSER_HEADERS, "Accept": "text/html", "Cookie": self._cookies}
            request = self._http.build_request("GET", PAGE_PATH, headers=headers)
            self._page = editor_page(await send(self._http, request, platform=PLATFORM, creates=False))
        return self._page

    async def channel(self, *, fresh: bool = False) -> EditorPage:
        """The page, checked to still offer the connected channel (AuthExpired(FORBIDDEN) if not)."""
        return still_offered(await self.page(fresh=fresh), self._publisher_id)

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Mapping[str, Any] | None = None,
        body: BodyFactory | None = None,
        headers: Mapping[str, str] | None = None,
        creates: bool = False,
    ) -> dict[str, Any]:
        """One editor call; a stale CSRF token is read anew from the page and the call made once more."""
        try:
            return await self._call(method, path, json, body, headers, creates, fresh=False)
        except Transient as stale:
            if stale.code != CSRF_INVALID:
                raise
            return await self._call(method, path, json, body, headers, creates, fresh=True)

    async def _call(
        self,
        method: str,
        path: str,
        json: Mapping[str, Any] | None,
        body: BodyFactory | None,
        headers: Mapping[str, str] | None,
        creates: bool,
        *,
        fresh: bool,
    ) -> dict[str, Any]:
        page = await self.channel(fresh=fresh)
        all_headers = {
            **BROWSER_HEADERS,
            "Accept": "application/json",
            "Cookie": self._cookies,
            "X-Csrf-Token": page.csrf_token,
            **(headers or {}),
        }
        request = self._http.build_request(
            method,
            path,
            params={"publisherId": self._publisher_id, "clid": CLID},
            headers=all_headers,
            json=dict(json) if json is not None else None,
            content=body() if body is not None else None,
        )
        async with self._limiter.turn(self._per_publisher, self._publisher_id):
            return checked(await send(self._http, request, platform=PLATFORM, creates=creates))
