"""The sandbox as its own process, for benchmarks that measure it or talk to it over loopback."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_sandbox(port: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "uvicorn", "--factory", "autopost_sandbox.app:create_app",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
    ]  # fmt: skip
    process = subprocess.Popen(command)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"sandbox exited with {process.returncode}")
        try:
            httpx2.get(f"http://127.0.0.1:{port}/_sandbox/state", timeout=1).raise_for_status()
            return process
        except httpx2.TransportError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("sandbox did not start within 30 s")
