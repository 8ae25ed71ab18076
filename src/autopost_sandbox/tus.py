"""A TUS 1.0.0 server (core + creation, creation-with-upload, expiration, termination).

Generic on purpose: platform emulators mount it where the platform's upload host
lives (Дзен's CDN upload URL, Rutube's u.rutube.ru) with their own admission
check; `TusEmulator` mounts it under the neutral /_tus prefix until they do.
Behaviour follows https://tus.io/protocols/resumable-upload (see docs/platforms/tus.md).

Faults (POST /_sandbox/faults, platform = the server's `fault_target`, `on` one of
tus.create / tus.head / tus.patch): `reset` stores the first `after_bytes` of the
body (default: half) and drops the connection, `server_error` answers 500,
`rate_limit` 429 with Retry-After, `timeout` hangs before reading the body.
"""

from __future__ import annotations

import base64
import email.utils
from collections.abc import Callable
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

from autopost.tus_protocol import OFFSET_STREAM, VERSION, parse_metadata, whole_number
from autopost_sandbox.core import Fault, SandboxState
from autopost_sandbox.http import DemoAccount, ResetResponse, hang
from autopost_sandbox.tus_store import ResumableUpload

EXTENSIONS = "creation,creation-with-upload,expiration,termination"
GIB = 1024**3
BROWSER_UA_MARK = "Mozilla/5.0"

# Whether a request may use the endpoint at all (an anti-bot check); refused with 403.
Admission = Callable[[Request], bool]


def browser_like(request: Request) -> bool:
    """What an anti-bot check in front of an upload host wants: a browser's User-Agent, Origin, Referer."""
    headers = request.headers
    return BROWSER_UA_MARK in headers.get("user-agent", "") and "origin" in headers and "referer" in headers


