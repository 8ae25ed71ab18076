"""One app per test module (per database): each test makes users of its own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.api import Api, start_api


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[Api]:
    yield from start_api(tmp_path_factory.mktemp("templates"), database_url, None)
