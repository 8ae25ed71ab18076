"""A cap on request bodies, enforced while they arrive (a 300 MiB password is never read whole).

A declared Content-Length over the cap is refused before the body is read at all;
a chunked or lying body is counted as it arrives and refused at the first byte
past the cap. Streaming clip uploads (multipart, and resumable PATCHes) are exempt: intake streams
them to storage under their own cap (AUTOPOST_MAX_CLIP_BYTES).
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from autopost.refusals import Kind, Refused

MiB = 1024 * 1024

# How a refusal becomes the API's answer (autopost.app.refusal_response, the one renderer of refusals).
Answer = Callable[[Request, Refused], Response]


class RequestTooLarge(HTTPException):
    """Raised from inside `receive`; an HTTPException so that FastAPI's body parsing lets it through."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(status_code=413)
        self.max_bytes = max_bytes


def too_large_response(answer: Answer, request: Request, max_bytes: int) -> Response:
    response = answer(request, Refused("request_too_large", Kind.TOO_LARGE, limit_bytes=max_bytes))
    # The rest of the body is not read, so the connection cannot be reused.
    response.headers["Connection"] = "close"
    return response


def is_clip_upload(scope: Scope) -> bool:
    """A streaming clip upload with its own cap: POST /api/v1/clips with a multipart body, or a
    resumable upload's PATCH (capped by the Upload-Length it was created with)."""
    content_type: bytes = dict(scope["headers"]).get(b"content-type", b"")
    if scope["method"] == "PATCH" and scope["path"].startswith("/api/v1/uploads/"):
        return content_type == b"application/offset+octet-stream"
    if scope["method"] != "POST" or scope["path"] != "/api/v1/clips":
        return False
    return content_type.startswith(b"multipart/form-data")


class BodyLimit:
    """ASGI middleware: bodies over `max_bytes` answer 413 without being read further."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, answer: Answer, exempt: Callable[[Scope], bool] = is_clip_upload
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.answer = answer
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.exempt(scope):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await too_large_response(self.answer, Request(scope), self.max_bytes)(scope, receive, send)
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
            await too_large_response(self.answer, Request(scope), self.max_bytes)(scope, receive, send)
