"""Platforms and connections: connect (token or OAuth), list, test, disconnect."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from autopost.connections import usecases
from autopost.connections.queries import list_connections as connections_of
from autopost.connections.queries import owned_connection
from autopost.connections.schemas import (
    ConnectionOut,
    ConnectionUpdateIn,
    DisconnectOut,
    OAuthStartOut,
    PlatformOut,
    TokenConnectIn,
)
from autopost.deps import CurrentUser, RuntimeDep, Work
from autopost.platforms.catalog import Platform
from autopost.refusals import Refused
from autopost.security.sessions import SESSION_COOKIE, read_session

router = APIRouter(tags=["connections"])


@router.get("/api/v1/platforms")
async def platforms(
    request: Request, user: CurrentUser, work: Work, runtime: RuntimeDep
) -> list[PlatformOut]:
    connections = await connections_of(work.session, user)
    # current_user has settled the caller's language.
    lang: str = request.state.lang
    return [PlatformOut.of(p, user, connections, runtime.settings, lang) for p in Platform]


@router.post("/api/v1/connections", status_code=201)
async def connect(body: TokenConnectIn, user: CurrentUser, work: Work, runtime: RuntimeDep) -> ConnectionOut:
    platform = Platform(body.platform)
    return ConnectionOut.of(
        await usecases.connect_token(work.session, runtime, user, platform, body.fields())
    )


@router.post("/api/v1/connections/oauth/{platform}/start")
async def oauth_start(
    platform: Platform, user: CurrentUser, work: Work, runtime: RuntimeDep
) -> OAuthStartOut:
    return OAuthStartOut(authorize_url=await usecases.start_oauth(work.session, runtime, user, platform))


@router.get("/oauth/{platform}/callback", include_in_schema=False)
async def oauth_callback(
    platform: Platform, request: Request, work: Work, runtime: RuntimeDep
) -> RedirectResponse:
    """Where the platform sends the browser back; always ends on the settings page with a notice."""
    browser_user = read_session(runtime.settings.resolved_secret_key(), request.cookies.get(SESSION_COOKIE))
    notice: dict[str, str]
    # No savepoint on purpose: a state is spent even when the exchange then fails.
    try:
        await usecases.finish_oauth(work.session, runtime, platform, dict(request.query_params), browser_user)
        notice = {"connected": platform.value}
    except Refused as exc:
        notice = {"error": exc.code, "platform": platform.value}
    return RedirectResponse(f"/settings/platforms?{urlencode(notice)}", status_code=303)


@router.get("/api/v1/connections")
async def list_connections(user: CurrentUser, work: Work) -> list[ConnectionOut]:
    return [ConnectionOut.of(c) for c in await connections_of(work.session, user)]


@router.get("/api/v1/connections/{connection_id}")
async def get_connection(connection_id: uuid.UUID, user: CurrentUser, work: Work) -> ConnectionOut:
    return ConnectionOut.of(await owned_connection(work.session, user, connection_id))


@router.post("/api/v1/connections/{connection_id}/test")
async def test_connection(
    connection_id: uuid.UUID, user: CurrentUser, work: Work, runtime: RuntimeDep
) -> ConnectionOut:
    connection = await owned_connection(work.session, user, connection_id)
    return ConnectionOut.of(await usecases.check_connection(work.session, runtime, connection))


@router.patch("/api/v1/connections/{connection_id}")
async def update_connection(
    connection_id: uuid.UUID, body: ConnectionUpdateIn, user: CurrentUser, work: Work, runtime: RuntimeDep
) -> ConnectionOut:
    connection = await owned_connection(work.session, user, connection_id)
    return ConnectionOut.of(await usecases.set_vk_target(work.session, runtime, connection, body.group_id))


@router.delete("/api/v1/connections/{connection_id}")
async def disconnect(connection_id: uuid.UUID, user: CurrentUser, work: Work) -> DisconnectOut:
    connection = await owned_connection(work.session, user, connection_id)
    cancelled = await usecases.disconnect(work.session, work.outbox, connection)
    return DisconnectOut(cancelled_publications=cancelled)
