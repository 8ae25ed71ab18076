"""Settings → Members (who is in the workspace, roles, invitations) and Settings → Log (the audit log).

Each action is the use case the API calls too; a refusal (a role that may not,
the last owner, an e-mail already invited) comes back as the page's notice.
Controls a role may not use are left out of the page.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from autopost.i18n import N_, gettext
from autopost.mail import mail_configured
from autopost.refusals import Kind, Refused
from autopost.web.audit_text import describe
from autopost.web.auth import Page, Viewer
from autopost.web.formatting import zone_label
from autopost.web.i18n import refused_text
from autopost.web.templating import render
from autopost.workspaces import invitations, usecases
from autopost.workspaces.access import Action
from autopost.workspaces.audit import audit_log
from autopost.workspaces.models import Role

router = APIRouter(include_in_schema=False)

MEMBERS = "/settings/members"
AUDIT_PAGE_SIZE = 50


async def _page(
    request: Request, viewer: Viewer, notice: dict[str, str] | None = None, status_code: int = 200
) -> Response:
    session, member = viewer.work.session, viewer.member
    manage = member.may(Action.MANAGE)
    return render(
        request,
        viewer,
        "settings_members.html",
        section="members",
        members=await usecases.list_members(session, member),
        invitations=await invitations.pending_invitations(session, member) if manage else [],
        roles=list(Role),
        mail_ready=mail_configured(viewer.runtime.settings),
        notice=notice,
        status_code=status_code,
    )


async def _refusal_page(request: Request, viewer: Viewer, exc: Refused) -> Response:
    """The page again with why not; a foreign or unknown id stays a 404, as on every route."""
    if exc.kind is Kind.NOT_FOUND:
        raise exc
    status = {Kind.FORBIDDEN: 403, Kind.CONFLICT: 409, Kind.UNAVAILABLE: 502}.get(exc.kind, 422)
    return await _page(request, viewer, {"kind": "error", "text": refused_text(exc, viewer.lang)}, status)


def _done(notice: str) -> Response:
    return RedirectResponse(f"{MEMBERS}?done={notice}", status_code=303)


def _role(value: object) -> Role:
    try:
        return Role(str(value))
    except ValueError:
        raise Refused("validation_error", Kind.INVALID, detail="role") from None


# What a finished action says on the page it returns to (?done=).
DONE = {
    "invited": N_("The invitation is sent"),
    "resent": N_("A new link is sent; the old one no longer works"),
    "revoked": N_("The invitation is revoked"),
    "changed": N_("The role is changed"),
    "removed": N_("The member is removed"),
}


@router.get(MEMBERS, name="settings_members")
async def members_page(request: Request, viewer: Page, done: str = "") -> Response:
    text = DONE.get(done)
    return await _page(request, viewer, {"kind": "ok", "text": gettext(viewer.lang, text)} if text else None)


@router.post(f"{MEMBERS}/invite")
async def invite(request: Request, viewer: Page) -> Response:
    posted = await request.form()
    try:
        await invitations.invite(
            viewer.work.session,
            viewer.runtime.settings,
            viewer.member,
            str(posted.get("email", "")),
            _role(posted.get("role")),
        )
    except Refused as exc:
        return await _refusal_page(request, viewer, exc)
    return _done("invited")


@router.post("/settings/invitations/{invitation_id}/resend")
async def resend(request: Request, viewer: Page, invitation_id: uuid.UUID) -> Response:
    try:
        await invitations.resend(viewer.work.session, viewer.runtime.settings, viewer.member, invitation_id)
    except Refused as exc:
        return await _refusal_page(request, viewer, exc)
    return _done("resent")


@router.post("/settings/invitations/{invitation_id}/revoke")
async def revoke(request: Request, viewer: Page, invitation_id: uuid.UUID) -> Response:
    try:
        await invitations.revoke(viewer.work.session, viewer.member, invitation_id)
    except Refused as exc:
        return await _refusal_page(request, viewer, exc)
    return _done("revoked")


@router.post(MEMBERS + "/{user_id}/role")
async def change_role(request: Request, viewer: Page, user_id: uuid.UUID) -> Response:
    posted = await request.form()
    try:
        await usecases.change_role(viewer.work.session, viewer.member, user_id, _role(posted.get("role")))
    except Refused as exc:
        return await _refusal_page(request, viewer, exc)
    return _done("changed")


@router.post(MEMBERS + "/{user_id}/remove")
async def remove_member(request: Request, viewer: Page, user_id: uuid.UUID) -> Response:
    try:
        await usecases.remove_member(viewer.work.session, viewer.member, user_id)
    except Refused as exc:
        return await _refusal_page(request, viewer, exc)
    return _done("removed")


@router.get("/settings/audit", name="settings_audit")
async def audit_page(request: Request, viewer: Page, before: str | None = None) -> Response:
    """Who did what and when, newest first, in the reader's language and the workspace's time zone."""
    page = await audit_log(viewer.work.session, viewer.member, before=before, limit=AUDIT_PAGE_SIZE)
    rows = [(entry, describe(entry, viewer.lang, viewer.zone)) for entry in page.entries]
    return render(
        request,
        viewer,
        "settings_audit.html",
        section="audit",
        rows=rows,
        next_cursor=page.next_cursor,
        zone_name=zone_label(viewer.zone, viewer.now, viewer.lang),
    )
