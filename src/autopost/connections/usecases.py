"""Connecting accounts: tokens and web sessions checked live, checking, renaming, disconnecting.

The OAuth flow is oauth_connect.py; both end in save_connection here.

Each function is one user action, called by the JSON API and by the settings
pages alike: the failed-connect limit (connect_guard.py), the plan gate and the
platform's answer (turned into a Refused) are decided here, not in either adapter.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.connections.connect_guard import counting_failures, refuse_after_too_many_failures
from autopost.connections.models import SESSION_ENDS_AT, Connection, ConnectionStatus
from autopost.connections.reconnect import mark_needs_reconnect
from autopost.connections.refresh import credentials_of
from autopost.connections.tokens import forget_tokens, store_tokens
from autopost.db import utcnow
from autopost.platforms.base import AccountInfo, Credentials
from autopost.platforms.catalog import WEB_SESSION_DOMAINS, ConnectionKind, Platform
from autopost.platforms.cookies import dump_jar, parse_cookie_export, session_ends_at
from autopost.platforms.errors import AuthExpired, OutcomeUnknown, PlatformError, RateLimited, Transient
from autopost.platforms.registry import OAUTH_PLATFORMS
from autopost.publications.usecases import cancel_for_connection
from autopost.queue import Outbox
from autopost.refusals import Kind, Refused
from autopost.runtime import Runtime
from autopost.users.plans import check_plan
from autopost.workspaces.access import Action, Member
from autopost.workspaces.audit import AuditAction, audit

NAME_MAX = 100


def refused_by_platform(exc: PlatformError) -> Refused:
    """The platform said no to a connect or a check: the same code and parameters, as a refusal."""
    if isinstance(exc, RateLimited):
        seconds = max(1, math.ceil(exc.retry_after))
        return Refused(exc.code, Kind.THROTTLED, **{**exc.params, "seconds": seconds})
    if isinstance(exc, Transient | OutcomeUnknown):
        return Refused(exc.code, Kind.UNAVAILABLE, **exc.params)
    return Refused(exc.code, Kind.INVALID, **exc.params)


def require_connect(member: Member, platform: Platform) -> None:
    """The member's role may connect accounts, and the workspace's plan includes the platform."""
    member.require(Action.CONNECT)
    refusal = check_plan(member.workspace.plan, platform, Kind.FORBIDDEN)
    if refusal:
        raise refusal


async def save_connection(
    session: AsyncSession,
    runtime: Runtime,
    member: Member,
    platform: Platform,
    tokens: Credentials,
    account: AccountInfo,
) -> Connection:
    """Create the connection, or renew it when the same account is connected again."""
    connection = await session.scalar(
        select(Connection).where(
            Connection.workspace_id == member.workspace_id,
            Connection.platform == platform,
            Connection.kind == tokens.kind,
            Connection.account_id == account.account_id,
        )
    )
    if connection is None:
        connection = Connection(
            workspace_id=member.workspace_id,
            platform=platform,
            kind=tokens.kind,
            account_id=account.account_id,
        )
        session.add(connection)
    connection.account_name = account.name
    connection.avatar_url = account.avatar_url
    connection.meta = {**(connection.meta or {}), **dict(account.meta), **dict(tokens.meta)}
    connection.status = ConnectionStatus.ACTIVE
    connection.set_error(None)
    connection.last_checked_at = utcnow()
    store_tokens(
        connection,
        runtime.vault,
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        expires_at=tokens.expires_at,
    )
    await session.flush()
    audit(
        session,
        member,
        AuditAction.CONNECTED,
        platform=platform.value,
        account=connection.shown_name,
        connection_id=str(connection.id),
    )
    return connection


async def connect_token(
    session: AsyncSession, runtime: Runtime, member: Member, platform: Platform, fields: Mapping[str, str]
) -> Connection:
    """Telegram (bot token + channel) or Rutube (token, or login + password), validated live."""
    require_connect(member, platform)
    user = member.user
    await refuse_after_too_many_failures(runtime, user.id)
    if platform in OAUTH_PLATFORMS:
        raise Refused("token_platform_only", platform=platform.value)
    if platform in WEB_SESSION_DOMAINS:  # Dzen: only through a browser session
        raise Refused("session_platform_only", platform=platform.value)
    meta: dict[str, Any] = {}
    try:
        async with counting_failures(runtime, user.id):
            if platform is Platform.TELEGRAM:
                token, meta["channel"] = fields["bot_token"], fields["channel"]
            elif fields.get("token"):
                token = fields["token"]
            else:
                from autopost.platforms.rutube import exchange_password

                token = await exchange_password(
                    runtime.settings.rutube, fields["username"], fields["password"]
                )
            credentials = Credentials(access_token=token, meta=meta)
            account = await runtime.provider(platform).verify(credentials=credentials)
    except PlatformError as exc:
        raise refused_by_platform(exc) from exc
    if platform is Platform.RUTUBE:
        await _adopt_token_named_rutube_account(session, member, token, account)
    return await save_connection(
        session, runtime, member, platform, Credentials(access_token=token, meta=meta), account
    )


async def connect_refresh_token(
    session: AsyncSession, runtime: Runtime, member: Member, platform: Platform, secret: str
) -> Connection:
    """A Rutube SSO account: its refreshToken (or a cookie export holding it) spent for a JWT.

    The pasted token is spent by the exchange (Rutube rotates it); the rotated one is stored
    with the connection, so the browser's copy no longer works — signing out there ends it all.
    """
    require_connect(member, platform)
    user = member.user
    await refuse_after_too_many_failures(runtime, user.id)
    if platform is not Platform.RUTUBE:
        raise Refused("token_platform_only", platform=platform.value)
    from autopost.platforms.rutube.sso import refresh_token_of

    provider = runtime.provider(platform)
    try:
        async with counting_failures(runtime, user.id):
            pasted = Credentials(
                access_token="", refresh_token=refresh_token_of(secret), kind=ConnectionKind.REFRESH_TOKEN
            )
            tokens = await provider.refresh(credentials=pasted)
            account = await provider.verify(credentials=tokens)
    except PlatformError as exc:
        raise refused_by_platform(exc) from exc
    return await save_connection(session, runtime, member, platform, tokens, account)


def rename_connection(connection: Connection, name: str | None) -> Connection:
    """The user's own name for a connection; an empty one goes back to the platform's name.

    Control characters are dropped and the name cut to NAME_MAX, so a form post cannot fail on them.
    """
    printable = "".join(ch for ch in (name or "") if ch.isprintable())
    connection.display_name = printable.strip()[:NAME_MAX] or None
    return connection


async def connect_web_session(
    session: AsyncSession, runtime: Runtime, member: Member, platform: Platform, export: str
) -> Connection:
    """A person's signed-in browser session (a cookie export), validated live by the platform.

    The export is read only for the platform's own domains; what is kept is those cookies,
    sealed like a token. A wrong export counts as a failed connect, like a wrong token.
    """
    require_connect(member, platform)
    user = member.user
    await refuse_after_too_many_failures(runtime, user.id)
    domains = WEB_SESSION_DOMAINS.get(platform)
    if domains is None:
        raise Refused("web_session_unsupported", platform=platform.value)
    try:
        async with counting_failures(runtime, user.id):
            jar = parse_cookie_export(export, domains=domains)
            credentials = Credentials(access_token=dump_jar(jar), kind=ConnectionKind.WEB_SESSION)
            account = await runtime.provider(platform).verify(credentials=credentials)
    except PlatformError as exc:
        raise refused_by_platform(exc) from exc
    connection = await save_connection(session, runtime, member, platform, credentials, account)
    # Not secret, and what the maintenance pass warns by (connection.expiring) before it ends.
    ends = session_ends_at(jar)
    connection.meta = {**(connection.meta or {}), SESSION_ENDS_AT: ends.isoformat() if ends else None}
    return connection


async def _adopt_token_named_rutube_account(
    session: AsyncSession, member: Member, token: str, account: AccountInfo
) -> None:
    """Rutube has no "who am I": an account without videos was named after its token. Once it has
    a video it gets its real id — rename the old connection instead of adding a second one."""
    from autopost.platforms.rutube.client import token_fingerprint

    provisional = f"token-{token_fingerprint(token)}"
    if account.account_id == provisional:
        return
    earlier = await session.scalar(
        select(Connection).where(
            Connection.workspace_id == member.workspace_id,
            Connection.platform == Platform.RUTUBE,
            Connection.account_id == provisional,
        )
    )
    taken = await session.scalar(
        select(Connection.id).where(
            Connection.workspace_id == member.workspace_id,
            Connection.platform == Platform.RUTUBE,
            Connection.account_id == account.account_id,
        )
    )
    if earlier is not None and taken is None:
        earlier.account_id = account.account_id
        await session.flush()


async def check_connection(session: AsyncSession, runtime: Runtime, connection: Connection) -> Connection:
    """Ask the platform whether the connection still works, and remember the answer on it."""
    connection.last_checked_at = utcnow()
    try:
        credentials = credentials_of(connection, runtime)
        account = await runtime.provider(connection.platform).verify(credentials=credentials)
    except PlatformError as exc:
        if isinstance(exc, AuthExpired) or exc.code.endswith("bad_token"):
            mark_needs_reconnect(session, connection, exc.code, exc.params)
        else:
            connection.set_error(exc.code, exc.params)
        return connection
    connection.account_name = account.name
    connection.avatar_url = account.avatar_url or connection.avatar_url
    connection.status = ConnectionStatus.ACTIVE
    connection.set_error(None)
    return connection


async def set_vk_target(
    session: AsyncSession, runtime: Runtime, connection: Connection, group_id: int | None
) -> Connection:
    """Publish from now on to the user's own page (None) or to a community they administer."""
    if connection.platform is not Platform.VK:
        raise Refused("validation_error", detail="only VK connections have communities")
    meta = dict(connection.meta or {})
    communities = {int(c["id"]): c for c in meta.get("communities", [])}
    if group_id is not None and group_id not in communities:
        raise Refused("validation_error", detail="not a community this account administers")
    meta.pop("group_id", None)
    meta.pop("target_name", None)
    if group_id is not None:
        meta["group_id"] = group_id
        meta["target_name"] = communities[group_id].get("name", "")
        # Admin rights are checked live: they may have been lost since connecting.
        try:
            await runtime.provider(Platform.VK).verify(
                credentials=replace(credentials_of(connection, runtime), meta=meta)
            )
        except PlatformError as exc:
            raise refused_by_platform(exc) from exc
    connection.meta = meta
    return connection


async def disconnect(session: AsyncSession, outbox: Outbox, member: Member, connection: Connection) -> int:
    """Delete the tokens and cancel the connection's scheduled publications; returns how many."""
    forget_tokens(connection)
    connection.status = ConnectionStatus.REVOKED
    cancelled = await cancel_for_connection(session, outbox, connection)
    audit(
        session,
        member,
        AuditAction.DISCONNECTED,
        platform=connection.platform.value,
        account=connection.shown_name,
        connection_id=str(connection.id),
        cancelled=cancelled,
    )
    return cancelled
