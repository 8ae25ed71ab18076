"""The series dialog: selected clips → start date, cadence, a time per account, skip dates → the
preview table of the whole plan (live, through the dry run) → "Schedule N publications"."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from babel.dates import get_day_names
from fastapi import APIRouter, Request
from fastapi.responses import Response

from autopost.clips.models import Clip
from autopost.connections.models import Connection
from autopost.connections.queries import list_connections
from autopost.i18n import ngettext
from autopost.refusals import Kind, Refused
from autopost.series.usecases import Planned, create_series, plan_series
from autopost.web.auth import Page, Viewer
from autopost.web.formatting import zone_label
from autopost.web.i18n import refusal_text, refused_text
from autopost.web.queries import clip_card
from autopost.web.series_form import FormProblem, SeriesForm
from autopost.web.templating import render
from autopost.workspaces.access import Action

router = APIRouter(include_in_schema=False)

# Refusals the form shows; not_found and forbidden answer as on every page (404, 403).
SHOWN = (Kind.INVALID, Kind.CONFLICT, Kind.THROTTLED)


@dataclass
class Cell:
    item: Planned
    # Why this entry cannot be created, as the table says it beside its account.
    problem: str | None


@dataclass
class PreviewRow:
    clip: Clip
    day: date
    cells: list[Cell]


@dataclass
class Preview:
    accounts: list[Connection]
    rows: list[PreviewRow]
    error: str | None = None

    @property
    def count(self) -> int:
        return sum(len(r.cells) for r in self.rows)

    @property
    def problems(self) -> int:
        return sum(1 for r in self.rows for c in r.cells if c.problem)

    @property
    def conflicts(self) -> int:
        return sum(1 for r in self.rows for c in r.cells if c.item.conflict)


def _preview_of(plan: list[Planned], accounts: list[Connection], lang: str) -> Preview:
    planned = {item.connection.id for item in plan}
    shown = [a for a in accounts if a.id in planned]
    # The table's columns are the accounts in the page's order, whatever order the form sent.
    column = {account.id: n for n, account in enumerate(shown)}
    rows: dict[uuid.UUID, PreviewRow] = {}
    for item in sorted(plan, key=lambda p: column[p.connection.id]):
        problem = refusal_text(item.problem, lang) if item.problem else None
        rows.setdefault(item.clip.id, PreviewRow(item.clip, item.day, [])).cells.append(Cell(item, problem))
    ordered = {item.clip.id: rows[item.clip.id] for item in plan}
    return Preview(shown, list(ordered.values()))


async def _preview(viewer: Viewer, form: SeriesForm, accounts: list[Connection]) -> Preview:
    """The plan as the table shows it, or the reason there is none yet."""
    try:
        ask = form.ask(viewer.lang)
        plan = await plan_series(viewer.work.session, viewer.runtime.settings, viewer.member, ask)
    except FormProblem as problem:
        return Preview(accounts, [], problem.text)
    except Refused as refusal:
        if refusal.kind not in SHOWN:
            raise
        return Preview(accounts, [], refused_text(refusal, viewer.lang))
    return _preview_of(plan, accounts, viewer.lang)


async def _dialog(request: Request, viewer: Viewer, form: SeriesForm, error: str | None = None) -> Response:
    accounts = await list_connections(viewer.work.session, viewer.member)
    preview = await _preview(viewer, form, accounts)
    return render(
        request,
        viewer,
        "series_dialog.html",
        form=form,
        accounts=accounts,
        preview=preview,
        weekday_names=get_day_names("abbreviated", locale=viewer.lang),
        zone_name=zone_label(viewer.zone, viewer.now, viewer.lang),
        error=error,
    )


@router.get("/series/new", name="series_dialog")
async def series_dialog(request: Request, viewer: Page) -> Response:
    viewer.member.require(Action.EDIT)
    accounts = await list_connections(viewer.work.session, viewer.member)
    return await _dialog(
        request, viewer, SeriesForm.fresh(viewer, SeriesForm.parse(request.query_params).clip_ids, accounts)
    )


@router.post("/series/preview", name="series_preview")
async def series_preview(request: Request, viewer: Page) -> Response:
    viewer.member.require(Action.EDIT)
    form = SeriesForm.parse(await request.form())
    accounts = await list_connections(viewer.work.session, viewer.member)
    preview = await _preview(viewer, form, accounts)
    return render(
        request,
        viewer,
        "_series_preview.html",
        preview=preview,
        weekday_names=get_day_names("abbreviated", locale=viewer.lang),
        oob_submit=True,
    )


@router.post("/series", name="series_create")
async def series_create(request: Request, viewer: Page) -> Response:
    """Create the whole series, or keep the dialog open with what was chosen and why not."""
    viewer.member.require(Action.EDIT)
    form = SeriesForm.parse(await request.form())
    session = viewer.work.session
    try:
        ask = form.ask(viewer.lang)
        made = await create_series(session, viewer.work.outbox, viewer.runtime, viewer.member, ask, form.key)
    except FormProblem as problem:
        return await _dialog(request, viewer, form, problem.text)
    except Refused as refusal:
        if refusal.kind not in SHOWN:
            raise
        return await _dialog(request, viewer, form, _why(refusal, viewer.lang))
    cards = [await clip_card(session, viewer.member, clip_id, viewer.now) for clip_id in form.clip_ids]
    return render(request, viewer, "series_done.html", count=len(made), clips=len(form.clip_ids), cards=cards)


def _why(refusal: Refused, lang: str) -> str:
    """Above the form: the one problem, or how many the table marks."""
    marked = [r for r in (refusal, *refusal.also) if r.about is not None]
    if not marked:
        return refused_text(refusal, lang)
    count = len(marked)
    return ngettext(
        lang, "Fix the problem marked in the plan", "Fix the {count} problems marked in the plan", count
    )
