"""Loopback servers: an ASGI app in a background thread, or a process awaited until it answers."""

from __future__ import annotations

import contextlib
import os
import random
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import httpx2
import uvicorn
from starlette.types import ASGIApp


def free_port() -> int:
    """A free loopback port below the kernel's ephemeral range, from this process's share of it.

    A port is often bound a while after it is picked (a public URL served later, a process that
    has to start, a server started again on it). The kernel never hands such a port out itself
    (bind to port 0, an outgoing connection's source port), parallel pytest-xdist workers take
    disjoint shares, and a process walks its share in order, so nothing else takes it meanwhile.
    """
    with _PORTS.lock:
        while True:
            port = _PORTS.first + (_PORTS.offset + _PORTS.taken) % _PORTS.size
            _PORTS.taken += 1
            with socket.socket() as sock:
                try:
                    sock.bind(("127.0.0.1", port))
                except OSError:
                    continue
            return port


class _Share:
    def __init__(self) -> None:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
        bottom = max(1024, low // 2)
        worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
        workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
        self.size = (low - bottom) // workers
        self.first = bottom + int(worker or 0) % workers * self.size
        self.offset = random.randrange(self.size)  # two test runs side by side rarely meet
        self.taken = 0
        self.lock = threading.Lock()


_PORTS = _Share()


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1].split("/", 1)[0])


@contextlib.contextmanager
def serve_in_thread(
    app: ASGIApp, port: int, *, lifespan: Literal["on", "off", "auto"] = "off"
) -> Iterator[str]:
    """Serve `app` on 127.0.0.1:port until the block ends; yields the base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan=lifespan)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def wait_http(url: str, process: subprocess.Popen[bytes], log: Path | None, timeout: float = 60) -> None:
    """Block until GET `url` answers 200; fails early (with the log's end) if the process exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the process exited with {process.returncode}\n{tail(log)}")
        with contextlib.suppress(httpx2.HTTPError):
            if httpx2.get(url, timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{url} not ready within {timeout} s\n{tail(log)}")


def tail(log: Path | None, lines: int = 30) -> str:
    if log is None:
        return ""
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
