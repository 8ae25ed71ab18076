"""Connecting Дзен through Yandex OAuth (sandbox over real HTTP): consent, exchange, refresh, verify."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from pydantic import SecretStr

from autopost.platforms.base import Credentials
from autopost.platforms.dzen import DzenProvider
from autopost.platforms.errors import AuthExpired, Permanent, RateLimited, Transient
from autopost.settings import DzenSettings
from tests.conftest import Sandbox
from tests.platforms.dzen_support import (
    DAY,
    NO_CHANNEL,
    PUBLISHER,
    REDIRECT_URI,
    advance,
    connect,
    consent,
    dzen_settings,
    seeded_credentials,
)
from tests.platforms.rendered import text_of

VERIFIER = "verifier-" + "x" * 50
NOT_PUBLISHER = "У аккаунта нет канала в Дзене или он не одобрен для публикаций"


@pytest.fixture
def provider(sandbox: Sandbox) -> DzenProvider:
    return DzenProvider(dzen_settings(sandbox))


def test_authorize_url_asks_for_a_code_with_pkce_s256(provider: DzenProvider, sandbox: Sandbox) -> None:
    url = provider.oauth.authorize_url(state="st-1", code_verifier=VERIFIER, redirect_uri=REDIRECT_URI)

    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    challenge = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{sandbox.url}/yandex-oauth/authorize"
    assert query == {
        "response_type": "code",
        "client_id": dzen_settings(sandbox).client_id,
        "redirect_uri": REDIRECT_URI,
        "state": "st-1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }


async def test_round_trip_gives_tokens_and_the_publisher_channel(
    provider: DzenProvider, sandbox: Sandbox
) -> None:
    url = provider.oauth.authorize_url(state="st-2", code_verifier=VERIFIER, redirect_uri=REDIRECT_URI)
    callback = await consent(sandbox, url)
    tokens, account = await provider.oauth.exchange(
        code=callback["code"], code_verifier=VERIFIER, redirect_uri=REDIRECT_URI
    )

    assert callback["state"] == "st-2"
    assert tokens.access_token.startswith("y0_")
    assert tokens.refresh_token and tokens.refresh_token.startswith("1:")
    assert tokens.expires_at is not None
    assert abs(tokens.expires_at - (datetime.now(UTC) + timedelta(days=365))) < timedelta(minutes=5)
    assert PUBLISHER.publisher is not None
    assert account.account_id == PUBLISHER.publisher.id
    assert account.name == "Дзен-канал Курсы монтажа"
    assert account.avatar_url == PUBLISHER.publisher.avatar_url
    assert account.meta["yandex_login"] == PUBLISHER.login
    assert account.meta["yandex_uid"] == PUBLISHER.uid
    assert account.meta["yandex_name"] == "Анна Монтажёрова"
    assert tokens.access_token not in repr(tokens)
    verified = await provider.verify(credentials=Credentials(tokens.access_token))
    assert (verified.account_id, verified.name) == (account.account_id, account.name)


async def test_a_user_without_an_approved_channel_is_refused(
    provider: DzenProvider, sandbox: Sandbox
) -> None:
    url = provider.oauth.authorize_url(state="st-3", code_verifier=VERIFIER, redirect_uri=REDIRECT_URI)
    callback = await consent(sandbox, url, uid=NO_CHANNEL.uid)

    with pytest.raises(Permanent) as refused:
        await provider.oauth.exchange(
            code=callback["code"], code_verifier=VERIFIER, redirect_uri=REDIRECT_URI
        )

    assert refused.value.code == "dzen.not_publisher"
    assert text_of(refused.value) == NOT_PUBLISHER


async def test_a_wrong_verifier_or_a_spent_code_is_permanent(
    provider: DzenProvider, sandbox: Sandbox
) -> None:
    url = provider.oauth.authorize_url(state="st-4", code_verifier=VERIFIER, redirect_uri=REDIRECT_URI)
    callback = await consent(sandbox, url)

    with pytest.raises(Permanent) as wrong:
        await provider.oauth.exchange(
            code=callback["code"], code_verifier="another-" + "y" * 50, redirect_uri=REDIRECT_URI
        )
    await provider.oauth.exchange(code=callback["code"], code_verifier=VERIFIER, redirect_uri=REDIRECT_URI)
    with pytest.raises(Permanent) as spent:
        await provider.oauth.exchange(
            code=callback["code"], code_verifier=VERIFIER, redirect_uri=REDIRECT_URI
        )

    assert wrong.value.code == spent.value.code == "dzen.oauth_code"
    assert "Code verifier is not valid" in wrong.value.detail


async def test_a_wrong_client_secret_is_a_configuration_error(sandbox: Sandbox) -> None:
    provider = DzenProvider(dzen_settings(sandbox, client_secret="wrong"))
    url = provider.oauth.authorize_url(state="st-5", code_verifier=VERIFIER, redirect_uri=REDIRECT_URI)
    callback = await consent(sandbox, url)

    with pytest.raises(Permanent) as refused:
        await provider.oauth.exchange(
            code=callback["code"], code_verifier=VERIFIER, redirect_uri=REDIRECT_URI
        )

    assert refused.value.code == "dzen.oauth_client"
    assert "client_secret" in text_of(refused.value)


async def test_refresh_returns_a_new_refresh_token_and_spends_the_old(
    provider: DzenProvider, sandbox: Sandbox
) -> None:
    credentials, _ = await connect(sandbox, provider)

    early = await provider.refresh(credentials=credentials)
    advance(sandbox, 200 * DAY)
    late = await provider.refresh(credentials=Credentials(early.access_token, early.refresh_token))
    with pytest.raises(AuthExpired) as spent:
        await provider.refresh(credentials=credentials)

    # Yandex keeps a token with more than half its life left; the refresh token is always new.
    assert early.access_token == credentials.access_token
    assert early.refresh_token not in (None, credentials.refresh_token)
    assert late.access_token != credentials.access_token
    assert await provider.verify(credentials=Credentials(late.access_token))
    assert spent.value.code == "dzen.refresh_refused"
    assert credentials.refresh_token is not None and credentials.refresh_token not in str(spent.value)


async def test_refresh_after_the_grant_expired_needs_a_reconnect(
    provider: DzenProvider, sandbox: Sandbox
) -> None:
    credentials, _ = await connect(sandbox, provider)
    advance(sandbox, 366 * DAY)

    with pytest.raises(AuthExpired) as expired:
        await provider.refresh(credentials=credentials)
    with pytest.raises(AuthExpired) as no_refresh:
        await provider.refresh(credentials=Credentials(credentials.access_token))

    assert expired.value.code == "dzen.refresh_refused"
    assert "подключите Дзен заново" in text_of(expired.value)
    assert no_refresh.value.code == "dzen.no_refresh_token"


async def test_verify_tells_good_from_bad_credentials(provider: DzenProvider) -> None:
    account = await provider.verify(credentials=seeded_credentials())
    with pytest.raises(Permanent) as no_channel:
        await provider.verify(credentials=seeded_credentials(NO_CHANNEL))
    with pytest.raises(AuthExpired) as unknown:
        await provider.verify(credentials=Credentials("y0_not-a-token"))

    assert PUBLISHER.publisher is not None
    assert account.account_id == PUBLISHER.publisher.id
    assert account.meta["channel_url"] == f"https://dzen.ru/id/{PUBLISHER.publisher.id}"
    assert text_of(no_channel.value) == NOT_PUBLISHER
    assert unknown.value.code == "dzen.token_expired"
    assert "y0_not-a-token" not in str(unknown.value)


@pytest.mark.parametrize("fault", ["rate_limit", "server_error"])
async def test_a_throttled_or_failing_refresh_is_retryable_and_spends_nothing(
    provider: DzenProvider, sandbox: Sandbox, fault: str
) -> None:
    credentials, _ = await connect(sandbox, provider)
    with sandbox.control() as control:
        body = {"platform": "dzen", "fault": fault, "on": "oauth.token", "retry_after": 3}
        control.post("/faults", json=body).raise_for_status()

    with pytest.raises((RateLimited, Transient)) as failed:
        await provider.refresh(credentials=credentials)
    renewed = await provider.refresh(credentials=credentials)

    if fault == "rate_limit":
        assert isinstance(failed.value, RateLimited) and failed.value.retry_after == 3.0
        assert (failed.value.code, text_of(failed.value)) == (
            "dzen.oauth_rate_limited",
            "Яндекс ID просит подождать",
        )
    else:
        assert type(failed.value) is Transient and failed.value.code == "dzen.oauth_unavailable"
    assert renewed.refresh_token not in (None, credentials.refresh_token)


async def test_a_429_with_an_oauth_error_body_is_still_a_rate_limit() -> None:
    """A gateway may word its 429 as an OAuth error; the status decides, not the body."""

    def throttle(request: httpx2.Request) -> httpx2.Response:
        body = {"error": "invalid_grant", "error_description": "slow down"}
        return httpx2.Response(429, json=body, headers={"Retry-After": "8"})

    settings = DzenSettings(
        oauth_url="https://oauth.yandex.test", client_id="app", client_secret=SecretStr("s")
    )
    oauth = DzenProvider(settings, transport=httpx2.MockTransport(throttle)).oauth
    with pytest.raises(RateLimited) as throttled:
        await oauth.refresh(refresh_token="1:refresh")
    assert (throttled.value.code, throttled.value.retry_after) == ("dzen.oauth_rate_limited", 8.0)
