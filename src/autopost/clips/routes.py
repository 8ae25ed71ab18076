"""Clips: upload (streamed) or by URL, list, get, delete; and the signed /media URLs."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import ValidationError

from autopost.clips import usecases
from autopost.clips.media import verify_media_token
from autopost.clips.models import Clip
from autopost.clips.queries import list_clips as clips_of
from autopost.clips.queries import owned_clip
from autopost.clips.schemas import ClipFromUrlIn, ClipOut
from autopost.deps import CurrentMember, RuntimeDep, Work
from autopost.refusals import Kind, Refused

router = APIRouter(tags=["clips"])

UPLOAD_BODY = {
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "title": {"type": "string"},
                    "description": {"type": "string"},
                },
            }
        },
        "application/json": {"schema": {"$ref": "#/components/schemas/ClipFromUrlIn"}},
    }
}


@router.post("/api/v1/clips", status_code=201, openapi_extra={"requestBody": UPLOAD_BODY})
async def create_clip(request: Request, member: CurrentMember, work: Work, runtime: RuntimeDep) -> ClipOut:
    """A multipart `file` (streamed to storage, never held in memory) or JSON {"source_url", ...}."""
    if request.headers.get("content-type", "").startswith("application/json"):
        body = _from_url_body(await request.body())
        clip = await usecases.clip_from_url(
            work.session, runtime, member, body.source_url, body.title, body.description
        )
    else:
        clip = await usecases.upload_clip(work.session, runtime, member, request)
    return ClipOut.of(clip)


def _from_url_body(raw: bytes) -> ClipFromUrlIn:
    """The JSON body read by hand (one route takes two content types); bad input is the usual 422."""
    try:
        return ClipFromUrlIn.model_validate_json(raw)
    except ValidationError as exc:
        # Located under "body" as FastAPI locates the bodies it parses itself.
        raise RequestValidationError(
            [{**error, "loc": ("body", *error["loc"])} for error in exc.errors(include_url=False)]
        ) from exc


@router.get("/api/v1/clips")
async def list_clips(
    member: CurrentMember,
    work: Work,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[ClipOut]:
    return [ClipOut.of(c) for c in await clips_of(work.session, member, limit, offset)]


@router.get("/api/v1/clips/{clip_id}")
async def get_clip(clip_id: uuid.UUID, member: CurrentMember, work: Work) -> ClipOut:
    return ClipOut.of(await owned_clip(work.session, member, clip_id))


@router.get("/api/v1/clips/{clip_id}/thumbnail", response_class=FileResponse)
async def clip_thumbnail(
    clip_id: uuid.UUID, member: CurrentMember, work: Work, runtime: RuntimeDep
) -> FileResponse:
    clip = await owned_clip(work.session, member, clip_id)
    if not clip.thumbnail_key:
        raise Refused("not_found", Kind.NOT_FOUND)
    return FileResponse(runtime.storage.path(clip.thumbnail_key), media_type="image/jpeg")


@router.delete("/api/v1/clips/{clip_id}", status_code=204)
async def delete_clip(clip_id: uuid.UUID, member: CurrentMember, work: Work, runtime: RuntimeDep) -> None:
    await usecases.delete_clip(work.session, work.outbox, runtime, member, clip_id)


@router.get("/media/{token}", include_in_schema=False, response_model=None)
async def media(token: str, work: Work, runtime: RuntimeDep) -> Response:
    """Clip bytes for platforms that download by URL; FileResponse answers Range requests."""
    clip_id = verify_media_token(runtime.settings.resolved_secret_key(), token)
    clip = await work.session.get(Clip, clip_id) if clip_id else None
    if clip is None:
        raise Refused("not_found", Kind.NOT_FOUND)
    if clip.storage_key:
        return FileResponse(
            runtime.storage.path(clip.storage_key), media_type="video/mp4", filename="clip.mp4"
        )
    if clip.source_url:
        return RedirectResponse(clip.source_url, status_code=302)
    raise Refused("not_found", Kind.NOT_FOUND)
