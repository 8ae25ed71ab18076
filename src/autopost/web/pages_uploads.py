"""The Clips page's intake and removal: a clip by URL, and deleting a clip with its confirmation.

Files are uploaded by the page's script straight to the TUS endpoint (clips.tus_routes); what it
gets back is the new clip's id, whose card it then asks for (pages_clips.card_fragment).
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import Response

from autopost.clips import usecases
from autopost.i18n import gettext, ngettext
from autopost.refusals import Refused
from autopost.web.auth import Page
from autopost.web.i18n import refused_text
from autopost.web.queries import clip_card
from autopost.web.templating import notice_html, render
from autopost.workspaces.access import Action

router = APIRouter(include_in_schema=False)


@router.post("/clips/from-url", name="clip_from_url")
async def clip_from_url(request: Request, viewer: Page) -> Response:
    """A clip that stays at its URL: one line in the upload list, and its card at the top of the grid."""
    viewer.member.require(Action.EDIT)  # the role's refusal is the page's 403, not a line of the list
    form = await request.form()
    url = str(form.get("source_url") or "").strip()
    try:
        clip = await usecases.clip_from_url(
            viewer.work.session, viewer.runtime, viewer.member, url, str(form.get("title") or ""), ""
        )
    except Refused as exc:
        return render(request, viewer, "_upload_line.html", label=url, error=refused_text(exc, viewer.lang))
    card = await clip_card(viewer.work.session, viewer.member, clip.id, viewer.now)
    return render(request, viewer, "_upload_line.html", label=clip.title or url, error=None, card=card)


@router.get("/clips/{clip_id}/delete", name="delete_clip_dialog")
async def delete_dialog(request: Request, clip_id: uuid.UUID, viewer: Page) -> Response:
    """The confirmation, naming how many scheduled publications deleting the clip cancels."""
    clip, count = await usecases.clip_to_delete(viewer.work.session, viewer.member, clip_id)
    return render(request, viewer, "delete_clip_dialog.html", clip=clip, count=count)


@router.post("/clips/{clip_id}/delete")
async def delete(request: Request, clip_id: uuid.UUID, viewer: Page) -> Response:
    """The clip goes; its card is removed out of band and the notice says how many were cancelled."""
    session = viewer.work.session
    clip, _ = await usecases.clip_to_delete(session, viewer.member, clip_id)
    title = clip.title or gettext(viewer.lang, "Untitled")
    try:
        cancelled = await usecases.delete_clip(
            session, viewer.work.outbox, viewer.runtime, viewer.member, clip_id
        )
    except Refused as exc:
        return render(
            request,
            viewer,
            "deleted_clip.html",
            clip_id=clip_id,
            removed=False,
            extra=notice_html(refused_text(exc, viewer.lang), "error"),
        )
    if cancelled:
        text = ngettext(
            viewer.lang,
            "The clip “{title}” is deleted. {count} scheduled publication was cancelled.",
            "The clip “{title}” is deleted. {count} scheduled publications were cancelled.",
            cancelled,
            title=title,
        )
    else:
        text = gettext(viewer.lang, "The clip “{title}” is deleted. Nothing was scheduled.", title=title)
    return render(
        request, viewer, "deleted_clip.html", clip_id=clip_id, removed=True, extra=notice_html(text)
    )
