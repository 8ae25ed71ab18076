"""Fixtures shared by the Rutube provider tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import Sandbox
from tests.platforms.rutube_support import ClipServer, no_throttle, serve_clip


@pytest.fixture(scope="module")
def rutube_clips(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClipServer]:
    """A local server Rutube's downloader fetches the clip from (with Range)."""
    with serve_clip(tmp_path_factory.mktemp("rutube")) as server:
        yield server


@pytest.fixture
def rutube_world(sandbox: Sandbox, rutube_clips: ClipServer) -> Sandbox:
    """The sandbox with Rutube's throttle off and the clip server's request log cleared."""
    rutube_clips.requests.clear()
    no_throttle(sandbox)
    return sandbox
