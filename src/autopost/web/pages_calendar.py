"""The calendar: a week or a month of the workspace's publications; drag (or keys) to move them.

The period is in the URL (`?view=month&date=2026-11-01`), so a view can be linked. Moves
go to the publications' use cases: one publication (`reschedule`) or the clip everywhere
(`reschedule_clip`, which keeps the offsets between its platforms).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from autopost.i18n import gettext
from autopost.publications import usecases
from autopost.publications.models import Publication
from autopost.publications.usecases import owned_publication
from autopost.refusals import Refused
from autopost.web.auth import Page, Viewer
from autopost.web.calendar_grid import Grid, Span, grid_of, is_movable, moved_to_day, period_chips, period_of
from autopost.web.formatting import local_input_value, parse_local, zone_label
from autopost.web.i18n import refused_text
from autopost.web.publish_form import earliest_local
from autopost.web.queries import clip_card
from autopost.web.templating import notice_html, render
from autopost.workspaces.access import Action

# A month's day shows this many chips, then "N more in the week": a client posting ~90 times a day
# would otherwise get a page of megabytes (bench/scale.py). The week shows every chip.
MONTH_DAY_CHIPS = 8

router = APIRouter(include_in_schema=False)

Scope = Literal["one", "clip"]
DateText = Annotated[str, Form(max_length=40)]


def _anchor(text: str, viewer: Viewer) -> date:
    """The day the URL names; none (or nonsense from an old link) is today in the workspace."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        return viewer.now.astimezone(viewer.zone).date()


def _day_of(viewer: Viewer, publication: Publication) -> date:
    """After a move the calendar shows the period holding the publication, moved or refused: the
    arrow keys and the typed date follow it into another week or month."""
    moment = publication.scheduled_at or viewer.now
    return moment.astimezone(viewer.zone).date()


async def _grid(viewer: Viewer, span: Span, anchor: date) -> Grid:
    period = period_of(span, anchor, viewer.zone)
    chips = await period_chips(viewer.work.session, viewer.member, period)
    return grid_of(period, chips, viewer.now.astimezone(viewer.zone).date())


def _calendar_values(viewer: Viewer, grid: Grid) -> dict[str, Any]:
    period = grid.period
    today = viewer.now.astimezone(viewer.zone).date()

    def link(span: str, day: date) -> str:
        return f"/calendar?view={span}&date={day.isoformat()}"

    return {
        "grid": grid,
        "period": period,
        "link": link,
        "today_link": link(period.span, today),
        "zone_name": zone_label(viewer.zone, viewer.now, viewer.lang),
        "month_day_chips": MONTH_DAY_CHIPS,
    }


@router.get("/calendar", name="calendar")
async def calendar_page(request: Request, viewer: Page, view: str = "", date: str = "") -> Response:
    span = Span(view) if view in set(Span) else Span.WEEK
    grid = await _grid(viewer, span, _anchor(date, viewer))
    return render(request, viewer, "calendar.html", section="calendar", **_calendar_values(viewer, grid))


async def _move(viewer: Viewer, publication: Publication, when: datetime, scope: Scope) -> tuple[str, str]:
    """The move and its notice; a refusal moves nothing (the request's queue work is dropped)."""
    session, outbox, settings = viewer.work.session, viewer.work.outbox, viewer.runtime.settings
    try:
        if scope == "clip":
            moved = await usecases.reschedule_clip(
                session, outbox, settings, viewer.member, publication, when
            )
            return gettext(
                viewer.lang, "The clip is moved on all its platforms ({count})", count=len(moved)
            ), "ok"
        await usecases.reschedule(session, outbox, settings, publication, when)
    except Refused as exc:
        outbox.discard()
        # A move refused halfway rolled its savepoint back: read the publication as it stands.
        await session.refresh(publication)
        return refused_text(exc, viewer.lang), "error"
    return gettext(viewer.lang, "The publication is rescheduled"), "ok"


@router.post("/calendar/move")
async def move(
    request: Request,
    viewer: Page,
    publication_id: Annotated[uuid.UUID, Form()],
    day: DateText = "",
    scope: Annotated[Scope, Form()] = "one",
    view: Annotated[Span, Form()] = Span.WEEK,
) -> Response:
    """A chip dropped on a day (or moved there by the arrow keys): the same time on that day."""
    session = viewer.work.session
    publication = await owned_publication(session, viewer.member, publication_id, to=Action.EDIT)
    try:
        target = date.fromisoformat(day)
    except ValueError:
        text, kind = gettext(viewer.lang, "Choose the date and time"), "error"
    else:
        if publication.scheduled_at is None:
            text, kind = refused_text(Refused("not_reschedulable"), viewer.lang), "error"
        else:
            when = moved_to_day(publication.scheduled_at, target, viewer.zone)
            text, kind = await _move(viewer, publication, when, scope)
    grid = await _grid(viewer, view, _day_of(viewer, publication))
    values = _calendar_values(viewer, grid)
    return render(
        request, viewer, "_calendar.html", focus=publication.id, extra=notice_html(text, kind), **values
    )


def _panel(request: Request, viewer: Viewer, publication: Publication, values: dict[str, Any]) -> Response:
    return render(
        request,
        viewer,
        "calendar_panel.html",
        publication=publication,
        movable=is_movable(publication.status, publication.scheduled_at, publication.error_code),
        when_min=earliest_local(viewer.runtime.settings, viewer),
        zone_name=zone_label(viewer.zone, viewer.now, viewer.lang),
        **values,
    )


@router.get("/calendar/publications/{publication_id}", name="calendar_panel")
async def panel(
    request: Request, publication_id: uuid.UUID, viewer: Page, view: Span = Span.WEEK
) -> Response:
    """A chip's click: the clip's publications (its card), and the move form for this one."""
    session = viewer.work.session
    publication = await owned_publication(session, viewer.member, publication_id)
    card = await clip_card(session, viewer.member, publication.clip_id, viewer.now)
    value = local_input_value(publication.scheduled_at, viewer.zone) if publication.scheduled_at else ""
    values = {"card": card, "view": view, "when_value": value}
    return _panel(request, viewer, publication, {**values, "scope": "one", "error": None})


@router.post("/calendar/publications/{publication_id}/move")
async def move_to(
    request: Request,
    publication_id: uuid.UUID,
    viewer: Page,
    scheduled_at: DateText = "",
    scope: Annotated[Scope, Form()] = "one",
    view: Annotated[Span, Form()] = Span.WEEK,
) -> Response:
    """The panel's form (the keyboard's way, and the phone's): a date and time; a refusal keeps
    the panel open with what was typed, success closes it and redraws the calendar."""
    session = viewer.work.session
    publication = await owned_publication(session, viewer.member, publication_id, to=Action.EDIT)
    when = parse_local(scheduled_at, viewer.zone)
    if when is None:
        text, kind = gettext(viewer.lang, "Choose the date and time"), "error"
    else:
        text, kind = await _move(viewer, publication, when, scope)
    if kind == "error":
        card = await clip_card(session, viewer.member, publication.clip_id, viewer.now)
        values = {"card": card, "view": view, "when_value": scheduled_at}
        return _panel(request, viewer, publication, {**values, "scope": scope, "error": text})
    grid = await _grid(viewer, view, _day_of(viewer, publication))
    return render(
        request, viewer, "calendar_moved.html", extra=notice_html(text), **_calendar_values(viewer, grid)
    )