@dataclass
class TusServer:
    """The upload endpoints of one host: POST/OPTIONS on `path`, HEAD/PATCH/DELETE on `path`/<id>."""

    state: SandboxState
    path: str = "/files"
    fault_target: str = "tus"
    max_size: int = 8 * GIB
    expires_seconds: float | None = 24 * 3600
    admits: Admission | None = None
    # What a refused request gets (an anti-bot gateway's own page); a plain 403 if None.
    refusal_page: Callable[[], Response] | None = None

    def routes(self) -> list[Route]:
        one = f"{self.path}/{{upload_id}}"
        return [
            Route(self.path, self.create, methods=["POST"]),
            Route(self.path, self.options, methods=["OPTIONS"]),
            Route(one, self.head, methods=["HEAD"]),
            Route(one, self.patch, methods=["PATCH"]),
            Route(one, self.terminate, methods=["DELETE"]),
            Route(one, self.options, methods=["OPTIONS"]),
        ]

    # -------------------------------------------------------------- answers
    def _answer(self, status: int, headers: dict[str, str] | None = None, body: str = "") -> Response:
        return Response(body, status_code=status, headers={"Tus-Resumable": VERSION, **(headers or {})})

    def _expiry(self, upload: ResumableUpload) -> dict[str, str]:
        if upload.expires_at is None:
            return {}
        return {"Upload-Expires": email.utils.formatdate(upload.expires_at, usegmt=True)}

    def _refusal(self, request: Request) -> Response | None:
        """The answer every request but OPTIONS gets before anything else, if it gets one."""
        if request.headers.get("tus-resumable") != VERSION:
            return Response("unsupported tus version", status_code=412, headers={"Tus-Version": VERSION})
        if self.admits is not None and not self.admits(request):
            return self.refusal_page() if self.refusal_page else self._answer(403, body="forbidden")
        return None

    def _find(self, request: Request) -> ResumableUpload | Response:
        """The upload a HEAD, PATCH or DELETE names, or the answer that refuses the request."""
        refused = self._refusal(request)
        if refused is not None:
            return refused
        upload = self.state.uploads.get(request.path_params["upload_id"])
        if upload is None:
            return self._answer(404, body="no such upload")
        if upload.expired(self.state.clock.now()):
            return self._answer(410, body="upload expired")
        return upload

    async def _fault(self, op: str) -> Fault | Response | None:
        """A fault to serve on this call: an answer, a `reset` to act on while reading, or None."""
        fault = self.state.faults.take(
            self.fault_target, op, ("server_error", "rate_limit", "timeout", "reset")
        )
        if fault is None or fault.fault == "reset":
            return fault
        if fault.fault == "timeout":
            await hang(fault)
            return None
        if fault.fault == "rate_limit":
            return self._answer(429, {"Retry-After": str(fault.retry_after)}, "slow down")
        return self._answer(500, body="sandbox fault: server error")

    # -------------------------------------------------------------- handlers
    async def options(self, request: Request) -> Response:
        headers = {"Tus-Version": VERSION, "Tus-Extension": EXTENSIONS, "Tus-Max-Size": str(self.max_size)}
        return Response(status_code=204, headers=headers)

    async def create(self, request: Request) -> Response:
        refused = self._refusal(request)
        if refused is not None:
            return refused
        length = whole_number(request.headers.get("upload-length"))
        if length is None:
            return self._answer(400, body="Upload-Length must be a whole number")
        if length > self.max_size:
            return self._answer(413, body="Upload-Length exceeds Tus-Max-Size")
        metadata = parse_metadata(request.headers.get("upload-metadata", ""))
        if metadata is None:
            return self._answer(400, body="malformed Upload-Metadata")
        with_upload = request.headers.get("content-type", "") == OFFSET_STREAM
        fault = await self._fault("tus.create")
        if isinstance(fault, Response):
            return fault
        now = self.state.clock.now()
        expires_at = None if self.expires_seconds is None else now + self.expires_seconds
        upload = self.state.uploads.create(length, metadata, now=now, expires_at=expires_at)
        headers = {
            "Location": f"{request.scope.get('root_path', '')}{self.path}/{upload.id}",
            **self._expiry(upload),
        }
        if with_upload:
            answer = await self._receive(request, upload, fault)
            if answer is not None:
                return answer
            headers["Upload-Offset"] = str(upload.offset)
        return self._answer(201, headers)

    async def head(self, request: Request) -> Response:
        found = self._find(request)
        if isinstance(found, Response):
            return found
        fault = await self._fault("tus.head")
        if isinstance(fault, Response):
            return fault
        headers = {
            "Upload-Offset": str(found.offset),
            "Upload-Length": str(found.length),
            "Cache-Control": "no-store",
            **self._expiry(found),
        }
        if found.metadata:
            headers["Upload-Metadata"] = ",".join(
                f"{k} {base64.b64encode(v.encode()).decode()}" if v else k for k, v in found.metadata.items()
            )
        return self._answer(200, headers)

    async def patch(self, request: Request) -> Response:
        found = self._find(request)
        if isinstance(found, Response):
            return found
        if request.headers.get("content-type", "") != OFFSET_STREAM:
            return self._answer(415, body=f"Content-Type must be {OFFSET_STREAM}")
        offset = whole_number(request.headers.get("upload-offset"))
        if offset is None:
            return self._answer(400, body="Upload-Offset must be a whole number")
        fault = await self._fault("tus.patch")
        if isinstance(fault, Response):
            return fault
        async with found.lock:  # one writer at a time; a late duplicate then sees the new offset
            if offset != found.offset:
                return self._answer(409, {"Upload-Offset": str(found.offset)}, "Upload-Offset mismatch")
            answer = await self._receive(request, found, fault)
        if answer is not None:
            return answer
        return self._answer(204, {"Upload-Offset": str(found.offset), **self._expiry(found)})

    async def terminate(self, request: Request) -> Response:
        found = self._find(request)
        if isinstance(found, Response):
            return found
        self.state.uploads.remove(found.id)
        return self._answer(204)

    # -------------------------------------------------------------- the body
    async def _receive(
        self, request: Request, upload: ResumableUpload, fault: Fault | None
    ) -> Response | None:
        """Store the body at the upload's offset; an answer if it must not be a success."""
        declared = whole_number(request.headers.get("content-length"))
        if declared is not None and upload.offset + declared > upload.length:
            return self._answer(413, body="the body would run past Upload-Length")
        cut_at = None
        if fault is not None:  # a `reset`: store this much of the body, then drop the connection
            cut_at = fault.after_bytes if fault.after_bytes is not None else (declared or 0) // 2
        received = 0
        upload.patches += 1
        with upload.open() as handle:
            try:
                async for piece in request.stream():
                    if cut_at is not None and received + len(piece) >= cut_at:
                        upload.append(handle, piece[: cut_at - received])
                        return ResetResponse()
                    if upload.offset + len(piece) > upload.length:
                        return self._answer(413, body="the body ran past Upload-Length")
                    upload.append(handle, piece)
                    received += len(piece)
            except ClientDisconnect:
                # tus: keep as much of a broken body as arrived; the client resumes from here.
                return self._answer(400, body="client disconnected")
        return None


class TusEmulator:
    """The TUS server under /_tus: /_tus/files for anyone, /_tus/browser/files behind a browser check."""

    prefix = "/_tus"

    def __init__(self, state: SandboxState) -> None:
        self.servers = (TusServer(state), TusServer(state, path="/browser/files", admits=browser_like))

    def app(self) -> ASGIApp:
        return Starlette(routes=[route for server in self.servers for route in server.routes()])

    def demo_accounts(self) -> list[DemoAccount]:
        return []

    def reset(self) -> None:
        """Nothing of its own: the uploads live in SandboxState and go with its reset."""
