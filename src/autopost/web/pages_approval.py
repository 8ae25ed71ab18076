"""Approving and rejecting an awaiting publication from its card or row: the two dialogs."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from autopost.i18n import gettext
from autopost.publications import approval
from autopost.publications.models import Publication
from autopost.publications.usecases import owned_publication
from autopost.refusals import Refused
from autopost.web.auth import Page, Viewer
from autopost.web.formatting import parse_local, zone_label
from autopost.web.i18n import refused_text
from autopost.web.pages_publications import View, dialog_done
from autopost.web.publish_form import default_local, earliest_local
from autopost.web.templating import render
from autopost.workspaces.access import Action

router = APIRouter(include_in_schema=False)

# keep: at its own time (still ahead); now / later: the approver's choice once that time has passed.
Choice = Literal["keep", "now", "later"]


def _time_passed(publication: Publication, viewer: Viewer) -> bool:
    return publication.scheduled_at is None or publication.scheduled_at <= viewer.now


def _approve_dialog(
    request: Request,
    viewer: Viewer,
    publication: Publication,
    view: View,
    *,
    choice: Choice,
    when_value: str,
    error: str | None = None,
) -> Response:
    return render(
        request,
        viewer,
        "approve_dialog.html",
        publication=publication,
        view=view,
        passed=_time_passed(publication, viewer),
        choice=choice,
        when_value=when_value,
        when_min=earliest_local(viewer.runtime.settings, viewer),
        zone_name=zone_label(viewer.zone, viewer.now, viewer.lang),
        error=error,
    )


@router.get("/publications/{publication_id}/approve", name="approve_dialog")
async def approve_dialog(
    request: Request, publication_id: uuid.UUID, viewer: Page, view: View = "row"
) -> Response:
    publication = await owned_publication(
        viewer.work.session, viewer.member, publication_id, to=Action.APPROVE
    )
    choice: Choice = "now" if _time_passed(publication, viewer) else "keep"
    when_value = default_local(viewer.runtime.settings, viewer)
    return _approve_dialog(request, viewer, publication, view, choice=choice, when_value=when_value)


@router.post("/publications/{publication_id}/approve")
async def approve(
    request: Request,
    publication_id: uuid.UUID,
    viewer: Page,
    choice: Annotated[Choice, Form()] = "keep",
    scheduled_at: Annotated[str, Form(max_length=40)] = "",
    view: Annotated[View, Form()] = "row",
) -> Response:
    """A refusal keeps the dialog open with the choice made; time passing meanwhile asks for one."""
    session = viewer.work.session
    publication = await owned_publication(session, viewer.member, publication_id, to=Action.APPROVE)
    when: datetime | None = None
    if choice == "later":
        when = parse_local(scheduled_at, viewer.zone)
        if when is None:
            error = gettext(viewer.lang, "Choose the date and time")
            return _approve_dialog(
                request, viewer, publication, view, choice=choice, when_value=scheduled_at, error=error
            )
    try:
        await approval.approve(
            session,
            viewer.work.outbox,
            viewer.runtime,
            viewer.member,
            publication_id,
            when=when,
            publish_now=choice == "now",
        )
    except Refused as exc:
        shown: Choice = "now" if choice == "keep" else choice
        return _approve_dialog(
            request,
            viewer,
            publication,
            view,
            choice=shown,
            when_value=scheduled_at or default_local(viewer.runtime.settings, viewer),
            error=refused_text(exc, viewer.lang),
        )
    return await dialog_done(
        request, viewer, publication, view, gettext(viewer.lang, "The publication is approved")
    )


def _reject_dialog(
    request: Request, viewer: Viewer, publication: Publication, view: View, comment: str, error: str | None
) -> Response:
    return render(
        request,
        viewer,
        "reject_dialog.html",
        publication=publication,
        view=view,
        comment=comment,
        comment_max=approval.COMMENT_MAX,
        error=error,
    )


@router.get("/publications/{publication_id}/reject", name="reject_dialog")
async def reject_dialog(
    request: Request, publication_id: uuid.UUID, viewer: Page, view: View = "row"
) -> Response:
    publication = await owned_publication(
        viewer.work.session, viewer.member, publication_id, to=Action.APPROVE
    )
    return _reject_dialog(request, viewer, publication, view, "", None)


@router.post("/publications/{publication_id}/reject")
async def reject(
    request: Request,
    publication_id: uuid.UUID,
    viewer: Page,
    comment: Annotated[str, Form(max_length=4000)] = "",
    view: Annotated[View, Form()] = "row",
) -> Response:
    session = viewer.work.session
    publication = await owned_publication(session, viewer.member, publication_id, to=Action.APPROVE)
    try:
        await approval.reject(session, viewer.member, publication_id, comment)
    except Refused as exc:
        return _reject_dialog(request, viewer, publication, view, comment, refused_text(exc, viewer.lang))
    return await dialog_done(
        request, viewer, publication, view, gettext(viewer.lang, "The publication is rejected")
    )
