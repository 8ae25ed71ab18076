"""The Publications page: scheduled and history tabs, filters, paging; cancel, reschedule and retry."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from autopost.i18n import gettext
from autopost.platforms.catalog import Platform
from autopost.publications import usecases
from autopost.publications.models import Publication, PublicationStatus
from autopost.publications.usecases import owned_publication
from autopost.refusals import Refused
from autopost.web.auth import Page, Viewer
from autopost.web.formatting import local_input_value, parse_local, zone_label
from autopost.web.i18n import refused_text
from autopost.web.publish_form import earliest_local
from autopost.web.queries import (
    TAB_STATUSES,
    PublicationFilter,
    Tab,
    clip_card,
    publication_row,
    publication_rows,
)
from autopost.web.templating import notice_html, render
from autopost.workspaces.access import Action

router = APIRouter(include_in_schema=False)

ROWS_PER_PAGE = 25
View = Literal["card", "row"]


@router.get("/publications", name="publications")
async def publications_page(
    request: Request,
    viewer: Page,
    tab: Tab = Tab.SCHEDULED,
    platform: Annotated[str, Query(max_length=20)] = "",
    status: Annotated[str, Query(max_length=20)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    # Unknown filter values (an old bookmark) mean "all" rather than an error page.
    chosen_platform = Platform(platform) if platform in set(Platform) else None
    chosen_status = PublicationStatus(status) if status in TAB_STATUSES[tab] else None
    chosen = PublicationFilter(tab=tab, platform=chosen_platform, status=chosen_status)
    rows, has_next = await publication_rows(
        viewer.work.session,
        viewer.member,
        chosen,
        viewer.now,
        limit=ROWS_PER_PAGE,
        offset=(page - 1) * ROWS_PER_PAGE,
    )
    query = {
        "tab": tab.value,
        "platform": platform if chosen_platform else "",
        "status": status if chosen_status else "",
    }
    return render(
        request,
        viewer,
        "publications.html",
        section="publications",
        tab=tab.value,
        platform=query["platform"],
        status=query["status"],
        platforms=list(Platform),
        statuses=TAB_STATUSES[tab],
        rows=rows,
        page=page,
        has_next=has_next,
        page_url=lambda number: "/publications?" + urlencode({**query, "page": number}),
    )


async def _fragment(
    request: Request, viewer: Viewer, publication: Publication, view: View, notice: str, kind: str
) -> Response:
    """The card or table row the action came from, re-rendered, with a notice for the page."""
    session = viewer.work.session
    if view == "card":
        card = await clip_card(session, viewer.member, publication.clip_id, viewer.now)
        return render(request, viewer, "_clip_card.html", card=card, extra=notice_html(notice, kind))
    row = await publication_row(session, viewer.member, publication, viewer.now)
    return render(request, viewer, "_publication_row.html", row=row, extra=notice_html(notice, kind))


@router.get("/publications/{publication_id}/row", name="publication_row")
async def row_fragment(request: Request, publication_id: uuid.UUID, viewer: Page) -> Response:
    publication = await owned_publication(viewer.work.session, viewer.member, publication_id)
    row = await publication_row(viewer.work.session, viewer.member, publication, viewer.now)
    return render(request, viewer, "_publication_row.html", row=row)


@router.post("/publications/{publication_id}/cancel")
async def cancel(
    request: Request, publication_id: uuid.UUID, viewer: Page, view: Annotated[View, Form()] = "row"
) -> Response:
    publication = await owned_publication(viewer.work.session, viewer.member, publication_id, to=Action.EDIT)
    try:
        await usecases.cancel(viewer.work.session, viewer.work.outbox, publication)
    except Refused as exc:
        return await _fragment(request, viewer, publication, view, refused_text(exc, viewer.lang), "error")
    return await _fragment(
        request, viewer, publication, view, gettext(viewer.lang, "The publication is cancelled"), "ok"
    )


@router.post("/publications/{publication_id}/retry")
async def retry(
    request: Request, publication_id: uuid.UUID, viewer: Page, view: Annotated[View, Form()] = "row"
) -> Response:
    publication = await owned_publication(viewer.work.session, viewer.member, publication_id, to=Action.EDIT)
    try:
        await usecases.retry(viewer.work.session, viewer.work.outbox, publication)
    except Refused as exc:
        return await _fragment(request, viewer, publication, view, refused_text(exc, viewer.lang), "error")
    return await _fragment(
        request,
        viewer,
        publication,
        view,
        gettext(viewer.lang, "The publication is queued again"),
        "ok",
    )


async def _reschedule_dialog(
    request: Request, viewer: Viewer, publication: Publication, view: View, value: str, error: str | None
) -> Response:
    # The dialog names the clip and the account: "reschedule the publication" alone says neither.
    row = await publication_row(viewer.work.session, viewer.member, publication, viewer.now)
    return render(
        request,
        viewer,
        "reschedule_dialog.html",
        publication=publication,
        row=row,
        view=view,
        when_value=value,
        when_min=earliest_local(viewer.runtime.settings, viewer),
        zone_name=zone_label(viewer.zone, viewer.now, viewer.lang),
        error=error,
    )


@router.get("/publications/{publication_id}/reschedule", name="reschedule_dialog")
async def reschedule_dialog(
    request: Request, publication_id: uuid.UUID, viewer: Page, view: View = "row"
) -> Response:
    publication = await owned_publication(viewer.work.session, viewer.member, publication_id, to=Action.EDIT)
    value = local_input_value(publication.scheduled_at, viewer.zone) if publication.scheduled_at else ""
    return await _reschedule_dialog(request, viewer, publication, view, value, None)


@router.post("/publications/{publication_id}/reschedule")
async def reschedule(
    request: Request,
    publication_id: uuid.UUID,
    viewer: Page,
    scheduled_at: Annotated[str, Form(max_length=40)] = "",
    view: Annotated[View, Form()] = "row",
) -> Response:
    """A refusal keeps the dialog open with what was typed."""
    session = viewer.work.session
    publication = await owned_publication(session, viewer.member, publication_id, to=Action.EDIT)
    when = parse_local(scheduled_at, viewer.zone)
    if when is None:
        error = gettext(viewer.lang, "Choose the date and time")
        return await _reschedule_dialog(request, viewer, publication, view, scheduled_at, error)
    try:
        await usecases.reschedule(session, viewer.work.outbox, viewer.runtime.settings, publication, when)
    except Refused as exc:
        error = refused_text(exc, viewer.lang)
        return await _reschedule_dialog(request, viewer, publication, view, scheduled_at, error)
    notice = gettext(viewer.lang, "The publication is rescheduled")
    return await dialog_done(request, viewer, publication, view, notice)


async def dialog_done(
    request: Request, viewer: Viewer, publication: Publication, view: View, notice: str
) -> Response:
    """The dialog closes itself; the card or row it came from is swapped in out of band."""
    session = viewer.work.session
    if view == "card":
        card = await clip_card(session, viewer.member, publication.clip_id, viewer.now)
        return render(request, viewer, "rescheduled.html", card=card, row=None, extra=notice_html(notice))
    row = await publication_row(session, viewer.member, publication, viewer.now)
    return render(request, viewer, "rescheduled.html", card=None, row=row, extra=notice_html(notice))
