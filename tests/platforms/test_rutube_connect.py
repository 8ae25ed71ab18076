"""Connecting a Rutube account (password exchange, pasted token) and collecting stats."""

from __future__ import annotations

import asyncio

import httpx2
import pytest

from autopost.platforms.base import Counters
from autopost.platforms.errors import AuthExpired, Permanent, Transient
from autopost.platforms.rutube import exchange_password
from autopost.settings import RutubeSettings
from tests.conftest import Sandbox
from tests.platforms.rendered import text_of
from tests.platforms.rutube_support import (
    CLASSIC,
    MODERN,
    ClipServer,
    Saved,
    api,
    control,
    credentials,
    fault,
    provider,
    publish_request,
    until_done,
)


def settings(sandbox: Sandbox) -> RutubeSettings:
    return RutubeSettings(api_url=f"{sandbox.url}/rutube")


class CountingTransport(httpx2.AsyncHTTPTransport):
    """The real network, counting the calls that go out."""

    def __init__(self) -> None:
        super().__init__()
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        self.paths.append(request.url.path)
        return await super().handle_async_request(request)


async def test_password_exchange_returns_the_accounts_token(rutube_world: Sandbox) -> None:
    token = await exchange_password(settings(rutube_world), CLASSIC.username, CLASSIC.password)
    assert token == CLASSIC.token


@pytest.mark.parametrize(
    ("username", "password"), [(MODERN.username, MODERN.password), (CLASSIC.username, "x")]
)
async def test_refused_login_tells_the_user_to_paste_a_token(
    rutube_world: Sandbox, username: str, password: str
) -> None:
    with pytest.raises(Permanent) as caught:
        await exchange_password(settings(rutube_world), username, password)

    assert caught.value.code == "rutube.login_refused"
    assert "токен" in text_of(caught.value) and password not in str(caught.value)


@pytest.mark.parametrize(
    ("username", "password"), [(MODERN.username, MODERN.password), (CLASSIC.username, "x")]
)
async def test_refused_login_names_both_causes_rutube_does_not_tell_apart(
    rutube_world: Sandbox, username: str, password: str
) -> None:
    """Rutube answers a wrong password and a password-less account alike: the text says both."""
    with pytest.raises(Permanent) as caught:
        await exchange_password(settings(rutube_world), username, password)

    text = text_of(caught.value)
    assert "пароль неверный" in text
    assert all(way in text for way in ("VK ID", "Госуслуги", "по номеру телефона"))
    assert "новые аккаунты" not in text  # an old account with a mistyped password is not "new"


async def test_missing_password_is_a_field_error(rutube_world: Sandbox) -> None:
    with pytest.raises(Permanent) as caught:
        await exchange_password(settings(rutube_world), CLASSIC.username, "")
    assert text_of(caught.value) == "Rutube отклонил запрос: пароль — Обязательное поле."


async def test_login_outage_is_transient(rutube_world: Sandbox) -> None:
    fault(rutube_world, "server_error", "token_auth")
    with pytest.raises(Transient) as caught:
        await exchange_password(settings(rutube_world), CLASSIC.username, CLASSIC.password)
    assert caught.value.code == "rutube.server_error"


async def test_verify_names_the_account_from_its_videos(
    rutube_world: Sandbox, rutube_clips: ClipServer
) -> None:
    rutube = provider(rutube_world)
    before = await rutube.verify(credentials=credentials())
    assert before.account_id.startswith("token-") and CLASSIC.token not in before.account_id
    assert before.account_id == (await rutube.verify(credentials=credentials())).account_id

    await rutube.publish(request=publish_request(rutube_clips, Saved()))
    after = await rutube.verify(credentials=credentials())

    assert (after.account_id, after.name) == (str(CLASSIC.id), CLASSIC.name)
    assert after.meta["identified_by"] == "video_author"


async def test_pasted_token_of_a_modern_account_works(rutube_world: Sandbox) -> None:
    account = await provider(rutube_world).verify(credentials=credentials(MODERN.token))
    assert account.account_id.startswith("token-")


async def test_verify_refuses_a_bad_token_without_echoing_it(rutube_world: Sandbox) -> None:
    bad = "f" * 40
    with pytest.raises(AuthExpired) as caught:
        await provider(rutube_world).verify(credentials=credentials(bad))
    assert caught.value.code == "rutube.token_invalid"
    assert bad not in f"{caught.value} {caught.value.detail} {text_of(caught.value)}"


async def _ready_videos(rutube_world: Sandbox, rutube_clips: ClipServer, count: int) -> list[str]:
    rutube, ids = provider(rutube_world), []
    for number in range(count):
        result = await rutube.publish(request=publish_request(rutube_clips, Saved(), title=f"Клип {number}"))
        ids.append(str((await until_done(rutube, result)).remote_id))
    control(rutube_world, "/clock", {"advance": 600})  # ten minutes of views
    return ids


async def test_stats_for_many_videos_come_from_one_listing_call(
    rutube_world: Sandbox, rutube_clips: ClipServer
) -> None:
    ids = await _ready_videos(rutube_world, rutube_clips, 3)
    transport = CountingTransport()

    stats = await provider(rutube_world, transport=transport).fetch_stats(
        credentials=credentials(), remote_ids=ids
    )

    assert transport.paths == ["/rutube/api/video/person/"]
    with api(rutube_world) as direct:
        for video_id in ids:
            video = direct.get(f"/video/{video_id}/").json()
            assert stats[video_id] == Counters(views=video["hits"], comments=video["comments_count"])
            assert video["hits"] > 0


async def test_stats_for_one_video_is_one_get_and_deleted_ones_are_skipped(
    rutube_world: Sandbox, rutube_clips: ClipServer
) -> None:
    kept, gone = await _ready_videos(rutube_world, rutube_clips, 2)
    with api(rutube_world) as direct:
        assert direct.delete(f"/video/{gone}").status_code == 204
    transport = CountingTransport()

    stats = await provider(rutube_world, transport=transport).fetch_stats(
        credentials=credentials(), remote_ids=[kept, gone]
    )

    assert set(stats) == {kept} and stats[kept].likes is None and stats[kept].shares is None
    assert sorted(transport.paths) == sorted([f"/rutube/api/video/{kept}/", f"/rutube/api/video/{gone}/"])


async def test_listing_misses_fall_back_to_single_gets(
    rutube_world: Sandbox, rutube_clips: ClipServer
) -> None:
    ids = await _ready_videos(rutube_world, rutube_clips, 2)
    unknown = "0" * 32
    transport = CountingTransport()

    stats = await provider(rutube_world, transport=transport).fetch_stats(
        credentials=credentials(), remote_ids=[*ids, unknown]
    )

    assert set(stats) == set(ids)
    assert transport.paths == ["/rutube/api/video/person/", f"/rutube/api/video/{unknown}/"]


async def test_concurrent_calls_of_one_provider_do_not_cut_each_other_off(sandbox: Sandbox) -> None:
    # Regression: each call's client closed the provider's shared transport on the way out, and
    # the calls still in flight on it lost their connections (rutube.connection_lost).
    with sandbox.control() as client:
        seeded = client.post("/accounts", json={"platform": "rutube", "count": 4}).json()
    rutube = provider(sandbox, token_limit="1/second")  # each round waits for Rutube's throttle
    for _ in range(3):
        answers = await asyncio.gather(
            *(rutube.verify(credentials=credentials(account["credentials"]["token"])) for account in seeded),
            return_exceptions=True,
        )
        assert [type(answer).__name__ for answer in answers] == ["AccountInfo"] * len(seeded)
