"""The invitation link's page, /invite/<token>: join, sign up to join, or why the link no longer works.

Whoever holds the link sees whose workspace it is for; joining needs the invited
address: the signed-in user with it joins (a form POST with the session's CSRF
token), someone without an account signs up with it fixed, someone signed in
under another address is told to sign in as the invited one.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from autopost.deps import RuntimeDep, Work, start_session
from autopost.i18n import Lang, gettext, pick_language
from autopost.refusals import Kind, Refused
from autopost.security.sessions import SESSION_COOKIE, csrf_token
from autopost.users.service import get_user_by_email
from autopost.users.sessions import BrowserSession, find_session
from autopost.web.auth import Page, request_language
from autopost.web.i18n import refused_text
from autopost.web.pages_auth import same_origin
from autopost.web.pages_workspaces import remember_workspace
from autopost.web.templating import render_anonymous
from autopost.workspaces import invitations
from autopost.workspaces.invitations import InvitationState, state_of
from autopost.workspaces.models import Invitation, Membership, Workspace

router = APIRouter(include_in_schema=False)

# Links that no longer work answer 410 (Gone); a token that never was one, 404.
GONE_STATUS = {
    InvitationState.ACCEPTED: 410,
    InvitationState.REVOKED: 410,
    InvitationState.EXPIRED: 410,
}


async def _render(
    request: Request,
    work: Work,
    runtime: RuntimeDep,
    token: str,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    browser = await find_session(work.session, request.cookies.get(SESSION_COOKIE))
    lang = _lang(request, browser)
    try:
        invitation = await invitations.find_invitation(work.session, token)
    except Refused:
        page = render_anonymous(request, "invite.html", lang, state="unknown")
        page.status_code = 404
        return page
    state = state_of(invitation)
    if state is not InvitationState.PENDING:
        page = render_anonymous(request, "invite.html", lang, state=state.value, invitation=invitation)
        page.status_code = GONE_STATUS[state]
        return page
    workspace = await work.session.get(Workspace, invitation.workspace_id)
    signed_in = browser.user if browser else None
    page = render_anonymous(
        request,
        "invite.html",
        lang,
        state=state.value,
        invitation=invitation,
        workspace_name=workspace.name if workspace else "",
        token=token,
        signed_in=signed_in,
        csrf=csrf_token(runtime.settings.resolved_secret_key(), browser.token) if browser else "",
        already=bool(signed_in and await _is_member(work, invitation, signed_in.id)),
        has_account=await get_user_by_email(work.session, invitation.email) is not None,
        error=error,
    )
    page.status_code = status_code
    return page


def _lang(request: Request, browser: BrowserSession | None) -> Lang:
    return pick_language(None, browser.user.locale) if browser else request_language(request)


async def _is_member(work: Work, invitation: Invitation, user_id: uuid.UUID) -> bool:
    found = await work.session.scalar(
        select(Membership.id).where(
            Membership.workspace_id == invitation.workspace_id, Membership.user_id == user_id
        )
    )
    return found is not None


def _status(exc: Refused) -> int:
    return {Kind.FORBIDDEN: 403, Kind.CONFLICT: 409, Kind.NOT_FOUND: 404}.get(exc.kind, 422)


@router.get("/invite/{token}", name="invitation")
async def invitation_page(request: Request, token: str, work: Work, runtime: RuntimeDep) -> Response:
    return await _render(request, work, runtime, token)


@router.post("/invite/{token}")
async def accept(request: Request, token: str, viewer: Page) -> Response:
    """The signed-in user with the invited address joins, and works in that workspace from now on."""
    try:
        member = await invitations.accept(viewer.work.session, viewer.user, token)
    except Refused as exc:
        await viewer.work.session.rollback()
        text = refused_text(exc, viewer.lang)
        return await _render(request, viewer.work, viewer.runtime, token, text, _status(exc))
    return remember_workspace(RedirectResponse("/", status_code=303), request, member.workspace_id)


@router.post("/invite/{token}/sign-up")
async def sign_up(
    request: Request,
    token: str,
    work: Work,
    runtime: RuntimeDep,
    password: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """An account for the invited address (the address is the invitation's, not the form's), joined."""
    if not same_origin(request, runtime.settings.public_url):
        # Sign-up CSRF: another site's form must not sign the browser into an account of its making.
        lang = request_language(request)
        text = gettext(lang, "The page is out of date. Reload it and try again.")
        return await _render(request, work, runtime, token, text, 403)
    try:
        member = await invitations.sign_up_and_accept(work.session, token, password)
    except Refused as exc:
        await work.session.rollback()
        text = refused_text(exc, request_language(request))
        return await _render(request, work, runtime, token, text, _status(exc))
    response = RedirectResponse("/", status_code=303)
    await start_session(request, response, work.session, runtime.settings, member.user)
    return remember_workspace(response, request, member.workspace_id)
