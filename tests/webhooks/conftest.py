from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.api import Api, start_api

# The one internal receiver these installs may reach, over plain http.
ALLOWED = "127.0.0.1:18765"
URL = f"http://{ALLOWED}/hooks"


@pytest.fixture
def hooks_api(tmp_path: Path, database_url: str) -> Iterator[Api]:
    """The API and pages, allowed to register webhooks at URL."""
    yield from start_api(tmp_path, database_url, None, allowed_internal_hosts=ALLOWED)
