"""Platforms and connections: connect (token or OAuth), list, test, disconnect."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from autopost.connections import service
from autopost.connections.models import Connection, ConnectionStatus
from autopost.connections.schemas import (
    ConnectionOut,
    ConnectionUpdateIn,
    DisconnectOut,
    OAuthStartOut,
    PlatformOut,
    TokenConnectIn,
)
from autopost.deps import CurrentUser, RuntimeDep, Work
from autopost.errors import ApiError, NotFound
from autopost.platforms.catalog import LIMITS, Platform, max_upload_bytes
from autopost.platforms.errors import PlatformError
from autopost.platforms.registry import OAUTH_PLATFORMS
from autopost.security.sessions import SESSION_COOKIE, read_session
from autopost.users.plans import check_plan

router = APIRouter(tags=["connections"])


@router.get("/api/v1/platforms")
async def platforms(user: CurrentUser, work: Work, runtime: RuntimeDep) -> list[PlatformOut]:
    connections = await service.list_connections(work.session, user)
    result = []
    for platform in Platform:
        refusal = check_plan(user.plan, platform)
        limits = LIMITS[platform]
        result.append(
            PlatformOut(
                platform=platform,
                name=limits.display_name,
                allowed=refusal is None,
                refusal=refusal.message if refusal else None,
                max_bytes=max_upload_bytes(
                    platform, telegram_local_server=runtime.settings.telegram.local_server
                ),
                title_max=limits.title_max,
                description_max=limits.description_max,
                connect="oauth" if platform in OAUTH_PLATFORMS else "token",
                connections=[ConnectionOut.of(c) for c in connections if c.platform is platform],
            )
        )
    return result


@router.post("/api/v1/connections", status_code=201)
async def connect(body: TokenConnectIn, user: CurrentUser, work: Work, runtime: RuntimeDep) -> ConnectionOut:
    connection = await service.connect_with_token(
        work.session, runtime, user, Platform(body.platform), body.fields()
    )
    return ConnectionOut.of(connection)


@router.post("/api/v1/connections/oauth/{platform}/start")
async def oauth_start(
    platform: Platform, user: CurrentUser, work: Work, runtime: RuntimeDep
) -> OAuthStartOut:
    if platform not in OAUTH_PLATFORMS:
        raise NotFound()
    return OAuthStartOut(authorize_url=await service.start_oauth(work.session, runtime, user, platform))


@router.get("/oauth/{platform}/callback", include_in_schema=False)
async def oauth_callback(
    platform: Platform, request: Request, work: Work, runtime: RuntimeDep
) -> RedirectResponse:
    """Where the platform sends the browser back; always ends on the settings page with a notice."""
    browser_user = read_session(runtime.settings.resolved_secret_key(), request.cookies.get(SESSION_COOKIE))
    notice: dict[str, str]
    # No savepoint on purpose: a state is spent even when the exchange then fails.
    try:
        await service.finish_oauth(work.session, runtime, platform, dict(request.query_params), browser_user)
        notice = {"connected": platform.value}
    except (ApiError, PlatformError) as exc:
        notice = {"error": exc.code, "platform": platform.value}
    return RedirectResponse(f"/settings/platforms?{urlencode(notice)}", status_code=303)


@router.get("/api/v1/connections")
async def list_connections(user: CurrentUser, work: Work) -> list[ConnectionOut]:
    return [ConnectionOut.of(c) for c in await service.list_connections(work.session, user)]


async def _owned(work: Work, user: CurrentUser, connection_id: uuid.UUID) -> Connection:
    connection = await service.get_owned_connection(work.session, user, connection_id)
    if connection is None or connection.status is ConnectionStatus.REVOKED:
        raise NotFound()
    return connection


@router.get("/api/v1/connections/{connection_id}")
async def get_connection(connection_id: uuid.UUID, user: CurrentUser, work: Work) -> ConnectionOut:
    return ConnectionOut.of(await _owned(work, user, connection_id))


@router.post("/api/v1/connections/{connection_id}/test")
async def test_connection(
    connection_id: uuid.UUID, user: CurrentUser, work: Work, runtime: RuntimeDep
) -> ConnectionOut:
    connection = await service.test_connection(work.session, runtime, await _owned(work, user, connection_id))
    return ConnectionOut.of(connection)


@router.patch("/api/v1/connections/{connection_id}")
async def update_connection(
    connection_id: uuid.UUID, body: ConnectionUpdateIn, user: CurrentUser, work: Work, runtime: RuntimeDep
) -> ConnectionOut:
    connection = await _owned(work, user, connection_id)
    return ConnectionOut.of(await service.choose_vk_target(work.session, runtime, connection, body.group_id))


@router.delete("/api/v1/connections/{connection_id}")
async def disconnect(connection_id: uuid.UUID, user: CurrentUser, work: Work) -> DisconnectOut:
    cancelled = await service.disconnect(work.session, work.outbox, await _owned(work, user, connection_id))
    return DisconnectOut(cancelled_publications=cancelled)
