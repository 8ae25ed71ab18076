"""Platforms and connections: connect (token or OAuth), list, test, disconnect.

The OAuth callback, where the browser comes back to a page, is web/pages_settings.py's.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from autopost.connections import oauth_connect, usecases
from autopost.connections.oauth_browser import keep_state_cookie
from autopost.connections.queries import list_connections as connections_of
from autopost.connections.queries import owned_connection
from autopost.connections.schemas import (
    ConnectionOut,
    ConnectionUpdateIn,
    DisconnectOut,
    OAuthStartOut,
    PlatformOut,
    TokenConnectIn,
    WebSessionConnectIn,
)
from autopost.deps import CurrentMember, Reader, RuntimeDep, Work
from autopost.platforms.catalog import Platform
from autopost.workspaces.access import Action

router = APIRouter(tags=["connections"])


@router.get("/api/v1/platforms")
async def platforms(
    member: CurrentMember, lang: Reader, work: Work, runtime: RuntimeDep
) -> list[PlatformOut]:
    connections = await connections_of(work.session, member)
    return [PlatformOut.of(p, member.workspace.plan, connections, runtime.settings, lang) for p in Platform]


@router.post("/api/v1/connections", status_code=201)
async def connect(
    body: WebSessionConnectIn | TokenConnectIn,
    member: CurrentMember,
    lang: Reader,
    work: Work,
    runtime: RuntimeDep,
) -> ConnectionOut:
    platform = Platform(body.platform)
    if isinstance(body, WebSessionConnectIn):
        connection = await usecases.connect_web_session(work.session, runtime, member, platform, body.session)
    elif body.refresh_token:
        connection = await usecases.connect_refresh_token(
            work.session, runtime, member, platform, body.refresh_token
        )
    else:
        connection = await usecases.connect_token(work.session, runtime, member, platform, body.fields())
    return ConnectionOut.of(connection, lang)


@router.post("/api/v1/connections/oauth/{platform}/start")
async def oauth_start(
    platform: Platform, response: Response, member: CurrentMember, work: Work, runtime: RuntimeDep
) -> OAuthStartOut:
    """The consent URL. The state cookie proves the flow only to a caller that is the user's browser;
    a server passing the URL on needs the user's browser signed in to autopost (oauth_browser.py)."""
    started = await oauth_connect.start_oauth(work.session, runtime, member, platform)
    keep_state_cookie(response, runtime.settings, platform, started.state_cookie)
    return OAuthStartOut(authorize_url=started.authorize_url)


@router.get("/api/v1/connections")
async def list_connections(member: CurrentMember, lang: Reader, work: Work) -> list[ConnectionOut]:
    return [ConnectionOut.of(c, lang) for c in await connections_of(work.session, member)]


@router.get("/api/v1/connections/{connection_id}")
async def get_connection(
    connection_id: uuid.UUID, member: CurrentMember, lang: Reader, work: Work
) -> ConnectionOut:
    return ConnectionOut.of(await owned_connection(work.session, member, connection_id), lang)


@router.post("/api/v1/connections/{connection_id}/test")
async def test_connection(
    connection_id: uuid.UUID, member: CurrentMember, lang: Reader, work: Work, runtime: RuntimeDep
) -> ConnectionOut:
    connection = await owned_connection(work.session, member, connection_id, to=Action.CONNECT)
    return ConnectionOut.of(await usecases.check_connection(work.session, runtime, connection), lang)


@router.patch("/api/v1/connections/{connection_id}")
async def update_connection(
    connection_id: uuid.UUID,
    body: ConnectionUpdateIn,
    member: CurrentMember,
    lang: Reader,
    work: Work,
    runtime: RuntimeDep,
) -> ConnectionOut:
    connection = await owned_connection(work.session, member, connection_id, to=Action.CONNECT)
    if "name" in body.model_fields_set:
        connection = usecases.rename_connection(connection, body.name)
    if "group_id" in body.model_fields_set or not body.model_fields_set:
        connection = await usecases.set_vk_target(work.session, runtime, connection, body.group_id)
    return ConnectionOut.of(connection, lang)


@router.delete("/api/v1/connections/{connection_id}")
async def disconnect(connection_id: uuid.UUID, member: CurrentMember, work: Work) -> DisconnectOut:
    connection = await owned_connection(work.session, member, connection_id, to=Action.CONNECT)
    cancelled = await usecases.disconnect(work.session, work.outbox, member, connection)
    return DisconnectOut(cancelled_publications=cancelled)
