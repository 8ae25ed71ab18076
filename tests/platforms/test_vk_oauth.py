"""VK ID through VkOAuth and VkProvider against the sandbox: consent, exchange, refresh rotation, verify."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from autopost.platforms.base import Credentials
from autopost.platforms.errors import AuthExpired, Permanent, RateLimited, Transient
from autopost.platforms.vk import VkOAuth, VkProvider
from tests.conftest import Sandbox
from tests.platforms.rendered import text_of
from tests.platforms.test_vk_support import (
    ADMIN_COMMUNITY,
    ANNA,
    HANG,
    READER_COMMUNITY,
    SHORT_TIMEOUT,
    connect,
    vk_settings,
)
from tests.sandbox.test_vk_support import REDIRECT_URI, Vk

pytest_plugins = ["tests.platforms.test_vk_support"]


@pytest.fixture
async def oauth(sandbox: Sandbox) -> AsyncIterator[VkOAuth]:
    client = VkOAuth(vk_settings(sandbox))
    yield client
    await client.aclose()


def credentials(tokens: Credentials) -> Credentials:
    return Credentials(
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        expires_at=tokens.expires_at,
        meta=tokens.meta,
    )


async def test_connect_through_vk_id(oauth: VkOAuth, vk: Vk) -> None:
    connected = await connect(oauth, vk)
    query = {k: v[0] for k, v in parse_qs(urlsplit(connected["url"]).query).items()}
    challenge = base64.urlsafe_b64encode(hashlib.sha256(connected["verifier"].encode()).digest()).rstrip(b"=")
    assert query["response_type"] == "code" and query["client_id"] == "51900001"
    assert query["scope"] == "vkid.personal_info video wall groups"
    assert (query["code_challenge_method"], query["code_challenge"]) == ("s256", challenge.decode())
    assert query["redirect_uri"] == REDIRECT_URI and "code_verifier" not in query
    assert "Анна Смирнова" in connected["page"]

    tokens, account = connected["tokens"], connected["account"]
    assert tokens.meta == {"device_id": connected["redirect"]["device_id"], "user_id": 1001}
    assert tokens.access_token and tokens.refresh_token and tokens.access_token != tokens.refresh_token
    assert tokens.expires_at is not None
    assert timedelta(minutes=59) < tokens.expires_at - datetime.now(UTC) <= timedelta(hours=1)
    assert (account.account_id, account.name) == ("1001", "Анна Смирнова")
    assert account.avatar_url == f"{vk.url}/vk/images/u1001_200.svg"
    assert account.meta["communities"] == [
        {"id": 2001, "name": "Курсы монтажа", "avatar": f"{vk.url}/vk/images/g2001_200.svg"}
    ]


async def test_refresh_rotates_both_tokens_and_spends_the_old_one(
    oauth: VkOAuth, vk_provider: VkProvider, vk: Vk
) -> None:
    first = credentials((await connect(oauth, vk))["tokens"])
    renewed = await vk_provider.refresh(credentials=first)
    assert renewed.access_token != first.access_token and renewed.refresh_token != first.refresh_token
    assert renewed.meta == first.meta
    assert (await vk_provider.verify(credentials=credentials(renewed))).account_id == "1001"

    with pytest.raises(AuthExpired) as spent:
        await vk_provider.refresh(credentials=first)
    assert spent.value.code == "vk.refresh_refused" and "переподключите VK" in text_of(spent.value)
    # The renewed pair still refreshes: a refused refresh changes nothing.
    assert (await vk_provider.refresh(credentials=credentials(renewed))).refresh_token


async def test_an_expired_token_is_auth_expired_and_refresh_recovers(
    oauth: VkOAuth, vk_provider: VkProvider, vk: Vk
) -> None:
    first = credentials((await connect(oauth, vk))["tokens"])
    vk.advance(3700)
    with pytest.raises(AuthExpired) as expired:
        await vk_provider.verify(credentials=first)
    assert expired.value.code == "vk.token_expired"
    assert first.access_token not in str(expired.value) and first.access_token not in expired.value.detail
    renewed = credentials(await vk_provider.refresh(credentials=first))
    assert (await vk_provider.verify(credentials=renewed)).name == "Анна Смирнова"


async def test_refresh_needs_the_device_of_the_login(oauth: VkOAuth, vk_provider: VkProvider, vk: Vk) -> None:
    tokens = credentials((await connect(oauth, vk))["tokens"])
    elsewhere = Credentials(tokens.access_token, tokens.refresh_token, meta={"device_id": "another"})
    with pytest.raises(AuthExpired):
        await vk_provider.refresh(credentials=elsewhere)
    with pytest.raises(AuthExpired):
        await vk_provider.refresh(credentials=Credentials(tokens.access_token, tokens.refresh_token))
    assert (await vk_provider.refresh(credentials=tokens)).access_token


async def test_a_code_works_once(oauth: VkOAuth, vk: Vk) -> None:
    connected = await connect(oauth, vk)
    redirect = connected["redirect"]
    with pytest.raises(Permanent) as refused:
        await oauth.exchange(
            code=redirect["code"],
            code_verifier="a" * 50,
            redirect_uri=REDIRECT_URI,
            device_id=redirect["device_id"],
        )
    assert refused.value.code == "vk.code_refused"


async def test_an_app_without_video_access_is_refused_at_connect(sandbox: Sandbox, vk: Vk) -> None:
    unreviewed = VkOAuth(vk_settings(sandbox, client_id="51900002"))
    try:
        with pytest.raises(Permanent) as refused:
            await connect(unreviewed, vk)
    finally:
        await unreviewed.aclose()
    assert refused.value.code == "vk.scope_missing" and "поддержке VK" in text_of(refused.value)


async def test_vk_id_server_error_is_transient_and_spends_nothing(
    oauth: VkOAuth, vk_provider: VkProvider, vk: Vk
) -> None:
    tokens = credentials((await connect(oauth, vk))["tokens"])
    vk.fault("server_error", on="oauth2/auth")
    with pytest.raises(Transient) as failed:
        await vk_provider.refresh(credentials=tokens)
    assert failed.value.code == "vk.id_unavailable"
    assert (await vk_provider.refresh(credentials=tokens)).access_token


async def test_a_throttled_refresh_is_rate_limited_and_spends_nothing(
    oauth: VkOAuth, vk_provider: VkProvider, vk: Vk
) -> None:
    tokens = credentials((await connect(oauth, vk))["tokens"])
    vk.fault("rate_limit", on="oauth2/auth", retry_after=6)
    with pytest.raises(RateLimited) as throttled:
        await vk_provider.refresh(credentials=tokens)
    assert (throttled.value.code, throttled.value.retry_after) == ("vk.id_rate_limited", 6.0)
    assert text_of(throttled.value) == "VK ID просит подождать, повторим позже"
    assert (await vk_provider.refresh(credentials=tokens)).access_token


async def test_a_lost_refresh_answer_needs_reconnect(oauth: VkOAuth, sandbox: Sandbox, vk: Vk) -> None:
    tokens = credentials((await connect(oauth, vk))["tokens"])
    impatient = VkProvider(vk_settings(sandbox), timeout=SHORT_TIMEOUT)
    vk.fault("timeout", on="oauth2/auth", **HANG)
    try:
        with pytest.raises(AuthExpired) as lost:
            await impatient.refresh(credentials=tokens)
    finally:
        await impatient.aclose()
    # VK ID did rotate: the old refresh token is spent, so only reconnecting helps.
    assert lost.value.code == "vk.refresh_lost"


async def test_verify_own_page_and_communities(vk_provider: VkProvider) -> None:
    anna = await vk_provider.verify(credentials=ANNA)
    assert (anna.account_id, anna.name) == ("1001", "Анна Смирнова")
    community = await vk_provider.verify(credentials=ADMIN_COMMUNITY)
    assert (community.account_id, community.name) == ("-2001", "Курсы монтажа")
    assert community.meta["user_id"] == 1001
    with pytest.raises(Permanent) as refused:
        await vk_provider.verify(credentials=READER_COMMUNITY)
    assert text_of(refused.value) == "Нет прав на публикацию в сообществе"


async def test_verify_refuses_a_bad_token(vk_provider: VkProvider) -> None:
    with pytest.raises(AuthExpired) as refused:
        await vk_provider.verify(credentials=Credentials(access_token="vk1.a.made-up"))
    assert refused.value.code == "vk.token_expired" and "made-up" not in str(refused.value)
