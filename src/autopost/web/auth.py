"""Who is looking at a page: the session cookie's user, the workspace they chose, its time zone, CSRF.

Pages are for people with a browser session only (API tokens are for the API).
An anonymous page request is sent to the login page instead of getting an
error; a cookie-authenticated write must carry the CSRF token derived from
the cookie (HTMX sends it as X-CSRF-Token, plain forms as a csrf_token field). The workspace is
the one last chosen in the header's switcher (a cookie); a stale choice falls back to the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from fastapi import Depends, Request

from autopost.db import utcnow
from autopost.deps import SAFE_METHODS, RuntimeDep, UnitOfWork, Work
from autopost.i18n import Lang, pick_language
from autopost.refusals import Refused
from autopost.runtime import Runtime
from autopost.security.sessions import SESSION_COOKIE, csrf_token, csrf_valid
from autopost.users.models import User
from autopost.users.sessions import BrowserSession, find_session
from autopost.web.formatting import user_zone
from autopost.workspaces.access import Member, memberships_of, parse_workspace_id
from autopost.workspaces.models import Role, Workspace
from autopost.workspaces.usecases import acting_member


class LoginRequired(Exception):
    """No valid session: pages redirect to the login page (HTMX requests via HX-Redirect)."""

    def __init__(self, next_path: str = "/") -> None:
        super().__init__(next_path)
        self.next_path = next_path


class CsrfRejected(Exception):
    """A write without the session's CSRF token (a stale page, or another site's form)."""

    def __init__(self, lang: Lang) -> None:
        super().__init__("csrf")
        self.lang = lang


@dataclass
class Viewer:
    """The signed-in user of a page request, with what every page needs about them (and their session)."""

    user: User
    member: Member
    # Every workspace of the user with their role there, for the header's switcher.
    workspaces: list[tuple[Workspace, Role]]
    lang: Lang
    zone: ZoneInfo
    csrf: str
    work: UnitOfWork
    runtime: Runtime
    browser: BrowserSession

    @property
    def now(self) -> datetime:
        return utcnow()


def request_language(request: Request) -> Lang:
    """For anonymous pages: the browser's language, Russian unless it asks for English."""
    return pick_language(request.headers.get("accept-language"))


def login_redirect_target(request: Request) -> str:
    """Where to come back to after logging in: this page, or for a fragment the page it sits on."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.headers.get("hx-request"):
        current = urlsplit(request.headers.get("hx-current-url", ""))
        target = current.path + (f"?{current.query}" if current.query else "")
    return target if target.startswith("/") and not target.startswith("//") else "/"


async def _csrf_ok(request: Request, secret: str, session_token: str) -> bool:
    header = request.headers.get("x-csrf-token")
    if header:
        return csrf_valid(secret, session_token, header)
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        field = (await request.form()).get("csrf_token")
        return csrf_valid(secret, session_token, field if isinstance(field, str) else None)
    return False


WORKSPACE_COOKIE = "autopost_workspace"


def _chosen_member(request: Request, user: User, workspaces: list[tuple[Workspace, Role]]) -> Member:
    """The workspace the switcher last chose; removed from it since (or a mangled cookie), the first."""
    try:
        chosen = parse_workspace_id(request.cookies.get(WORKSPACE_COOKIE))
    except Refused:
        chosen = None
    workspace, role = next(((w, r) for w, r in workspaces if w.id == chosen), workspaces[0])
    return Member(user, workspace, role)


async def current_viewer(request: Request, work: Work, runtime: RuntimeDep) -> Viewer:
    secret = runtime.settings.resolved_secret_key()
    browser = await find_session(work.session, request.cookies.get(SESSION_COOKIE))
    if browser is None:
        raise LoginRequired(login_redirect_target(request))
    lang = pick_language(None, browser.user.locale)
    if request.method not in SAFE_METHODS and not await _csrf_ok(request, secret, browser.token):
        raise CsrfRejected(lang)
    request.state.lang = lang
    workspaces = await memberships_of(work.session, browser.user)
    if not workspaces:
        made = await acting_member(work.session, browser.user, None)
        workspaces = [(made.workspace, made.role)]
    member = _chosen_member(request, browser.user, workspaces)
    return Viewer(
        user=browser.user,
        member=member,
        workspaces=workspaces,
        lang=lang,
        zone=user_zone(member.workspace.time_zone),
        csrf=csrf_token(secret, browser.token),
        work=work,
        runtime=runtime,
        browser=browser,
    )


Page = Annotated[Viewer, Depends(current_viewer)]
