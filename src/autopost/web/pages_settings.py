"""Settings → Platforms: connect (OAuth or token), test, disconnect, with plan gating; the OAuth callback."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from autopost.connections import oauth_connect, usecases
from autopost.connections.models import ConnectionStatus, connection_error
from autopost.connections.oauth_browser import (
    CallbackBrowser,
    forget_state_cookie,
    keep_state_cookie,
    proves,
    state_cookie_name,
)
from autopost.connections.queries import list_connections, owned_connection, scheduled_count
from autopost.deps import RuntimeDep, Work
from autopost.i18n import N_, gettext, ngettext
from autopost.platforms.catalog import Platform
from autopost.platforms.registry import OAUTH_PLATFORMS
from autopost.refusals import Kind, Refused
from autopost.security.sessions import SESSION_COOKIE
from autopost.users.sessions import find_session
from autopost.web.auth import Page, Viewer, request_language
from autopost.web.i18n import connect_error_text, refused_text
from autopost.web.marks import platform_name
from autopost.web.platform_blocks import (
    ConnectForm,
    missing_fields,
    platform_block,
    platform_blocks,
)
from autopost.web.templating import notice_html, render, render_anonymous
from autopost.workspaces.access import Action

router = APIRouter(include_in_schema=False)
log = structlog.get_logger(__name__)

# What a token form says when a field it needs is empty.
MISSING_FIELDS = {
    (Platform.TELEGRAM, "token"): N_("Enter the bot token and the channel"),
    (Platform.RUTUBE, "token"): N_("Paste the Rutube token"),
    (Platform.RUTUBE, "password"): N_("Enter the Rutube login and password"),
    (Platform.RUTUBE, "sso"): N_("Paste the refreshToken cookie or a cookie export"),
}


@router.get("/settings")
async def settings_root() -> Response:
    return RedirectResponse("/settings/platforms", status_code=303)


def _callback_notice(
    viewer: Viewer, connected: str | None, error: str | None, platform: str | None, minutes: int | None
) -> dict[str, str] | None:
    """The OAuth callback ends here with ?connected=vk or ?error=<code>&platform=vk."""
    named = platform or connected
    known = Platform(named) if named in set(Platform) else None
    if connected and known:
        name = platform_name(known, viewer.lang)
        return {"kind": "ok", "text": gettext(viewer.lang, "{platform} is connected", platform=name)}
    if error:
        return {"kind": "error", "text": connect_error_text(error, known, viewer.lang, minutes)}
    return None


@router.get("/settings/platforms", name="settings_platforms")
async def platforms_page(
    request: Request,
    viewer: Page,
    connected: str | None = None,
    error: str | None = None,
    platform: str | None = None,
    minutes: int | None = None,
) -> Response:
    connections = await list_connections(viewer.work.session, viewer.member)
    return render(
        request,
        viewer,
        "settings_platforms.html",
        section="settings",
        blocks=platform_blocks(viewer.runtime.settings, viewer.member.workspace.plan, connections),
        notice=_callback_notice(viewer, connected, error, platform, minutes),
    )


async def _block(
    request: Request,
    viewer: Viewer,
    platform: Platform,
    form: ConnectForm | None,
    notice: str | None,
    kind: str = "ok",
) -> Response:
    connections = await list_connections(viewer.work.session, viewer.member)
    block = platform_block(viewer.runtime.settings, viewer.member.workspace.plan, platform, connections, form)
    extra = notice_html(notice, kind) if notice else ""
    return render(request, viewer, "_platform_block.html", block=block, extra=extra)


@router.post("/settings/platforms/{platform}/oauth")
async def start_oauth(request: Request, platform: Platform, viewer: Page) -> Response:
    """A plain form POST: the browser leaves for the platform's consent page."""
    try:
        started = await oauth_connect.start_oauth(
            viewer.work.session, viewer.runtime, viewer.member, platform
        )
    except Refused as exc:
        # A role that may not connect was shown no form: the route refuses like the API (403).
        if exc.kind is Kind.NOT_FOUND or exc.code == "role_forbids":
            raise
        notice = {"error": exc.code, "platform": platform.value}
        if "minutes" in exc.params:  # throttled: the settings page says how long to wait
            notice["minutes"] = str(exc.params["minutes"])
        return RedirectResponse(f"/settings/platforms?{urlencode(notice)}", status_code=303)
    response = RedirectResponse(started.authorize_url, status_code=303)
    keep_state_cookie(response, viewer.runtime.settings, platform, started.state_cookie)
    return response


