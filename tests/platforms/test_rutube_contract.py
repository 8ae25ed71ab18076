"""The Rutube provider's assumptions match the emulator's, and its answer classification (no sandbox)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx2
import pytest

from autopost.clips.sources import FileReader
from autopost.platforms.base import Credentials, Provider, PublishRequest, PublishState
from autopost.platforms.catalog import LIMITS, Platform
from autopost.platforms.errors import Permanent, RateLimited, Transient
from autopost.platforms.media import ClipSource
from autopost.platforms.rutube import RutubeProvider, wire
from autopost.platforms.rutube.answers import classify
from autopost.platforms.rutube.outcome import FAILURES, result_of
from autopost.settings import RutubeSettings
from autopost_sandbox.rutube import multipass, protocol
from autopost_sandbox.tus import BROWSER_UA_MARK
from tests.platforms.rendered import text_of


def test_provider_and_emulator_make_the_same_assumptions() -> None:
    limits = LIMITS[Platform.RUTUBE]
    caps = RutubeProvider(RutubeSettings()).capabilities
    assert (caps.title_max, caps.description_max) == (protocol.TITLE_MAX, protocol.DESCRIPTION_MAX)
    assert (limits.title_max, limits.description_max) == (protocol.TITLE_MAX, protocol.DESCRIPTION_MAX)
    assert caps.max_bytes == limits.max_bytes == protocol.DOWNLOAD_MAX_BYTES
    assert wire.DEFAULT_CATEGORY == protocol.DEFAULT_CATEGORY in protocol.CATEGORIES
    assert wire.TIME_FORMAT == protocol.TIME_FORMAT and wire.MOSCOW == protocol.MOSCOW
    assert protocol.LOGIN_REFUSED.startswith(wire.LOGIN_REFUSED_PREFIX)
    reasons = set(protocol.ACTION_REASONS)
    assert reasons >= wire.IN_PROGRESS_REASONS
    assert set(FAILURES) == reasons - wire.IN_PROGRESS_REASONS
    assert wire.public_url("abc") == protocol.video_url("abc")
    assert wire.MULTIPASS_TOKEN == multipass.ENDPOINT and wire.REFRESH_COOKIE == multipass.REFRESH_COOKIE
    assert wire.BROWSER_HEADERS["User-Agent"].startswith(BROWSER_UA_MARK)


def test_the_provider_satisfies_the_protocol_and_uploads_directly_by_default() -> None:
    provider: Provider = RutubeProvider(RutubeSettings())
    assert not provider.capabilities.upload_by_url and provider.capabilities.needs_processing
    assert RutubeProvider(RutubeSettings(upload="url")).capabilities.upload_by_url


def answer(status: int, body: Any = None, *, html: str | None = None, **headers: str) -> httpx2.Response:
    if html is not None:
        return httpx2.Response(status, text=html, headers={"content-type": "text/html", **headers})
    return httpx2.Response(status, json=body, headers=headers)


@pytest.mark.parametrize("status", [200, 502])
def test_html_pages_are_transient(status: int) -> None:
    with pytest.raises(Transient) as caught:
        classify(answer(status, html="<html><h1>502 Bad Gateway</h1></html>"))
    assert caught.value.code == "rutube.server_error"


def test_throttle_without_retry_after_reads_drfs_text() -> None:
    body = {"detail": "Request was throttled. Expected available in 4 seconds."}
    with pytest.raises(RateLimited) as caught:
        classify(answer(429, body))
    assert caught.value.retry_after == 4


def test_forbidden_and_other_refusals_are_permanent() -> None:
    with pytest.raises(Permanent) as forbidden:
        classify(answer(403, {"detail": protocol.FORBIDDEN}))
    with pytest.raises(Permanent) as unsupported:
        classify(answer(415, {"detail": "Unsupported media type"}))
    assert (forbidden.value.code, unsupported.value.code) == ("rutube.forbidden", "rutube.rejected")


def test_of_several_field_errors_the_first_of_ours_is_named_and_all_are_logged() -> None:
    body = {"title": ["Слишком длинно."], "category_id": [protocol.BAD_CATEGORY]}
    with pytest.raises(Permanent) as caught:
        classify(answer(400, body))
    assert (caught.value.code, caught.value.params) == (
        "rutube.bad_field.title",
        {"reason": "Слишком длинно."},
    )
    assert text_of(caught.value) == "Rutube отклонил запрос: название — Слишком длинно."
    assert "title — Слишком длинно.; category_id — Категория не найдена." in caught.value.detail


def test_a_refusal_naming_no_field_of_ours_shows_rutubes_words() -> None:
    with pytest.raises(Permanent) as caught:
        classify(answer(400, {"tags": ["Слишком много тегов."]}))
    assert caught.value.code == "rutube.bad_request"
    assert text_of(caught.value) == "Rutube отклонил запрос: tags — Слишком много тегов."


@pytest.mark.parametrize(
    ("video", "state"),
    [
        ({"status": "ready", "action_reason": None}, PublishState.PUBLISHED),
        ({"action_reason": None}, PublishState.PUBLISHED),  # no ASSUMED status: nothing pending
        ({"status": "moderation", "action_reason": {"name": "moderation"}}, PublishState.PROCESSING),
        ({"action_reason": {"name": "downloading_video"}}, PublishState.PROCESSING),
        ({"status": "downloading", "action_reason": None}, PublishState.PROCESSING),
    ],
)
def test_video_states(video: dict[str, Any], state: PublishState) -> None:
    assert result_of(video, {"remote_id": "v1"}).state is state


def test_an_unknown_failure_reason_does_not_become_a_code() -> None:
    with pytest.raises(Permanent) as caught:
        result_of({"status": "error", "action_reason": {"name": "copyright_strike"}}, {"remote_id": "v1"})
    assert caught.value.code == "rutube.video_rejected" and "copyright_strike" in text_of(caught.value)


async def test_an_import_by_url_without_media_url_is_refused_before_sending() -> None:
    calls: list[httpx2.Request] = []

    def record(request: httpx2.Request) -> httpx2.Response:
        calls.append(request)
        return httpx2.Response(500)

    settings = RutubeSettings(api_url="http://rutube.test", token_limit="1000/second", upload="url")
    rutube = RutubeProvider(settings, transport=httpx2.MockTransport(record))
    request = PublishRequest(
        credentials=Credentials(access_token="t" * 40),
        clip=ClipSource(reader=FileReader(Path("/nonexistent")), size=10),
        title="Клип",
        description="",
    )
    with pytest.raises(Permanent) as caught:
        await rutube.publish(request=request)
    assert caught.value.code == "rutube.no_media_url" and calls == []
