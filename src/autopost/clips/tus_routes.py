"""Resumable clip uploads over TUS 1.0.0 (core, creation, expiration, termination) at /api/v1/uploads.

For the browser's tus-js-client (session cookie + X-CSRF-Token, the page's X-Workspace-Id) and for
API clients (a bearer token) alike. A thin adapter of clips.uploads: every answer, refusals too,
carries Tus-Resumable; a refusal's body is the API's JSON error in the caller's language.
Protocol: https://tus.io/protocols/resumable-upload (docs/platforms/tus.md).
"""

from __future__ import annotations

import email.utils
import uuid
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.requests import ClientDisconnect

from autopost.clips import uploads
from autopost.clips.models import ClipUpload
from autopost.deps import CurrentMember, RuntimeDep, Work
from autopost.refusals import Refused
from autopost.runtime import Runtime
from autopost.tus_protocol import OFFSET_STREAM, VERSION, parse_metadata, whole_number

EXTENSIONS = "creation,expiration,termination"
UPLOADS_PATH = "/api/v1/uploads"
# The clip a finished upload became, for the page to show its card (HEAD and the last PATCH).
CLIP_HEADER = "Upload-Clip-Id"


class TusRoute(APIRoute):
    """Adds Tus-Resumable to every answer, the refusals' (rendered by the app's handler) included."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def tus_handler(request: Request) -> Response:
            try:
                response = await handler(request)
            except Refused as exc:
                render = request.app.exception_handlers[Refused]
                response = await render(request, exc)
            response.headers["Tus-Resumable"] = VERSION
            return response

        return tus_handler


router = APIRouter(tags=["uploads"], route_class=TusRoute)


def _plain(status: int, text: str = "", **headers: str) -> Response:
    return Response(text, status_code=status, headers=headers)


def _expiry(runtime: Runtime, upload: ClipUpload) -> dict[str, str]:
    expires = uploads.expires_at(runtime, upload)
    return {"Upload-Expires": email.utils.format_datetime(expires, usegmt=True)} if expires else {}


def _progress(runtime: Runtime, upload: ClipUpload, clip_id: uuid.UUID | None) -> dict[str, str]:
    """Where the upload stands (HEAD and PATCH answers): its offset, expiry and, once done, the clip."""
    headers = {"Upload-Offset": str(uploads.offset_of(runtime, upload)), **_expiry(runtime, upload)}
    if clip_id is not None:
        headers[CLIP_HEADER] = str(clip_id)
    return headers


def _version_refused(request: Request) -> Response | None:
    if request.headers.get("tus-resumable") != VERSION:
        return _plain(412, "unsupported TUS version", **{"Tus-Version": VERSION})
    return None


@router.options(UPLOADS_PATH, status_code=204)
async def upload_options(runtime: RuntimeDep) -> Response:
    """What this server speaks (asked without credentials: nothing here is the caller's)."""
    return _plain(
        204,
        **{
            "Tus-Version": VERSION,
            "Tus-Extension": EXTENSIONS,
            "Tus-Max-Size": str(runtime.settings.max_clip_bytes),
        },
    )


@router.post(UPLOADS_PATH, status_code=201)
async def create_upload(request: Request, member: CurrentMember, work: Work, runtime: RuntimeDep) -> Response:
    """Upload-Length (at most Tus-Max-Size, else 413) and Upload-Metadata `filename`/`filetype` of a video."""
    refused = _version_refused(request)
    if refused is not None:
        return refused
    length = whole_number(request.headers.get("upload-length"))
    metadata = parse_metadata(request.headers.get("upload-metadata", ""))
    if length is None or metadata is None:
        return _plain(400, "a whole Upload-Length and well-formed Upload-Metadata expected")
    upload = await uploads.start_upload(work.session, runtime, member, length, metadata)
    location = f"{request.scope.get('root_path', '')}{UPLOADS_PATH}/{upload.id}"
    return _plain(201, Location=location, **_expiry(runtime, upload))


@router.head(UPLOADS_PATH + "/{upload_id}")
async def upload_offset(
    request: Request, upload_id: uuid.UUID, member: CurrentMember, work: Work, runtime: RuntimeDep
) -> Response:
    refused = _version_refused(request)
    if refused is not None:
        return refused
    upload = await uploads.owned_upload(work.session, member, upload_id)
    headers = _progress(runtime, upload, upload.clip_id)
    return _plain(200, **headers, **{"Upload-Length": str(upload.length), "Cache-Control": "no-store"})


@router.patch(UPLOADS_PATH + "/{upload_id}", status_code=204)
async def upload_append(
    request: Request, upload_id: uuid.UUID, member: CurrentMember, work: Work, runtime: RuntimeDep
) -> Response:
    """The body streamed to the file at Upload-Offset (409 if that is not where the upload is)."""
    refused = _version_refused(request)
    if refused is not None:
        return refused
    if request.headers.get("content-type", "") != OFFSET_STREAM:
        return _plain(415, f"Content-Type must be {OFFSET_STREAM}")
    offset = whole_number(request.headers.get("upload-offset"))
    if offset is None:
        return _plain(400, "Upload-Offset must be a whole number")
    upload = await uploads.owned_upload(work.session, member, upload_id)
    declared = whole_number(request.headers.get("content-length"))
    if declared is not None and offset + declared > upload.length:
        raise Refused("upload_past_length")
    # No transaction stays open while the body streams in (it may take hours): none of its locks
    # (the token's last use, SQLite's one writer) holds the caller's other requests back meanwhile.
    await work.session.commit()
    try:
        clip = await uploads.append(work.session, runtime, member, upload, offset, request.stream())
    except ClientDisconnect:
        # What arrived is on disk: the client asks HEAD for the offset and goes on from there.
        return _plain(400, "client disconnected")
    except Refused:
        await work.session.commit()  # a refused file's upload stays removed
        raise
    return _plain(204, **_progress(runtime, upload, clip.id if clip is not None else None))


@router.delete(UPLOADS_PATH + "/{upload_id}", status_code=204)
async def upload_terminate(
    request: Request, upload_id: uuid.UUID, member: CurrentMember, work: Work, runtime: RuntimeDep
) -> Response:
    refused = _version_refused(request)
    if refused is not None:
        return refused
    upload = await uploads.owned_upload(work.session, member, upload_id)
    await uploads.discard(work.session, runtime, upload)
    return _plain(204)
