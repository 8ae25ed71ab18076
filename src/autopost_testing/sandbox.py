"""The platform sandbox for a test world: in a thread of this process, or as a process of its own.

`python -m autopost_testing.sandbox --port N` is the process form: the sandbox alone (no
autopost imported), its public URL on that port, logging warnings only.
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2

from autopost_sandbox.core import SandboxConfig, SandboxState
from autopost_testing.servers import free_port, serve_in_thread, wait_http

# What the tests and the screenshots run: seeded randomness, quick "processing" of uploads.
TEST_SEED = 1
TEST_PROCESSING_SECONDS = 0.2


@dataclass
class ThreadSandbox:
    """A sandbox served from this process: its URL and its in-process state."""

    url: str
    state: SandboxState


@contextlib.contextmanager
def serve_sandbox(port: int | None = None) -> Iterator[ThreadSandbox]:
    """The sandbox in a background thread (seed 1, 0.2 s processing) until the block ends."""
    from autopost_sandbox.app import create_app

    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app(
        SandboxConfig(public_url=url, processing_seconds=TEST_PROCESSING_SECONDS), seed=TEST_SEED
    )
    with serve_in_thread(app, port):
        yield ThreadSandbox(url=url, state=app.state.sandbox)


def spawn_sandbox(port: int, *, log: Path | None = None) -> subprocess.Popen[bytes]:
    """The sandbox as its own process (default config, unseeded), answering once this returns."""
    command = [sys.executable, "-m", "autopost_testing.sandbox", "--port", str(port)]
    with contextlib.ExitStack() as files:
        output = files.enter_context(log.open("ab")) if log is not None else None
        process = subprocess.Popen(
            command,
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
            start_new_session=True,  # Ctrl-C reaches the caller only; it stops the sandbox
        )
    try:
        wait_http(f"http://127.0.0.1:{port}/_sandbox/state", process, log, timeout=30)
    except RuntimeError:
        process.terminate()
        raise
    return process


def stop_process(process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class SandboxControl:
    """The sandbox's control API (/_sandbox): state, config, faults, clock, reset."""

    def __init__(self, url: str) -> None:
        self.url = url

    async def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        async with httpx2.AsyncClient(base_url=f"{self.url}/_sandbox", timeout=60) as control:
            response = await control.request(method, path, json=body)
        response.raise_for_status()
        return response.json()

    async def state(self) -> dict[str, Any]:
        """Posts, active faults (with their hits), config and clock."""
        state: dict[str, Any] = await self.call("GET", "/state")
        return state

    async def posts(self, platform: str | None = None) -> list[dict[str, Any]]:
        posts: list[dict[str, Any]] = (await self.state())["posts"]
        return [p for p in posts if platform is None or p["platform"] == platform]

    async def seed_accounts(self, platform: str, count: int) -> list[dict[str, Any]]:
        """N new accounts of the platform (POST /accounts), each with its `credentials`, until reset."""
        made: list[dict[str, Any]] = await self.call(
            "POST", "/accounts", {"platform": platform, "count": count}
        )
        return made

    async def config(self, **values: Any) -> None:
        await self.call("POST", "/config", values)

    async def fault(self, **fault: Any) -> None:
        """One fault: platform, fault, and optionally count or rate, on, retry_after, delay."""
        await self.call("POST", "/faults", fault)

    async def clear_faults(self) -> None:
        await self.call("DELETE", "/faults")

    async def advance(self, seconds: float) -> None:
        """Move the sandbox's clock (counters grow with it)."""
        await self.call("POST", "/clock", {"advance": seconds})


def main() -> None:
    import uvicorn

    from autopost_sandbox.app import create_app

    parser = argparse.ArgumentParser(description="Serve the platform sandbox on 127.0.0.1.")
    parser.add_argument("--port", type=int, required=True)
    port = parser.parse_args().port
    app = create_app(SandboxConfig(public_url=f"http://127.0.0.1:{port}"))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
