"""Talking to the Bot API: the token kept out of every printable URL (answers.py judges the answers).

The Bot API puts the token in the URL path (`/bot<token>/<method>`). httpx2
logs each request's URL and attaches the request to its exceptions, so the
requests our client builds carry a masked path; the token is put in only by
`TokenTransport`, on a copy of the request handed to the real transport.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx2

from autopost.platforms.errors import Permanent
from autopost.platforms.http import make_client, send
from autopost.platforms.telegram.answers import classify

PLATFORM = "telegram"

# What the provider sends to each method and reads from the answers; the contract test
# checks every name against the Bot API spec (api.json).
SENT_PARAMETERS: dict[str, tuple[str, ...]] = {
    "getMe": (),
    "getChat": ("chat_id",),
    "getChatMember": ("chat_id", "user_id"),
    "sendVideo": (
        "chat_id", "video", "caption", "duration", "width", "height", "supports_streaming", "thumbnail",
    ),
}  # fmt: skip
READ_FIELDS: dict[str, tuple[str, ...]] = {
    "User": ("id", "username"),
    "ChatFullInfo": ("id", "type", "title", "username"),
    "ChatMemberAdministrator": ("status", "can_post_messages"),
    "Message": ("message_id", "chat"),
    "Chat": ("id", "username"),
    "ResponseParameters": ("retry_after",),
}

# Bot tokens are "<bot id>:<secret>"; anything else cannot be a token and must not reach a URL.
TOKEN_FORMAT = re.compile(r"^(\d{1,20}):[A-Za-z0-9_-]{30,60}$")
_TOKEN_EXTENSION = "autopost.telegram_token"


def bot_id_of(token: str) -> int:
    """The bot's id (the token's public half); Permanent when the text cannot be a bot token."""
    match = TOKEN_FORMAT.match(token.strip())
    if match is None:
        raise Permanent("telegram.bad_token", "token is not in the <id>:<secret> form")
    return int(match.group(1))


def masked(token: str) -> str:
    """The token as printable URLs show it: the bot id, the secret starred out."""
    return token.split(":", 1)[0] + ":***"


class TokenTransport(httpx2.AsyncBaseTransport):
    """Swaps the masked token in the path for the real one on the way out.

    An injected transport belongs to the caller and is never closed here.
    """

    def __init__(self, inner: httpx2.AsyncBaseTransport | None) -> None:
        self._inner = inner or httpx2.AsyncHTTPTransport()
        self._owns_inner = inner is None

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        token = request.extensions.get(_TOKEN_EXTENSION)
        if token is None:
            return await self._inner.handle_async_request(request)
        extensions = {k: v for k, v in request.extensions.items() if k != _TOKEN_EXTENSION}
        real = httpx2.Request(
            request.method,
            request.url.copy_with(path=request.url.path.replace(masked(token), token, 1)),
            headers=request.headers,
            stream=request.stream,
            extensions=extensions,
        )
        return await self._inner.handle_async_request(real)

    async def aclose(self) -> None:
        if self._owns_inner:
            await self._inner.aclose()


class BotApi:
    """One operation's calls for one bot token."""

    def __init__(self, client: httpx2.AsyncClient, token: str) -> None:
        self.bot_id = bot_id_of(token)
        self._client = client
        self._token = token.strip()

    def request(self, method: str, **kwargs: Any) -> httpx2.Request:
        request = self._client.build_request("POST", f"/bot{masked(self._token)}/{method}", **kwargs)
        request.extensions[_TOKEN_EXTENSION] = self._token
        return request

    async def call(self, method: str, params: Mapping[str, str | int] | None = None) -> Any:
        """A small call (form-encoded); its `result`, or the classified error."""
        request = self.request(method, data={k: str(v) for k, v in (params or {}).items()})
        response = await send(self._client, request, platform=PLATFORM, creates=False)
        return classify(response)

    async def upload(self, request: httpx2.Request, body_sent: Callable[[], bool]) -> httpx2.Response:
        """Send a request that creates a post; the caller classifies the answer."""
        return await send(self._client, request, platform=PLATFORM, creates=True, body_sent=body_sent)


@asynccontextmanager
async def open_client(
    base_url: str, transport: httpx2.AsyncBaseTransport | None, http_timeout: float
) -> AsyncIterator[httpx2.AsyncClient]:
    tokens = TokenTransport(transport)
    try:
        async with make_client(base_url.rstrip("/"), transport=tokens, timeout=http_timeout) as client:
            yield client
    finally:
        await tokens.aclose()  # the client leaves a transport it is given open (http.make_client)
