"""The Bot API emulator: GET or POST /telegram/bot<token>/<method>.

Like telegram-bot-api, the whole request (uploads included) is received before
the call is looked at, so every error answer reaches a client that has finished
sending. Uploads stream through receive_form and are never held in memory.
"""

from __future__ import annotations

import inspect
import re

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from autopost_sandbox.core import Fault, FaultKind, SandboxState
from autopost_sandbox.http import hang, reset_mid_upload
from autopost_sandbox.telegram.methods import CANONICAL, METHODS, Call
from autopost_sandbox.telegram.wire import (
    INTERNAL,
    NOT_FOUND,
    TOO_LARGE,
    UNAUTHORIZED,
    ApiCall,
    ApiError,
    error_response,
    ok_response,
    read_call,
)
from autopost_sandbox.telegram.world import TelegramWorld

# api.telegram.org accepts uploads up to 50 MB; a self-hosted server (--local) up to 2000 MB.
# Decimal megabytes, as Telegram counts them (docs/platforms/telegram.md, "Size limits").
CLOUD_MAX_UPLOAD = 50 * 1000 * 1000
LOCAL_MAX_UPLOAD = 2000 * 1000 * 1000
TOKEN_FORMAT = re.compile(r"^[1-9]\d{0,15}:[A-Za-z0-9_-]{35}$")
# captcha and processing_failed have no Telegram counterpart, so they never apply here.
FAULT_KINDS: tuple[FaultKind, ...] = (
    "rate_limit",
    "overloaded",
    "server_error",
    "timeout",
    "reset",
    "token_expired",
)
# An overloaded server answers set_retry_after_error(60) whatever the caller asked for
# (tdlib/telegram-bot-api:telegram-bot-api/Client.cpp, the upload flood check).
OVERLOAD_RETRY_AFTER = 60
ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def upload_limit(state: SandboxState) -> int:
    return LOCAL_MAX_UPLOAD if state.config.telegram_local_server else CLOUD_MAX_UPLOAD


def _fault_error(fault: Fault) -> ApiError:
    if fault.fault == "rate_limit":
        return ApiError.too_many_requests(fault.retry_after)
    if fault.fault == "overloaded":
        return ApiError.too_many_requests(OVERLOAD_RETRY_AFTER)
    if fault.fault == "token_expired":
        # A revoked token answers exactly like one that never existed.
        return UNAUTHORIZED
    return INTERNAL


def _check_token(state: SandboxState, token: str) -> None:
    if TOKEN_FORMAT.match(token):
        return
    if state.config.telegram_local_server:
        # telegram-bot-api's ClientManager::send rejects malformed tokens itself.
        raise ApiError(401, "Unauthorized: invalid token specified")
    # api.telegram.org answers a malformed token with 404 (python-telegram-bot's _baserequest notes this).
    raise NOT_FOUND


async def _dispatch(
    state: SandboxState, world: TelegramWorld, token: str, method: str, api: ApiCall
) -> object:
    _check_token(state, token)
    bot = world.bot_by_token(token)
    if bot is None:
        raise UNAUTHORIZED
    handler = METHODS.get(method)
    if handler is None:
        raise NOT_FOUND
    result = handler(Call(state, world, bot, method, api))
    # getUpdates long-polls: it awaits the next update instead of answering at once.
    return await result if inspect.isawaitable(result) else result


async def handle_call(state: SandboxState, world: TelegramWorld, request: Request) -> Response:
    token = request.path_params["token"]
    raw_method = request.path_params["method"]
    method = CANONICAL.get(raw_method.lower(), raw_method)
    fault = state.faults.take("telegram", method, FAULT_KINDS, account=token.split(":", 1)[0])
    if fault is not None and fault.fault == "reset":
        return await reset_mid_upload(request)
    try:
        api = await read_call(request, upload_limit(state))
        if api.too_large:
            raise TOO_LARGE
        if fault is not None and fault.fault != "timeout":
            raise _fault_error(fault)
        result = await _dispatch(state, world, token, method, api)
    except ApiError as error:
        return error_response(error)
    if fault is not None:
        # The call took effect (the message is in the channel); the answer never comes in time.
        await hang(fault)
    return ok_response(result)


async def _drain(request: Request) -> None:
    async for _ in request.stream():
        pass


def bot_api_app(state: SandboxState, world: TelegramWorld) -> Starlette:
    async def call(request: Request) -> Response:
        return await handle_call(state, world, request)

    async def not_found(request: Request) -> Response:
        await _drain(request)
        return error_response(NOT_FOUND)

    return Starlette(
        routes=[
            Route("/bot{token}/{method}", call, methods=["GET", "POST"]),
            Route("/{path:path}", not_found, methods=ALL_METHODS),
        ]
    )
