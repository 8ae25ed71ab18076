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
    "tests.support.api",
    "tests.support.stack",
]

# Under pytest-xdist (scripts/test: `--dist loadgroup`) each worker has its own session: its own
# databases, sandbox, Redis namespaces, ports and temp dirs. Tests that share a costly session
# resource run on one worker, so it is made once: the browser tests' one Chromium.
XDIST_GROUPS = {"tests/web/browser/": "browser"}


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the marks
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for prefix, group in XDIST_GROUPS.items():
            if item.nodeid.startswith(prefix):
                item.add_marker(pytest.mark.xdist_group(group))


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
            },
        ).raise_for_status()
    yield sandbox_server
