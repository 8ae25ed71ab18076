"""A cap on request bodies, enforced while they arrive (a 300 MiB password is never read whole).

A declared Content-Length over the cap is refused before the body is read at all;
a chunked or lying body is counted as it arrives and refused at the first byte
past the cap. Streaming clip uploads are exempt: intake streams them to storage
under their own cap (AUTOPOST_MAX_CLIP_BYTES).
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from autopost.i18n import pick_language, render

MiB = 1024 * 1024
CODE = "request_too_large"


class RequestTooLarge(HTTPException):
    """Raised from inside `receive`; an HTTPException so that FastAPI's body parsing lets it through."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(status_code=413)
        self.max_bytes = max_bytes


def too_large_response(request: Request, max_bytes: int) -> JSONResponse:
    lang = getattr(request.state, "lang", None) or pick_language(request.headers.get("accept-language"))
    message = render(CODE, lang, mib=f"{max_bytes / MiB:g}")
    # Connection: close — the rest of the body is not read, so the connection cannot be reused.
    return JSONResponse(
        {"error": {"code": CODE, "message": message}}, status_code=413, headers={"Connection": "close"}
    )


async def request_too_large(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestTooLarge)
    return too_large_response(request, exc.max_bytes)


def is_clip_upload(scope: Scope) -> bool:
    """POST /api/v1/clips with a multipart body: the streaming upload with its own cap."""
    if scope["method"] != "POST" or scope["path"] != "/api/v1/clips":
        return False
    content_type: bytes = dict(scope["headers"]).get(b"content-type", b"")
    return content_type.startswith(b"multipart/form-data")


class BodyLimit:
    """ASGI middleware: bodies over `max_bytes` answer 413 without being read further."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, exempt: Callable[[Scope], bool] = is_clip_upload
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.exempt(scope):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await too_large_response(Request(scope), self.max_bytes)(scope, receive, send)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise RequestTooLarge(self.max_bytes)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except RequestTooLarge:
            if started:
                raise  # too late for a 413: the server drops the connection
            await too_large_response(Request(scope), self.max_bytes)(scope, receive, send)
