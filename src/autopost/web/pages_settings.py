"""Настройки → Платформы: connect (OAuth or token), test, disconnect, with plan gating."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from autopost.connections import service
from autopost.connections.models import Connection, ConnectionStatus
from autopost.errors import ApiError, NotFound
from autopost.i18n import render as render_message
from autopost.platforms.catalog import Platform
from autopost.platforms.errors import PlatformError
from autopost.platforms.registry import OAUTH_PLATFORMS
from autopost.refusals import Refused
from autopost.web.auth import Page, Viewer
from autopost.web.i18n import connect_error_text, translate
from autopost.web.marks import platform_name
from autopost.web.platform_blocks import (
    ConnectForm,
    connect_fields,
    missing_fields,
    platform_block,
    platform_blocks,
)
from autopost.web.templating import notice_html, render

router = APIRouter(include_in_schema=False)


@router.get("/settings")
async def settings_root() -> Response:
    return RedirectResponse("/settings/platforms", status_code=303)


def _callback_notice(
    viewer: Viewer, connected: str | None, error: str | None, platform: str | None, minutes: int | None
) -> dict[str, str] | None:
    """The OAuth callback ends here with ?connected=vk or ?error=<code>&platform=vk."""
    name = (
        platform_name(Platform(platform or connected or ""))
        if (platform or connected) in set(Platform)
        else ""
    )
    if connected and name:
        return {"kind": "ok", "text": translate(viewer.lang, "settings.connected", platform=name)}
    if error:
        params = {"minutes": minutes} if minutes else {}
        return {"kind": "error", "text": connect_error_text(error, name, viewer.lang, **params)}
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
    connections = await service.list_connections(viewer.work.session, viewer.user)
    return render(
        request,
        viewer,
        "settings_platforms.html",
        section="settings",
        blocks=platform_blocks(viewer.runtime.settings, viewer.user, connections),
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
    connections = await service.list_connections(viewer.work.session, viewer.user)
    block = platform_block(viewer.runtime.settings, viewer.user, platform, connections, form)
    extra = notice_html(notice, kind) if notice else ""
    return render(request, viewer, "_platform_block.html", block=block, extra=extra)


@router.post("/settings/platforms/{platform}/oauth")
async def start_oauth(request: Request, platform: Platform, viewer: Page) -> Response:
    """A plain form POST: the browser leaves for the platform's consent page."""
    if platform not in OAUTH_PLATFORMS:
        raise NotFound()
    try:
        url = await service.start_oauth(viewer.work.session, viewer.runtime, viewer.user, platform)
    except (ApiError, PlatformError, Refused) as exc:
        notice = {"error": exc.code, "platform": platform.value}
        if "minutes" in exc.params:  # throttled: the settings page says how long to wait
            notice["minutes"] = str(exc.params["minutes"])
        return RedirectResponse(f"/settings/platforms?{urlencode(notice)}", status_code=303)
    return RedirectResponse(url, status_code=303)


@router.post("/settings/platforms/{platform}/connect")
async def connect_with_token(request: Request, platform: Platform, viewer: Page) -> Response:
    """Telegram (bot token + channel) or Rutube (token, or login + password), checked live."""
    if platform in OAUTH_PLATFORMS:
        raise NotFound()
    posted = {k: str(v) for k, v in (await request.form()).items() if k != "csrf_token"}
    mode = "password" if posted.get("mode") == "password" else "token"
    form = ConnectForm(values=posted, mode=mode)
    fields = connect_fields(platform, posted, mode)
    if missing_fields(platform, fields, mode):
        form.error = translate(viewer.lang, f"connect.missing.{platform.value}.{mode}")
        return await _block(request, viewer, platform, form, None)
    try:
        connection = await service.connect_with_token(
            viewer.work.session, viewer.runtime, viewer.user, platform, fields
        )
    except (ApiError, Refused) as exc:
        form.error = render_message(exc.code, viewer.lang, **exc.params)
        return await _block(request, viewer, platform, form, None)
    except PlatformError as exc:
        form.error = exc.message
        return await _block(request, viewer, platform, form, None)
    notice = translate(
        viewer.lang,
        "settings.connected_account",
        platform=platform_name(platform),
        account=connection.account_name,
    )
    return await _block(request, viewer, platform, None, notice)


async def _owned(viewer: Viewer, connection_id: uuid.UUID) -> Connection:
    connection = await service.get_owned_connection(viewer.work.session, viewer.user, connection_id)
    if connection is None or connection.status is ConnectionStatus.REVOKED:
        raise NotFound()
    return connection


@router.post("/settings/connections/{connection_id}/test")
async def test_connection(request: Request, connection_id: uuid.UUID, viewer: Page) -> Response:
    connection = await service.test_connection(
        viewer.work.session, viewer.runtime, await _owned(viewer, connection_id)
    )
    name = f"{platform_name(connection.platform)} · {connection.account_name}"
    if connection.status is ConnectionStatus.ACTIVE:
        return await _block(
            request,
            viewer,
            connection.platform,
            None,
            translate(viewer.lang, "settings.test_ok", account=name),
        )
    notice = translate(viewer.lang, "settings.test_failed", account=name, reason=connection.last_error or "")
    return await _block(request, viewer, connection.platform, None, notice, "error")


@router.post("/settings/connections/{connection_id}/target")
async def choose_vk_target(request: Request, connection_id: uuid.UUID, viewer: Page) -> Response:
    chosen = str((await request.form()).get("group_id") or "")
    connection = await service.choose_vk_target(
        viewer.work.session,
        viewer.runtime,
        await _owned(viewer, connection_id),
        int(chosen) if chosen.isdigit() else None,
    )
    target = (connection.meta or {}).get("target_name") or translate(viewer.lang, "settings.vk_target_page")
    notice = translate(viewer.lang, "settings.vk_target_saved", target=target)
    return await _block(request, viewer, connection.platform, None, notice)


@router.get("/settings/connections/{connection_id}/disconnect", name="disconnect_dialog")
async def disconnect_dialog(request: Request, connection_id: uuid.UUID, viewer: Page) -> Response:
    connection = await _owned(viewer, connection_id)
    count = await service.scheduled_count(viewer.work.session, connection)
    return render(request, viewer, "disconnect_dialog.html", connection=connection, count=count)


@router.post("/settings/connections/{connection_id}/disconnect")
async def disconnect(request: Request, connection_id: uuid.UUID, viewer: Page) -> Response:
    """Tokens deleted, scheduled publications cancelled; the notice says how many."""
    connection = await _owned(viewer, connection_id)
    cancelled = await service.disconnect(viewer.work.session, viewer.work.outbox, connection)
    name = f"{platform_name(connection.platform)} · {connection.account_name}"
    key = "settings.disconnected" if cancelled else "settings.disconnected_none"
    notice = translate(viewer.lang, key, account=name, count=cancelled)
    connections = await service.list_connections(viewer.work.session, viewer.user)
    block = platform_block(viewer.runtime.settings, viewer.user, connection.platform, connections)
    return render(request, viewer, "disconnected.html", block=block, extra=notice_html(notice))
