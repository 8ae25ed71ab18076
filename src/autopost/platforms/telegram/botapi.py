"""Talking to the Bot API: the token kept out of every printable URL, and answers classified once.

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

from autopost.platforms.errors import AuthExpired, Permanent, RateLimited, Transient
from autopost.platforms.http import json_body, make_client, send

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

BAD_TOKEN = "Неверный токен бота: возьмите его у @BotFather"
TOKEN_REVOKED = "Telegram не принимает токен бота: его отозвали. Подключите канал заново с новым токеном"
CHAT_NOT_FOUND = "Канал не найден: проверьте @имя или -100…"
NOT_MEMBER = "Бот не добавлен в канал"
NOT_ADMIN = "Бот не является админом канала"
SLOW_DOWN = "Telegram просит подождать: слишком много публикаций подряд"
UNAVAILABLE = "Telegram временно недоступен, повторим позже"
TOO_LARGE = "Telegram не принял файл: он больше, чем разрешено боту"
CAPTION_TOO_LONG = "Подпись длиннее 1024 символов: Telegram её не принимает. Сократите название или описание"
BAD_CAPTION = "Telegram не смог разобрать подпись"
REJECTED = "Telegram отклонил публикацию"

# Bot tokens are "<bot id>:<secret>"; anything else cannot be a token and must not reach a URL.
TOKEN_FORMAT = re.compile(r"^(\d{1,20}):[A-Za-z0-9_-]{30,60}$")
_TOKEN_EXTENSION = "autopost.telegram_token"

# Telegram's descriptions are the only way to tell its 400s and 403s apart (error_code is shared).
_DESCRIPTIONS: tuple[tuple[str, str, str], ...] = (
    ("chat not found", "telegram.chat_not_found", CHAT_NOT_FOUND),
    ("bot is not a member", "telegram.not_member", NOT_MEMBER),
    ("bot was kicked", "telegram.not_member", NOT_MEMBER),
    ("need administrator rights", "telegram.not_admin", NOT_ADMIN),
    ("not enough rights", "telegram.not_admin", NOT_ADMIN),
    ("have no rights to send", "telegram.not_admin", NOT_ADMIN),
    ("message caption is too long", "telegram.caption_too_long", CAPTION_TOO_LONG),
    ("can't parse entities", "telegram.bad_caption", BAD_CAPTION),
)


def bot_id_of(token: str) -> int:
    """The bot's id (the token's public half); Permanent when the text cannot be a bot token."""
    match = TOKEN_FORMAT.match(token.strip())
    if match is None:
        raise Permanent("telegram.bad_token", BAD_TOKEN, "token is not in the <id>:<secret> form")
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
    client = make_client(base_url.rstrip("/"), transport=TokenTransport(transport), timeout=http_timeout)
    async with client:
        yield client


def classify(response: httpx2.Response) -> Any:
    """Telegram's answer → its `result`, or the one error class it means."""
    status = response.status_code
    body = json_body(response)
    if not isinstance(body, dict) or status >= 500:
        # api.telegram.org's nginx front answers outages (502) with an HTML page.
        raise Transient("telegram.unavailable", UNAVAILABLE, f"HTTP {status}")
    if body.get("ok") is True and status < 300:
        return body.get("result")
    description = str(body.get("description") or "")
    detail = f"HTTP {status}: {description}"
    if status == 429:
        wait = _retry_after(response, body)
        raise RateLimited("telegram.rate_limited", SLOW_DOWN, detail, retry_after=wait)
    if status == 401:
        raise AuthExpired("telegram.token_revoked", TOKEN_REVOKED, detail)
    if status == 404:
        # The Bot API answers 404 to a malformed token (every method we call exists).
        raise Permanent("telegram.bad_token", BAD_TOKEN, detail)
    if status == 413:
        raise Permanent("telegram.too_large", TOO_LARGE, detail)
    lowered = description.lower()
    for fragment, code, message in _DESCRIPTIONS:
        if fragment in lowered:
            raise Permanent(code, message, detail)
    if status == 403:
        raise Permanent("telegram.forbidden", NOT_ADMIN, detail)
    raise Permanent("telegram.rejected", f"{REJECTED}: {description or f'HTTP {status}'}", detail)


def _retry_after(response: httpx2.Response, body: Mapping[str, Any]) -> float:
    parameters = body.get("parameters")
    if isinstance(parameters, dict) and isinstance(parameters.get("retry_after"), int | float):
        return float(parameters["retry_after"])
    header = response.headers.get("retry-after", "")
    return float(header) if header.strip().isdigit() else 5.0
