"""Settings → Templates and hashtags: the workspace's templates and hashtag sets, adding, changing
and deleting them (after a confirmation).

Each action is the templates use case the API calls: every member sees the
lists, editors and owners change them (the use cases refuse the rest with 403).
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from autopost.i18n import N_, gettext
from autopost.refusals import Kind, Refused
from autopost.templates import usecases
from autopost.templates.models import NAME_MAX, TemplateKind
from autopost.web.auth import Page, Viewer
from autopost.web.i18n import refused_text
from autopost.web.templating import render

router = APIRouter(include_in_schema=False)

PAGE = "/settings/templates"
DONE = {"added": N_("Added"), "saved": N_("Saved"), "deleted": N_("Deleted")}


async def _page(
    request: Request,
    viewer: Viewer,
    *,
    notice: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    rows = await usecases.list_templates(viewer.work.session, viewer.member)
    return render(
        request,
        viewer,
        "settings_templates.html",
        section="templates",
        texts=[t for t in rows if t.kind is TemplateKind.TEXT],
        sets=[t for t in rows if t.kind is TemplateKind.HASHTAGS],
        # What was typed into the form a refusal came from: which form (kind or id), name, text.
        form=form or {},
        name_max=NAME_MAX,
        text_max=usecases.TEXT_MAX,
        notice=notice,
        status_code=status_code,
    )


async def _refused(request: Request, viewer: Viewer, exc: Refused, form: dict[str, str]) -> Response:
    """The page again with why not, and what was typed kept; a foreign id stays a 404."""
    if exc.kind is Kind.NOT_FOUND:
        raise exc
    status = {Kind.FORBIDDEN: 403, Kind.CONFLICT: 409}.get(exc.kind, 422)
    notice = {"kind": "error", "text": refused_text(exc, viewer.lang)}
    return await _page(request, viewer, notice=notice, form=form, status_code=status)


def _done(what: str, template_id: uuid.UUID | None = None) -> RedirectResponse:
    anchor = f"#template-{template_id}" if template_id else ""
    return RedirectResponse(f"{PAGE}?done={what}{anchor}", status_code=303)


@router.get(PAGE, name="settings_templates")
async def templates_page(request: Request, viewer: Page, done: str = "") -> Response:
    notice = {"kind": "ok", "text": gettext(viewer.lang, DONE[done])} if done in DONE else None
    return await _page(request, viewer, notice=notice)


@router.post(PAGE)
async def add_template(request: Request, viewer: Page) -> Response:
    posted = await request.form()
    kind = TemplateKind.HASHTAGS if posted.get("kind") == "hashtags" else TemplateKind.TEXT
    name, text = str(posted.get("name", "")), str(posted.get("text", ""))
    try:
        made = await usecases.create_template(viewer.work.session, viewer.member, kind, name, text=text)
    except Refused as exc:
        return await _refused(request, viewer, exc, {"for": kind.value, "name": name, "text": text})
    return _done("added", made.id)


@router.post(PAGE + "/{template_id}")
async def change_template(request: Request, viewer: Page, template_id: uuid.UUID) -> Response:
    posted = await request.form()
    name, text = str(posted.get("name", "")), str(posted.get("text", ""))
    try:
        await usecases.update_template(viewer.work.session, viewer.member, template_id, name=name, text=text)
    except Refused as exc:
        return await _refused(request, viewer, exc, {"for": str(template_id), "name": name, "text": text})
    return _done("saved", template_id)


@router.get(PAGE + "/{template_id}/delete", name="template_delete_dialog")
async def delete_dialog(request: Request, viewer: Page, template_id: uuid.UUID) -> Response:
    """Delete asks first, naming what goes."""
    template = await usecases.owned_template(viewer.work.session, viewer.member, template_id)
    return render(request, viewer, "template_delete_dialog.html", template=template)


@router.post(PAGE + "/{template_id}/delete")
async def delete_template(request: Request, viewer: Page, template_id: uuid.UUID) -> Response:
    try:
        await usecases.delete_template(viewer.work.session, viewer.member, template_id)
    except Refused as exc:
        return await _refused(request, viewer, exc, {})
    return _done("deleted")