@router.get("/oauth/{platform}/callback")
async def oauth_callback(platform: Platform, request: Request, work: Work, runtime: RuntimeDep) -> Response:
    """Where the platform sends the browser back: the settings page with a notice, or the login page
    when the browser signed in to nobody did not start the flow (signing in here is the way on)."""
    signed_in = await find_session(work.session, request.cookies.get(SESSION_COOKIE))
    cookie = request.cookies.get(state_cookie_name(platform))
    browser = CallbackBrowser(signed_in.user.id if signed_in else None, cookie)
    response: Response
    # No savepoint on purpose: a state is spent even when the exchange then fails.
    try:
        await oauth_connect.finish_oauth(work.session, runtime, platform, dict(request.query_params), browser)
        response = RedirectResponse(f"/settings/platforms?connected={platform.value}", status_code=303)
    except Refused as exc:
        log.info("oauth_callback_refused", platform=platform.value, code=exc.code, params=exc.params)
        if exc.code == "oauth_other_browser":
            lang = request_language(request)
            # The page's notice, not the form's error: nothing typed into the form was wrong.
            notice = {"kind": "error", "text": connect_error_text(exc.code, platform, lang)}
            response = render_anonymous(
                request, "login.html", lang, next="/settings/platforms", email="", error=None, notice=notice
            )
            response.status_code = 403
        else:
            notice = {"error": exc.code, "platform": platform.value}
            response = RedirectResponse(f"/settings/platforms?{urlencode(notice)}", status_code=303)
    # This flow's cookie goes with its state; another flow's stays for that flow's callback.
    if proves(runtime.settings, request.query_params.get("state", ""), cookie):
        forget_state_cookie(response, runtime.settings, platform)
    return response


@router.post("/settings/platforms/{platform}/connect")
async def connect_with_token(request: Request, platform: Platform, viewer: Page) -> Response:
    """Telegram (bot token + channel) or Rutube (token, or login + password), checked live."""
    if platform in OAUTH_PLATFORMS:
        raise Refused("not_found", Kind.NOT_FOUND)  # no token form for these
    form, fields = ConnectForm.parse(platform, await request.form())
    if missing_fields(platform, fields, form.mode):
        form.error = gettext(viewer.lang, MISSING_FIELDS[platform, form.mode])
        return await _block(request, viewer, platform, form, None)
    session, runtime, member = viewer.work.session, viewer.runtime, viewer.member
    try:
        if form.mode == "sso" and platform is Platform.RUTUBE:
            connection = await usecases.connect_refresh_token(
                session, runtime, member, platform, fields["refresh_token"]
            )
        else:
            connection = await usecases.connect_token(session, runtime, member, platform, fields)
    except Refused as exc:
        if exc.code == "role_forbids":
            raise
        form.error = refused_text(exc, viewer.lang)
        return await _block(request, viewer, platform, form, None)
    notice = gettext(
        viewer.lang, "{platform} is connected: {account}", platform=platform, account=connection.account_name
    )
    return await _block(request, viewer, platform, None, notice)


@router.post("/settings/platforms/{platform}/session")
async def connect_with_session(request: Request, platform: Platform, viewer: Page) -> Response:
    """VK Clips or Dzen through the user's signed-in browser session (a cookie export)."""
    posted = await request.form()
    form = ConnectForm(mode="session")
    try:
        connection = await usecases.connect_web_session(
            viewer.work.session, viewer.runtime, viewer.member, platform, str(posted.get("session", ""))
        )
    except Refused as exc:
        # A role that may not connect was shown no form: the route refuses like the API (403).
        if exc.kind is Kind.NOT_FOUND or exc.code == "role_forbids":
            raise
        form.error = refused_text(exc, viewer.lang)
        return await _block(request, viewer, platform, form, None)
    notice = gettext(
        viewer.lang, "{platform} is connected: {account}", platform=platform, account=connection.account_name
    )
    return await _block(request, viewer, platform, None, notice)


