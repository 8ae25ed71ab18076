"""Rutube's import by URL through the engine: Rutube downloads the clip from our public URL and
calls our callback_url when done, which wakes the publication's poll at once."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest

from autopost.platforms.catalog import Platform
from autopost.publications.callbacks import callback_url, verify_callback
from autopost.settings import RutubeSettings, Settings
from tests.publications.checks import assert_published_once
from tests.support.stack import StackFactory


async def test_an_import_by_url_publishes_and_its_callback_wakes_the_poll(
    stack_factory: StackFactory,
) -> None:
    # Polls an hour apart: only the callback can make the publication finish within the test.
    stack = await stack_factory(rutube=RutubeSettings(upload="url"), processing_poll_seconds=3600)
    rutube = await stack.connect(Platform.RUTUBE)
    await stack.start_worker()
    started = time.monotonic()
    [publication_id] = await stack.publish(rutube)

    publication = await stack.wait_for(publication_id, timeout=30)

    post = await assert_published_once(stack, publication)
    assert time.monotonic() - started < 30
    assert post["extra"]["source_url"].startswith(f"{stack.settings.public_url}/media/")
    callback = post["extra"]["callback"]
    assert callback["url"].startswith(f"{stack.settings.public_url}/hooks/platform/")
    assert callback["status_code"] == 204
    assert "hooks" not in str(publication.checkpoint), "the callback URL stays out of checkpoints"


@pytest.fixture
def stack_settings(tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None, data_dir=tmp_path, secret_key="s" * 40, public_url="https://autopost.example"
    )


def test_a_callback_token_is_refused_when_forged_or_expired(stack_settings: Settings) -> None:
    publication_id = uuid.uuid4()
    token = callback_url(stack_settings, publication_id).rsplit("/", 1)[1]
    id_hex, expires, signature = token.split(".")

    assert verify_callback(stack_settings, token) == publication_id
    assert verify_callback(stack_settings, f"{uuid.uuid4().hex}.{expires}.{signature}") is None
    assert verify_callback(stack_settings, f"{id_hex}.{int(expires) + 1}.{signature}") is None
    assert verify_callback(stack_settings, token, now=int(expires) + 1) is None
    assert verify_callback(stack_settings, "not-a-token") is None
