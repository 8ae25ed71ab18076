"""Connecting accounts: tokens checked live, OAuth with single-use states, disconnecting."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.connections.connect_guard import counting_failures, refuse_after_too_many_failures
from autopost.connections.models import Connection, ConnectionStatus, OAuthState
from autopost.connections.refresh import credentials_of
from autopost.connections.tokens import forget_tokens, store_tokens
from autopost.db import utcnow
from autopost.errors import ApiError
from autopost.platforms.base import AccountInfo, Credentials, TokenSet
from autopost.platforms.catalog import LIMITS, Platform
from autopost.platforms.errors import AuthExpired, PlatformError
from autopost.platforms.registry import OAUTH_PLATFORMS, build_oauth
from autopost.publications.events import EventKind, record_event
from autopost.publications.models import Publication, PublicationStatus
from autopost.queue import Outbox
from autopost.runtime import Runtime
from autopost.users.models import User
from autopost.users.plans import check_plan

OAUTH_STATE_TTL = timedelta(minutes=10)


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def require_plan(user: User, platform: Platform) -> None:
    refusal = check_plan(user.plan, platform)
    if refusal:
        raise ApiError(refusal.code, 403, **refusal.params)


async def list_connections(session: AsyncSession, user: User) -> list[Connection]:
    rows = await session.scalars(
        select(Connection)
        .where(Connection.user_id == user.id, Connection.status != ConnectionStatus.REVOKED)
        .order_by(Connection.platform, Connection.created_at)
    )
    return list(rows)


async def get_owned_connection(
    session: AsyncSession, user: User, connection_id: uuid.UUID
) -> Connection | None:
    return await session.scalar(
        select(Connection).where(Connection.id == connection_id, Connection.user_id == user.id)
    )


async def save_connection(
    session: AsyncSession,
    runtime: Runtime,
    user: User,
    platform: Platform,
    tokens: TokenSet,
    account: AccountInfo,
) -> Connection:
    """Create the connection, or renew it when the same account is connected again."""
    connection = await session.scalar(
        select(Connection).where(
            Connection.user_id == user.id,
            Connection.platform == platform,
            Connection.account_id == account.account_id,
        )
    )
    if connection is None:
        connection = Connection(user_id=user.id, platform=platform, account_id=account.account_id)
        session.add(connection)
    connection.account_name = account.name
    connection.avatar_url = account.avatar_url
    connection.meta = {**(connection.meta or {}), **dict(account.meta), **dict(tokens.meta)}
    connection.status = ConnectionStatus.ACTIVE
    connection.last_error = None
    connection.last_checked_at = utcnow()
    store_tokens(
        connection,
        runtime.vault,
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        expires_at=tokens.expires_at,
    )
    await session.flush()
    return connection


async def connect_with_token(
    session: AsyncSession, runtime: Runtime, user: User, platform: Platform, fields: Mapping[str, str]
) -> Connection:
    """Telegram (bot token + channel) or Rutube (token, or login + password), validated live."""
    require_plan(user, platform)
    if platform in OAUTH_PLATFORMS:
        raise ApiError("token_platform_only", 422, platform=LIMITS[platform].display_name)
    await refuse_after_too_many_failures(runtime, user.id)
    provider = runtime.provider(platform)
    meta: dict[str, Any] = {}
    async with counting_failures(runtime, user.id):
        if platform is Platform.TELEGRAM:
            token, meta["channel"] = fields["bot_token"], fields["channel"]
        elif fields.get("token"):
            token = fields["token"]
        else:
            from autopost.platforms.rutube import exchange_password

            token = await exchange_password(runtime.settings.rutube, fields["username"], fields["password"])
        account = await provider.verify(credentials=Credentials(access_token=token, meta=meta))
    if platform is Platform.RUTUBE:
        await _adopt_token_named_rutube_account(session, user, token, account)
    return await save_connection(
        session, runtime, user, platform, TokenSet(access_token=token, meta=meta), account
    )


def oauth_redirect_uri(runtime: Runtime, platform: Platform) -> str:
    return f"{runtime.settings.public_url.rstrip('/')}/oauth/{platform.value}/callback"


async def _adopt_token_named_rutube_account(
    session: AsyncSession, user: User, token: str, account: AccountInfo
) -> None:
    """Rutube has no "who am I": an account without videos was named after its token. Once it has
    a video it gets its real id — rename the old connection instead of adding a second one."""
    from autopost.platforms.rutube.client import token_fingerprint

    provisional = f"token-{token_fingerprint(token)}"
    if account.account_id == provisional:
        return
    earlier = await session.scalar(
        select(Connection).where(
            Connection.user_id == user.id,
            Connection.platform == Platform.RUTUBE,
            Connection.account_id == provisional,
        )
    )
    taken = await session.scalar(
        select(Connection.id).where(
            Connection.user_id == user.id,
            Connection.platform == Platform.RUTUBE,
            Connection.account_id == account.account_id,
        )
    )
    if earlier is not None and taken is None:
        earlier.account_id = account.account_id
        await session.flush()


async def start_oauth(session: AsyncSession, runtime: Runtime, user: User, platform: Platform) -> str:
    require_plan(user, platform)
    await refuse_after_too_many_failures(runtime, user.id)
    state = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(48)  # PKCE: the connector derives the S256 challenge
    row = OAuthState(
        user_id=user.id, platform=platform, state_hash=_hash(state), expires_at=utcnow() + OAUTH_STATE_TTL
    )
    row.code_verifier = runtime.vault.seal(verifier, row.binding("code_verifier"))
    session.add(row)
    await session.flush()
    return build_oauth(platform, runtime.settings).authorize_url(
        state=state, code_verifier=verifier, redirect_uri=oauth_redirect_uri(runtime, platform)
    )


async def finish_oauth(
    session: AsyncSession,
    runtime: Runtime,
    platform: Platform,
    params: Mapping[str, str],
    browser_user_id: uuid.UUID | None,
) -> Connection:
    """The callback: the state must be ours, unused, unexpired, for this platform and this user."""
    state = params.get("state", "")
    now = utcnow()
    row = await session.scalar(select(OAuthState).where(OAuthState.state_hash == _hash(state)))
    if (
        row is None
        or row.platform is not platform
        or row.used_at is not None
        or row.expires_at < now
        or (browser_user_id is not None and browser_user_id != row.user_id)
    ):
        raise ApiError("oauth_state_invalid", 400)
    used = await session.execute(
        update(OAuthState)
        .where(OAuthState.id == row.id, OAuthState.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if not used.rowcount:  # type: ignore[attr-defined]
        raise ApiError("oauth_state_invalid", 400)
    if params.get("error") or not params.get("code"):
        raise ApiError("oauth_denied", 400)
    assert row.code_verifier is not None
    verifier = runtime.vault.open(row.code_verifier, row.binding("code_verifier"))
    user = await session.get(User, row.user_id)
    assert user is not None
    async with counting_failures(runtime, user.id):
        tokens, account = await build_oauth(platform, runtime.settings).exchange(
            code=params["code"],
            code_verifier=verifier,
            redirect_uri=oauth_redirect_uri(runtime, platform),
            device_id=params.get("device_id"),
        )
    return await save_connection(session, runtime, user, platform, tokens, account)


async def test_connection(session: AsyncSession, runtime: Runtime, connection: Connection) -> Connection:
    """Ask the platform whether the connection still works, and remember the answer."""
    connection.last_checked_at = utcnow()
    try:
        credentials = credentials_of(connection, runtime)
        account = await runtime.provider(connection.platform).verify(credentials=credentials)
    except PlatformError as exc:
        connection.last_error = exc.message
        if isinstance(exc, AuthExpired) or exc.code.endswith("bad_token"):
            connection.status = ConnectionStatus.NEEDS_RECONNECT
        return connection
    connection.account_name = account.name
    connection.avatar_url = account.avatar_url or connection.avatar_url
    connection.status, connection.last_error = ConnectionStatus.ACTIVE, None
    return connection


async def choose_vk_target(
    session: AsyncSession, runtime: Runtime, connection: Connection, group_id: int | None
) -> Connection:
    """Publish from now on to the user's own page (None) or to a community they administer."""
    if connection.platform is not Platform.VK:
        raise ApiError("validation_error", 422, detail="only VK connections have communities")
    meta = dict(connection.meta or {})
    communities = {int(c["id"]): c for c in meta.get("communities", [])}
    if group_id is not None and group_id not in communities:
        raise ApiError("validation_error", 422, detail="not a community this account administers")
    meta.pop("group_id", None)
    meta.pop("target_name", None)
    if group_id is not None:
        meta["group_id"] = group_id
        meta["target_name"] = communities[group_id].get("name", "")
        # Admin rights are checked live: they may have been lost since connecting.
        await runtime.provider(Platform.VK).verify(
            credentials=replace(credentials_of(connection, runtime), meta=meta)
        )
    connection.meta = meta
    return connection


async def scheduled_count(session: AsyncSession, connection: Connection) -> int:
    rows = await session.scalars(
        select(Publication.id).where(
            Publication.connection_id == connection.id, Publication.status == PublicationStatus.SCHEDULED
        )
    )
    return len(rows.all())


async def disconnect(session: AsyncSession, outbox: Outbox, connection: Connection) -> int:
    """Delete the tokens and cancel the connection's scheduled publications; returns how many."""
    forget_tokens(connection)
    connection.status = ConnectionStatus.REVOKED
    # Conditional on `scheduled`: one a worker has just started is not cancelled behind its back.
    cancelled = (
        (
            await session.execute(
                update(Publication)
                .where(
                    Publication.connection_id == connection.id,
                    Publication.status == PublicationStatus.SCHEDULED,
                )
                .values(status=PublicationStatus.CANCELLED, updated_at=utcnow())
                .returning(Publication.id)
                .execution_options(synchronize_session=False)
            )
        )
        .scalars()
        .all()
    )
    for publication_id in cancelled:
        publication = await session.get(Publication, publication_id)
        assert publication is not None
        record_event(session, publication, EventKind.CANCELLED, "Отменено: платформа отключена")
        outbox.remove(publication.id, publication.platform)
    return len(cancelled)
