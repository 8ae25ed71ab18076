"""Stats collection against the sandbox, on a database of the test's own.

schedule_stats looks at every publication in the database: on the session's shared one it
would also find other tests' publications, so each stats test migrates a fresh database.
Every provider gets one recording transport, so the test sees each HTTP request they make.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from autopost.migrations import runner
from tests.conftest import Sandbox
from tests.platforms.test_vk_support import Recording
from tests.support.stack import Stack, make_stack

REFRESH_HOURS = 5


@pytest.fixture
async def stats_stack(
    tmp_path: Path, fresh_database_url: str, sandbox: Sandbox, stack_clip_file: Path
) -> AsyncIterator[Stack]:
    await runner.upgrade_async(fresh_database_url)
    stack = await make_stack(
        tmp_path,
        fresh_database_url,
        sandbox,
        stack_clip_file,
        transport=Recording(),
        stats_refresh_hours=REFRESH_HOURS,
    )
    try:
        yield stack
    finally:
        await stack.close()
