"""One place that turns transport failures into the error hierarchy.

The question that matters after a failure is whether the platform may have
acted: a connection that never opened, or a body that was never fully sent,
created nothing (Transient); a request that went out whole and then got no
answer may have created a post (OutcomeUnknown, when the call creates).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx2

from autopost.platforms.errors import OutcomeUnknown, Transient

# Failures before any byte of the request left: nothing can have been created.
NOTHING_SENT = (httpx2.ConnectError, httpx2.ConnectTimeout, httpx2.PoolTimeout, httpx2.UnsupportedProtocol)


class Borrowed(httpx2.AsyncBaseTransport):
    """A transport lent to a client: closing the client leaves it open for the others sharing it."""

    def __init__(self, lender: httpx2.AsyncBaseTransport) -> None:
        self._lender = lender

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        return await self._lender.handle_async_request(request)

    async def aclose(self) -> None:
        return None


def make_client(
    base_url: str,
    *,
    transport: httpx2.AsyncBaseTransport | None = None,
    timeout: httpx2.Timeout | float = 30.0,
    headers: dict[str, str] | None = None,
) -> httpx2.AsyncClient:
    """A client for one platform; a given `transport` stays the caller's (a provider shares one
    over its calls, and an AsyncClient would otherwise close it, cutting the others off)."""
    return httpx2.AsyncClient(
        base_url=base_url,
        transport=Borrowed(transport) if transport is not None else None,
        timeout=timeout,
        headers={"User-Agent": "autopost/0.1 (+https://clipmaker.ru)", **(headers or {})},
    )


async def send(
    client: httpx2.AsyncClient,
    request: httpx2.Request,
    *,
    platform: str,
    creates: bool,
    body_sent: Callable[[], bool] | None = None,
) -> httpx2.Response:
    """Send a request; transport failures come back as Transient or OutcomeUnknown."""
    try:
        response = await client.send(request)
        await response.aread()
        return response
    except NOTHING_SENT as exc:
        raise Transient(f"{platform}.unreachable", type(exc).__name__) from exc
    except httpx2.TransportError as exc:
        fully_sent = body_sent() if body_sent is not None else not isinstance(exc, httpx2.WriteError)
        if creates and fully_sent:
            raise OutcomeUnknown(f"{platform}.no_answer", type(exc).__name__) from exc
        raise Transient(f"{platform}.connection_lost", type(exc).__name__) from exc


def json_body(response: httpx2.Response) -> Any:
    """The decoded JSON body, or None when the platform answered something else (an HTML error page)."""
    try:
        return response.json()
    except ValueError:
        return None
