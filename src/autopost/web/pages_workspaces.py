"""The header's workspace switcher and Settings → Workspace: name, time zone, approval.

Each action is the workspaces use case the API calls too; a refusal (a role that
may not, an unknown time zone) comes back as the page's notice. Members are on
Settings → Members (pages_members).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from autopost.i18n import gettext
from autopost.refusals import Kind, Refused
from autopost.web.auth import WORKSPACE_COOKIE, Page, Viewer
from autopost.web.formatting import zone_label
from autopost.web.i18n import refused_text
from autopost.web.templating import render
from autopost.workspaces import usecases
from autopost.workspaces.access import parse_workspace_id, resolve_member

router = APIRouter(include_in_schema=False)

# The zones offered first: Russia's from west to east, then the neighbours clients often sit in.
ZONES = (
    "Europe/Kaliningrad",
    "Europe/Moscow",
    "Europe/Samara",
    "Asia/Yekaterinburg",
    "Asia/Omsk",
    "Asia/Novosibirsk",
    "Asia/Krasnoyarsk",
    "Asia/Irkutsk",
    "Asia/Yakutsk",
    "Asia/Vladivostok",
    "Asia/Magadan",
    "Asia/Kamchatka",
    "Europe/Minsk",
    "Asia/Almaty",
    "Asia/Tashkent",
    "Asia/Tbilisi",
    "Asia/Yerevan",
    "Asia/Baku",
    "Europe/Istanbul",
    "Asia/Dubai",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "UTC",
)


def zone_choices(current: str, now: datetime, lang: str) -> list[tuple[str, str]]:
    names = ZONES if current in ZONES else (current, *ZONES)
    return [(name, zone_label(ZoneInfo(name), now, lang)) for name in names]


def remember_workspace(response: Response, request: Request, workspace_id: uuid.UUID) -> Response:
    """Work in this workspace from now on (the switcher's cookie)."""
    response.set_cookie(
        WORKSPACE_COOKIE,
        str(workspace_id),
        max_age=400 * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


async def _page(
    request: Request, viewer: Viewer, notice: dict[str, str] | None = None, status_code: int = 200
) -> Response:
    return render(
        request,
        viewer,
        "settings_workspace.html",
        section="workspace",
        zones=zone_choices(viewer.member.workspace.time_zone, viewer.now, viewer.lang),
        zone_name=zone_label(viewer.zone, viewer.now, viewer.lang),
        notice=notice,
        status_code=status_code,
    )


async def _refusal_page(request: Request, viewer: Viewer, exc: Refused) -> Response:
    """The page again with why not; a foreign or unknown id stays a 404, as on every route."""
    if exc.kind is Kind.NOT_FOUND:
        raise exc
    status = {Kind.FORBIDDEN: 403, Kind.CONFLICT: 409}.get(exc.kind, 422)
    return await _page(request, viewer, {"kind": "error", "text": refused_text(exc, viewer.lang)}, status)


@router.post("/workspaces/switch")
async def switch(request: Request, viewer: Page) -> Response:
    """Work in another of the viewer's workspaces from now on (one that is not theirs: 404)."""
    posted = await request.form()
    chosen = parse_workspace_id(str(posted.get("workspace_id", "")))
    member = await resolve_member(viewer.work.session, viewer.user, chosen)
    return remember_workspace(RedirectResponse("/", status_code=303), request, member.workspace_id)


@router.post("/workspaces")
async def create(request: Request, viewer: Page) -> Response:
    posted = await request.form()
    try:
        made = await usecases.create_workspace(viewer.work.session, viewer.user, str(posted.get("name", "")))
    except Refused as exc:
        return await _refusal_page(request, viewer, exc)
    return remember_workspace(
        RedirectResponse("/settings/workspace", status_code=303), request, made.workspace_id
    )


@router.get("/settings/workspace", name="settings_workspace")
async def workspace_page(request: Request, viewer: Page, saved: bool = False) -> Response:
    notice = {"kind": "ok", "text": gettext(viewer.lang, "Saved")} if saved else None
    return await _page(request, viewer, notice)


@router.post("/settings/workspace")
async def update(request: Request, viewer: Page) -> Response:
    posted = await request.form()
    try:
        await usecases.update_workspace(
            viewer.work.session,
            viewer.member,
            name=str(posted.get("name", "")),
            time_zone=str(posted.get("time_zone", "")),
            approval_required=posted.get("approval_required") == "on",
        )
    except Refused as exc:
        return await _refusal_page(request, viewer, exc)
    return RedirectResponse("/settings/workspace?saved=true", status_code=303)
