"""HTTP behaviours shared by the emulators: hanging, cutting the connection, demo accounts."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from autopost_sandbox.core import Fault


class ConnectionCut(Exception):
    """Raised after a partial response so the server drops the connection, as a reset would."""


class ResetResponse(Response):
    """Announces a body it never finishes sending, then drops the connection."""

    def __init__(self) -> None:
        super().__init__(status_code=200, headers={"content-length": "1024"})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        await send({"type": "http.response.body", "body": b"{", "more_body": True})
        raise ConnectionCut("sandbox fault: connection reset")


async def reset_mid_upload(request: Request) -> Response:
    """Read about half of the request body, then cut the connection."""
    expected = int(request.headers.get("content-length") or 0)
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received >= expected // 2:
            break
    return ResetResponse()


async def hang(fault: Fault) -> None:
    """Hold the answer back longer than any sane client timeout."""
    await asyncio.sleep(fault.delay)


@dataclass
class DemoAccount:
    """A seeded account, printed by `autopost sandbox` and served at /_sandbox/accounts."""

    platform: str
    description: str
    credentials: dict[str, str] = field(default_factory=dict)


class Emulator(Protocol):
    """One emulated service mounted under `prefix` (e.g. "/vk")."""

    prefix: str

    def app(self) -> ASGIApp: ...

    def demo_accounts(self) -> list[DemoAccount]: ...

    def reset(self) -> None:
        """Forget everything received and go back to the seeded accounts."""


@runtime_checkable
class Controllable(Protocol):
    """An emulator with control endpoints of its own, served under /_sandbox<prefix>."""

    prefix: str

    def control_app(self) -> ASGIApp: ...


@runtime_checkable
class Seedable(Protocol):
    """An emulator that makes new tenants on demand (POST /_sandbox/accounts); they live until reset."""

    prefix: str

    def seed_accounts(self, count: int) -> list[DemoAccount]: ...