@router.post("/settings/connections/{connection_id}/test")
async def test_connection(request: Request, connection_id: uuid.UUID, viewer: Page) -> Response:
    connection = await owned_connection(viewer.work.session, viewer.member, connection_id, to=Action.CONNECT)
    await usecases.check_connection(viewer.work.session, viewer.runtime, connection)
    name = f"{platform_name(connection.platform, viewer.lang)} · {connection.account_name}"
    if connection.status is ConnectionStatus.ACTIVE:
        notice, kind = gettext(viewer.lang, "{account}: the connection works", account=name), "ok"
    else:
        reason = connection_error(connection, viewer.lang) or ""
        notice, kind = gettext(viewer.lang, "{account}: {reason}", account=name, reason=reason), "error"
    return await _block(request, viewer, connection.platform, None, notice, kind)


@router.post("/settings/connections/{connection_id}/target")
async def choose_vk_target(request: Request, connection_id: uuid.UUID, viewer: Page) -> Response:
    chosen = str((await request.form()).get("group_id") or "")
    connection = await owned_connection(viewer.work.session, viewer.member, connection_id, to=Action.CONNECT)
    await usecases.set_vk_target(
        viewer.work.session, viewer.runtime, connection, int(chosen) if chosen.isdigit() else None
    )
    target = (connection.meta or {}).get("target_name") or gettext(viewer.lang, "My page")
    notice = gettext(viewer.lang, "VK: publishing to “{target}”", target=target)
    return await _block(request, viewer, connection.platform, None, notice)


@router.post("/settings/connections/{connection_id}/rename")
async def rename_connection(request: Request, connection_id: uuid.UUID, viewer: Page) -> Response:
    """The user's own name for a connection (empty: the platform's name again)."""
    name = str((await request.form()).get("name") or "")
    connection = await owned_connection(viewer.work.session, viewer.member, connection_id, to=Action.CONNECT)
    usecases.rename_connection(connection, name)
    notice = gettext(viewer.lang, "Renamed: {account}", account=connection.shown_name)
    return await _block(request, viewer, connection.platform, None, notice)


@router.get("/settings/connections/{connection_id}/disconnect", name="disconnect_dialog")
async def disconnect_dialog(request: Request, connection_id: uuid.UUID, viewer: Page) -> Response:
    connection = await owned_connection(viewer.work.session, viewer.member, connection_id, to=Action.CONNECT)
    count = await scheduled_count(viewer.work.session, connection)
    return render(request, viewer, "disconnect_dialog.html", connection=connection, count=count)


@router.post("/settings/connections/{connection_id}/disconnect")
async def disconnect(request: Request, connection_id: uuid.UUID, viewer: Page) -> Response:
    """Tokens deleted, scheduled publications cancelled; the notice says how many."""
    connection = await owned_connection(viewer.work.session, viewer.member, connection_id, to=Action.CONNECT)
    cancelled = await usecases.disconnect(viewer.work.session, viewer.work.outbox, viewer.member, connection)
    name = f"{platform_name(connection.platform, viewer.lang)} · {connection.account_name}"
    if cancelled:
        notice = ngettext(
            viewer.lang,
            "{account} is disconnected. {count} scheduled publication was cancelled.",
            "{account} is disconnected. {count} scheduled publications were cancelled.",
            cancelled,
            account=name,
        )
    else:
        notice = gettext(viewer.lang, "{account} is disconnected. Nothing was scheduled.", account=name)
    connections = await list_connections(viewer.work.session, viewer.member)
    block = platform_block(
        viewer.runtime.settings, viewer.member.workspace.plan, connection.platform, connections
    )
    return render(request, viewer, "disconnected.html", block=block, extra=notice_html(notice))
