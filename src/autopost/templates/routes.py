"""/api/v1/templates: a workspace's templates and hashtag sets (kind "text" | "hashtags")."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from autopost.deps import CurrentMember, Work
from autopost.templates import usecases
from autopost.templates.schemas import TemplateIn, TemplateOut, TemplateUpdateIn

router = APIRouter(prefix="/api/v1/templates", tags=["templates"])


@router.get("")
async def list_templates(member: CurrentMember, work: Work) -> list[TemplateOut]:
    """Templates first, then hashtag sets, each by name."""
    return [TemplateOut.of(t) for t in await usecases.list_templates(work.session, member)]


@router.post("", status_code=201)
async def create_template(body: TemplateIn, member: CurrentMember, work: Work) -> TemplateOut:
    template = await usecases.create_template(
        work.session, member, body.kind, body.name, text=body.text, hashtags=body.hashtags
    )
    return TemplateOut.of(template)


@router.patch("/{template_id}")
async def update_template(
    template_id: uuid.UUID, body: TemplateUpdateIn, member: CurrentMember, work: Work
) -> TemplateOut:
    template = await usecases.update_template(
        work.session, member, template_id, name=body.name, text=body.text, hashtags=body.hashtags
    )
    return TemplateOut.of(template)


@router.delete("/{template_id}", status_code=204)
async def delete_template(template_id: uuid.UUID, member: CurrentMember, work: Work) -> Response:
    await usecases.delete_template(work.session, member, template_id)
    return Response(status_code=204)
