"""Fixtures shared by every test package."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx2
import pytest

from autopost_sandbox.core import SandboxState
from autopost_testing.sandbox import serve_sandbox

# Fixtures shared by every package: databases (PostgreSQL + SQLite) and the engine under test.
pytest_plugins = [
    "tests.support.databases",
    "tests.support.engine",
    # Before api, which sends the apps' mail to its server.
    "tests.support.mail",
    "tests.support.api",
    "tests.support.stack",
]

# Under pytest-xdist (scripts/test: `-n N`) each worker has its own session: its own databases,
# sandbox, Redis namespaces, ports and temp dirs. Tests sharing a costly session resource go to one
# worker as one unit, so it is made once: the browser tests' one Chromium. (xdist's own
# `--dist loadgroup` cannot do it on pytest 9: it renames items through a node id pytest no
# longer reads.)
XDIST_GROUPS = {"tests/web/browser/": "browser"}


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """For `--dist load` (what -n gives): each test a unit of its own, but a group one unit, sent first."""
    if config.getoption("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return next((g for prefix, g in XDIST_GROUPS.items() if nodeid.startswith(prefix)), nodeid)

    return GroupScheduling(config, log)


@dataclass
class Sandbox:
    """A running sandbox: its base URL and its in-process state (prefer the control API)."""

    url: str
    state: SandboxState

    def control(self) -> httpx2.Client:
        return httpx2.Client(base_url=f"{self.url}/_sandbox", timeout=10)


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[Sandbox]:
    with serve_sandbox() as served:
        yield Sandbox(url=served.url, state=served.state)


@pytest.fixture
def sandbox(sandbox_server: Sandbox) -> Iterator[Sandbox]:
    """The shared sandbox, reset to its seeded accounts and default switches for each test."""
    with sandbox_server.control() as control:
        control.post("/reset").raise_for_status()
        control.post(
            "/config",
            json={
                "vk_clips_access": False,
                "vk_web_token_seconds": 300.0,
                "vk_clip_upload_answer": "json",
                "telegram_local_server": False,
                "processing_seconds": 0.2,
                "enforce_rate_limits": True,
                "vk_video_save_daily_quota": 5000,
            },
        ).raise_for_status()
    yield sandbox_server
