"""An account's posting slots on the platforms settings page (weekdays × times, e.g. Mon–Fri 18:00)."""

from __future__ import annotations

import re
import uuid

from babel.dates import get_day_names
from fastapi import APIRouter, Request
from fastapi.responses import Response

from autopost.connections.queries import owned_connection
from autopost.refusals import Refused
from autopost.series import slots as slot_rules
from autopost.web.auth import Page, Viewer
from autopost.web.i18n import refused_text
from autopost.web.templating import render
from autopost.workspaces.access import Action

router = APIRouter(include_in_schema=False)


def _summary(found: list[slot_rules.Slot], names: dict[int, str]) -> tuple[list[int], list[str], str]:
    """The slots as the form holds them (weekdays, times) and as one line ("Mon, Tue 18:00")."""
    days = sorted({s.weekday for s in found})
    times = sorted({s.text for s in found})
    if len(found) == len(days) * len(times):
        line = ", ".join(names[d] for d in days) + " " + ", ".join(times) if found else ""
    else:
        line = "; ".join(f"{names[s.weekday]} {s.text}" for s in found)
    return days, times, line


def _fragment(
    request: Request,
    viewer: Viewer,
    connection_id: uuid.UUID,
    found: list[slot_rules.Slot],
    *,
    error: str | None = None,
    saved: bool = False,
) -> Response:
    names = get_day_names("abbreviated", locale=viewer.lang)
    days, times, line = _summary(found, dict(names))
    return render(
        request,
        viewer,
        "_slots.html",
        connection_id=connection_id,
        weekday_names=names,
        days=days,
        times=", ".join(times),
        line=line,
        error=error,
        saved=saved,
    )


@router.get("/settings/connections/{connection_id}/slots", name="slots")
async def slots(request: Request, connection_id: uuid.UUID, viewer: Page) -> Response:
    found = await slot_rules.list_slots(viewer.work.session, viewer.member, connection_id)
    return _fragment(request, viewer, connection_id, found)


@router.post("/settings/connections/{connection_id}/slots")
async def save_slots(request: Request, connection_id: uuid.UUID, viewer: Page) -> Response:
    form = await request.form()
    days = [int(str(v)) for v in form.getlist("weekday") if str(v).isdigit()]
    times = [t for t in re.split(r"[\s,;]+", str(form.get("times", ""))[:500]) if t]
    session, member = viewer.work.session, viewer.member
    # Whose account and who may change it come first: the form is judged only for them.
    await owned_connection(session, member, connection_id, to=Action.EDIT)
    try:
        wanted = slot_rules.parse_slots(days, times)
    except Refused as refusal:
        current = await slot_rules.list_slots(session, member, connection_id)
        return _fragment(request, viewer, connection_id, current, error=refused_text(refusal, viewer.lang))
    found = await slot_rules.set_slots(session, member, connection_id, wanted)
    return _fragment(request, viewer, connection_id, found, saved=True)
