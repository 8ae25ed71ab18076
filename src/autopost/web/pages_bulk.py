"""Actions on the clips selected on the clips page: move or cancel all their publications, retry
every failed one; and the confirmation a single publication's Cancel asks first."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from autopost.i18n import gettext, ngettext
from autopost.publications import bulk
from autopost.publications.usecases import owned_publication
from autopost.refusals import Kind, Refused
from autopost.web.auth import Page, Viewer
from autopost.web.formatting import parse_local, zone_label
from autopost.web.i18n import refused_text
from autopost.web.publish_form import default_local, earliest_local
from autopost.web.queries import clip_card, publication_row
from autopost.web.series_form import SeriesForm
from autopost.web.templating import notice_html, render
from autopost.workspaces.access import Action

router = APIRouter(include_in_schema=False)


def _chosen(values: object) -> list[uuid.UUID]:
    return SeriesForm.parse(values).clip_ids  # type: ignore[arg-type]


async def _done(request: Request, viewer: Viewer, clip_ids: list[uuid.UUID], notice: str) -> Response:
    """The dialog goes away; the clips' cards and the page's notice are updated out of band."""
    session = viewer.work.session
    cards = [await clip_card(session, viewer.member, clip_id, viewer.now) for clip_id in clip_ids]
    return render(request, viewer, "bulk_done.html", cards=cards, extra=notice_html(notice))


@router.get("/clips/bulk/cancel", name="bulk_cancel_dialog")
async def cancel_dialog(request: Request, viewer: Page) -> Response:
    """The confirmation names how many scheduled publications will be cancelled."""
    viewer.member.require(Action.EDIT)
    clip_ids = _chosen(request.query_params)
    count = await bulk.live_count(viewer.work.session, viewer.member, clip_ids)
    return render(request, viewer, "bulk_cancel_dialog.html", clip_ids=clip_ids, count=count)


@router.post("/clips/bulk/cancel", name="bulk_cancel")
async def cancel_all(request: Request, viewer: Page) -> Response:
    viewer.member.require(Action.EDIT)
    clip_ids = _chosen(await request.form())
    session, outbox = viewer.work.session, viewer.work.outbox
    cancelled = sum([len(await bulk.cancel_clip(session, outbox, viewer.member, c)) for c in clip_ids])
    notice = ngettext(
        viewer.lang, "{count} publication is cancelled", "{count} publications are cancelled", cancelled
    )
    return await _done(request, viewer, clip_ids, notice)


def _move_dialog(
    request: Request, viewer: Viewer, clip_ids: list[uuid.UUID], value: str, error: str | None
) -> Response:
    return render(
        request,
        viewer,
        "bulk_move_dialog.html",
        clip_ids=clip_ids,
        when_value=value,
        when_min=earliest_local(viewer.runtime.settings, viewer),
        zone_name=zone_label(viewer.zone, viewer.now, viewer.lang),
        error=error,
    )


@router.get("/clips/bulk/reschedule", name="bulk_move_dialog")
async def move_dialog(request: Request, viewer: Page) -> Response:
    viewer.member.require(Action.EDIT)
    value = default_local(viewer.runtime.settings, viewer)
    return _move_dialog(request, viewer, _chosen(request.query_params), value, None)


@router.post("/clips/bulk/reschedule", name="bulk_move")
async def move_all(
    request: Request, viewer: Page, scheduled_at: Annotated[str, Form(max_length=40)] = ""
) -> Response:
    """Every scheduled publication of the clips to one new time; a refusal keeps the dialog open."""
    viewer.member.require(Action.EDIT)
    clip_ids = _chosen(await request.form())
    when = parse_local(scheduled_at, viewer.zone)
    if when is None:
        return _move_dialog(
            request, viewer, clip_ids, scheduled_at, gettext(viewer.lang, "Choose the date and time")
        )
    session, outbox, settings = viewer.work.session, viewer.work.outbox, viewer.runtime.settings
    moved = 0
    try:
        for clip_id in clip_ids:
            moved += len(await bulk.reschedule_clip(session, outbox, settings, viewer.member, clip_id, when))
    except Refused as refusal:
        if refusal.kind is not Kind.INVALID:
            raise
        return _move_dialog(request, viewer, clip_ids, scheduled_at, refused_text(refusal, viewer.lang))
    notice = ngettext(
        viewer.lang, "{count} publication is rescheduled", "{count} publications are rescheduled", moved
    )
    return await _done(request, viewer, clip_ids, notice)


@router.post("/clips/bulk/retry", name="bulk_retry")
async def retry_all(request: Request, viewer: Page) -> Response:
    viewer.member.require(Action.EDIT)
    clip_ids = _chosen(await request.form())
    session, outbox = viewer.work.session, viewer.work.outbox
    retried = sum([len(await bulk.retry_clip(session, outbox, viewer.member, c)) for c in clip_ids])
    notice = ngettext(
        viewer.lang, "{count} publication is queued again", "{count} publications are queued again", retried
    )
    return await _done(request, viewer, clip_ids, notice)


@router.get("/publications/{publication_id}/cancel", name="cancel_dialog")
async def cancel_one_dialog(
    request: Request, publication_id: uuid.UUID, viewer: Page, view: str = "row"
) -> Response:
    """Cancel on one publication asks first, naming the clip, the account and the time."""
    session = viewer.work.session
    publication = await owned_publication(session, viewer.member, publication_id, to=Action.EDIT)
    row = await publication_row(session, viewer.member, publication, viewer.now)
    return render(request, viewer, "cancel_dialog.html", row=row, view="card" if view == "card" else "row")
