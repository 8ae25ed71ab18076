"""Connecting a channel: verify() with good and bad bots, tokens and channel names."""

from __future__ import annotations

import httpx2
import pytest

from autopost.platforms.base import StatsSupport
from autopost.platforms.catalog import MB
from autopost.platforms.errors import AuthExpired, Permanent, RateLimited, Transient
from autopost.platforms.telegram import TelegramProvider
from autopost.platforms.telegram.upload import channel_ref
from autopost.settings import TelegramSettings
from tests.conftest import Sandbox
from tests.platforms.rendered import text_of
from tests.platforms.telegram_support import (
    ADMIN,
    MEMBER,
    NEVER_ISSUED,
    OTHER,
    PRIVATE_ID,
    PUBLIC_ID,
    credentials,
    inject,
    provider,
)


async def test_public_channel(sandbox: Sandbox) -> None:
    account = await provider(sandbox).verify(credentials=credentials(channel="@ClipMaker_Demo"))
    assert account.account_id == str(PUBLIC_ID)
    assert account.name
    assert dict(account.meta) == {
        "channel_username": "clipmaker_demo",
        "chat_id": PUBLIC_ID,
        "bot_username": "clipmaker_demo_bot",
    }


async def test_private_channel_by_id(sandbox: Sandbox) -> None:
    account = await provider(sandbox).verify(credentials=credentials(channel=str(PRIVATE_ID)))
    assert account.account_id == str(PRIVATE_ID)
    assert account.meta["channel_username"] is None and account.meta["chat_id"] == PRIVATE_ID


@pytest.mark.parametrize(
    ("token", "channel", "code", "message"),
    [
        (MEMBER, "@clipmaker_demo", "telegram.not_admin", "Бот не является админом канала"),
        (ADMIN, OTHER, "telegram.not_member", "Бот не добавлен в канал"),
        (
            NEVER_ISSUED,
            "@clipmaker_demo",
            "telegram.bad_token",
            "Неверный токен бота: возьмите его у @BotFather",
        ),
        (
            "not-a-token",
            "@clipmaker_demo",
            "telegram.bad_token",
            "Неверный токен бота: возьмите его у @BotFather",
        ),
        (ADMIN, "@no_such_channel", "telegram.chat_not_found", "Канал не найден: проверьте @имя или -100…"),
        (ADMIN, "-1009999999999", "telegram.chat_not_found", "Канал не найден: проверьте @имя или -100…"),
        (MEMBER, str(PRIVATE_ID), "telegram.chat_not_found", "Канал не найден: проверьте @имя или -100…"),
        (ADMIN, "моя группа", "telegram.chat_not_found", "Канал не найден: проверьте @имя или -100…"),
    ],
)
async def test_refused_connections_say_why(
    sandbox: Sandbox, token: str, channel: str, code: str, message: str
) -> None:
    with pytest.raises(Permanent) as caught:
        await provider(sandbox).verify(credentials=credentials(token, channel))
    assert (caught.value.code, text_of(caught.value)) == (code, message)
    assert token not in str(caught.value) + caught.value.detail


async def test_revoked_token_while_connecting_is_a_bad_token(sandbox: Sandbox) -> None:
    inject(sandbox, "token_expired", on="getChatMember")
    with pytest.raises(Permanent) as caught:
        await provider(sandbox).verify(credentials=credentials())
    assert caught.value.code == "telegram.bad_token"


async def test_rate_limit_while_connecting(sandbox: Sandbox) -> None:
    inject(sandbox, "rate_limit", on="getMe", retry_after=9)
    with pytest.raises(RateLimited) as caught:
        await provider(sandbox).verify(credentials=credentials())
    assert caught.value.retry_after == 9


async def test_unreachable_api_is_transient() -> None:
    def refuse(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("refused", request=request)

    telegram = TelegramProvider(TelegramSettings(), transport=httpx2.MockTransport(refuse))
    with pytest.raises(Transient) as caught:
        await telegram.verify(credentials=credentials())
    assert ADMIN not in f"{caught.value!r} {caught.value.detail}"
    # The transport saw the real token; everything printable saw it masked.
    cause = caught.value.__cause__
    assert isinstance(cause, httpx2.ConnectError) and ADMIN not in str(cause.request.url)


async def test_bot_tokens_do_not_refresh(sandbox: Sandbox) -> None:
    with pytest.raises(AuthExpired) as caught:
        await provider(sandbox).refresh(credentials=credentials())
    assert caught.value.code == "telegram.no_refresh"


def test_capabilities_follow_the_server_kind() -> None:
    cloud = TelegramProvider(TelegramSettings()).capabilities
    local = TelegramProvider(TelegramSettings(local_server=True)).capabilities
    assert (cloud.max_bytes, local.max_bytes) == (50 * MB, 2000 * MB) == (50_000_000, 2_000_000_000)
    assert cloud.stats is StatsSupport.PUBLIC_ONLY
    assert not (cloud.oauth or cloud.upload_by_url or cloud.needs_processing)
    assert (cloud.title_max, cloud.description_max) == (None, 1024)


@pytest.mark.parametrize(
    ("typed", "ref"),
    [
        ("@clipmaker_demo", "@clipmaker_demo"),
        (" clipmaker_demo ", "@clipmaker_demo"),
        ("https://t.me/clipmaker_demo", "@clipmaker_demo"),
        ("t.me/s/clipmaker_demo/", "@clipmaker_demo"),
        ("-1001000000002", "-1001000000002"),
    ],
)
def test_channel_as_typed(typed: str, ref: str) -> None:
    assert channel_ref(typed) == ref
