"""The operator puts a workspace on a plan from the command line (there is no billing yet)."""

import asyncio
from pathlib import Path

from sqlalchemy import select

from autopost.db import make_engine
from autopost.security.vault import generate_key
from autopost.workspaces.models import Workspace
from tests.cli.test_cli import _autopost, _env


async def _plans(url: str) -> list[tuple[str, str]]:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(select(Workspace.id, Workspace.name, Workspace.plan))
            return [(str(row.id), f"{row.name}:{row.plan.value}") for row in rows]
    finally:
        await engine.dispose()


def test_set_plan_changes_one_workspace(fresh_database_url: str, tmp_path: Path) -> None:
    env = _env(fresh_database_url, tmp_path, generate_key())
    assert _autopost(["migrate"], env).returncode == 0
    assert _autopost(["users", "create", "anna@example.com"], env).returncode == 0
    [(workspace_id, before)] = asyncio.run(_plans(fresh_database_url))
    assert before == "anna@example.com:free"
    done = _autopost(["workspaces", "set-plan", workspace_id, "business"], env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Workspace anna@example.com is on the Business plan."
    assert asyncio.run(_plans(fresh_database_url)) == [(workspace_id, "anna@example.com:business")]
    missing = _autopost(["workspaces", "set-plan", "not-an-id", "pro"], env)
    assert missing.returncode == 1 and missing.stderr.strip() == "Not found"
