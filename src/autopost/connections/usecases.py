"""Connecting accounts: tokens checked live, OAuth with single-use states, checking, disconnecting.

An OAuth callback connects only in the browser that started the flow, or one signed in as its
user (oauth_browser.py).

Each function is one user action, called by the JSON API and by the settings
pages alike: the failed-connect limit (connect_guard.py), the plan gate and the
platform's answer (turned into a Refused) are decided here, not in either adapter.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.connections.connect_guard import counting_failures, refuse_after_too_many_failures
from autopost.connections.models import SESSION_ENDS_AT, Connection, ConnectionStatus, OAuthState
from autopost.connections.oauth_browser import (
    OAUTH_STATE_TTL,
    CallbackBrowser,
    callback_url,
    proves,
    state_proof,
)
from autopost.connections.reconnect import mark_needs_reconnect
from autopost.connections.refresh import credentials_of
from autopost.connections.tokens import forget_tokens, store_tokens
from autopost.db import utcnow
from autopost.platforms.base import AccountInfo, Credentials
from autopost.platforms.catalog import WEB_SESSION_DOMAINS, ConnectionKind, Platform
from autopost.platforms.cookies import dump_jar, parse_cookie_export, session_ends_at
from autopost.platforms.errors import AuthExpired, OutcomeUnknown, PlatformError, RateLimited, Transient
from autopost.platforms.registry import OAUTH_PLATFORMS, build_oauth
from autopost.publications.usecases import cancel_for_connection
from autopost.queue import Outbox
from autopost.refusals import Kind, Refused
from autopost.runtime import Runtime
from autopost.users.models import User
from autopost.users.plans import check_plan
from autopost.workspaces.access import Action, Member, resolve_member
from autopost.workspaces.audit import AuditAction, audit

NAME_MAX = 100


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def refused_by_platform(exc: PlatformError) -> Refused:
    """The platform said no to a connect or a check: the same code and parameters, as a refusal."""
    if isinstance(exc, RateLimited):
        seconds = max(1, math.ceil(exc.retry_after))
        return Refused(exc.code, Kind.THROTTLED, **{**exc.params, "seconds": seconds})
    if isinstance(exc, Transient | OutcomeUnknown):
        return Refused(exc.code, Kind.UNAVAILABLE, **exc.params)
    return Refused(exc.code, Kind.INVALID, **exc.params)


def _require_connect(member: Member, platform: Platform) -> None:
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
    _require_connect(member, platform)
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
    _require_connect(member, platform)
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
    _require_connect(member, platform)
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


@dataclass(frozen=True)
class OAuthStart:
    """Where to send the browser, and the state cookie it keeps to prove at the callback that it started."""

    authorize_url: str
    state_cookie: str


async def start_oauth(
    session: AsyncSession, runtime: Runtime, member: Member, platform: Platform
) -> OAuthStart:
    """A single-use state for the platform's consent page, and the browser's proof of it."""
    if platform not in OAUTH_PLATFORMS:
        raise Refused("not_found", Kind.NOT_FOUND)
    _require_connect(member, platform)
    user = member.user
    # Starting a consent is not a failure; it only waits when failures already reached the limit.
    await refuse_after_too_many_failures(runtime, user.id)
    state = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(48)  # PKCE: the connector derives the S256 challenge
    row = OAuthState(
        user_id=user.id,
        workspace_id=member.workspace_id,
        platform=platform,
        state_hash=_hash(state),
        expires_at=utcnow() + OAUTH_STATE_TTL,
    )
    row.code_verifier = runtime.vault.seal(verifier, row.binding("code_verifier"))
    session.add(row)
    await session.flush()
    url = build_oauth(platform, runtime.settings).authorize_url(
        state=state, code_verifier=verifier, redirect_uri=callback_url(runtime.settings, platform)
    )
    return OAuthStart(authorize_url=url, state_cookie=state_proof(runtime.settings, state))


async def _spend_state(
    session: AsyncSession, runtime: Runtime, platform: Platform, state: str, browser: CallbackBrowser
) -> OAuthState:
    """The callback's state must be ours, unused, unexpired, for this platform, and come back to the
    browser that started it. It is spent before the browser is judged: a consent that came back to
    the wrong browser cannot be finished anywhere else either."""
    now = utcnow()
    row = await session.scalar(select(OAuthState).where(OAuthState.state_hash == _hash(state)))
    if row is None or row.platform is not platform or row.used_at is not None or row.expires_at < now:
        raise Refused("oauth_state_invalid")
    used = await session.execute(
        update(OAuthState)
        .where(OAuthState.id == row.id, OAuthState.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if not used.rowcount:  # type: ignore[attr-defined]
        raise Refused("oauth_state_invalid")
    if browser.user_id is not None and browser.user_id != row.user_id:
        raise Refused("oauth_other_user", Kind.FORBIDDEN)
    if browser.user_id is None and not proves(runtime.settings, state, browser.state_cookie):
        raise Refused("oauth_other_browser", Kind.FORBIDDEN)
    return row


async def finish_oauth(
    session: AsyncSession,
    runtime: Runtime,
    platform: Platform,
    params: Mapping[str, str],
    browser: CallbackBrowser,
) -> Connection:
    """The callback: spend the state (even when the exchange then fails), exchange the code, save."""
    row = await _spend_state(session, runtime, platform, params.get("state", ""), browser)
    if params.get("error") or not params.get("code"):
        raise Refused("oauth_denied")
    assert row.code_verifier is not None
    verifier = runtime.vault.open(row.code_verifier, row.binding("code_verifier"))
    user = await session.get(User, row.user_id)
    assert user is not None
    # Still a member who may connect accounts there (a role may have changed during the consent).
    member = await resolve_member(session, user, row.workspace_id)
    _require_connect(member, platform)
    try:
        async with counting_failures(runtime, user.id):
            tokens, account = await build_oauth(platform, runtime.settings).exchange(
                code=params["code"],
                code_verifier=verifier,
                redirect_uri=callback_url(runtime.settings, platform),
                device_id=params.get("device_id"),
            )
    except PlatformError as exc:
        raise refused_by_platform(exc) from exc
    return await save_connection(session, runtime, member, platform, tokens, account)


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
