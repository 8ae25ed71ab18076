"""One app per test module (per database): page tests only add users of their own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.api import Api, start_api


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[Api]:
    yield from start_api(tmp_path_factory.mktemp("web"), database_url, None)
