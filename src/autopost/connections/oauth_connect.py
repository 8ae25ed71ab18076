"""Connecting by OAuth: a single-use state for the consent page, and the callback that spends it.

An OAuth callback connects only in the browser that started the flow, or one signed in as its
user (oauth_browser.py); the connection is saved like any other (usecases.save_connection).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.connections.connect_guard import counting_failures, refuse_after_too_many_failures
from autopost.connections.models import Connection, OAuthState
from autopost.connections.oauth_browser import (
    OAUTH_STATE_TTL,
    CallbackBrowser,
    callback_url,
    proves,
    state_proof,
)
from autopost.connections.usecases import refused_by_platform, require_connect, save_connection
from autopost.db import utcnow
from autopost.platforms.catalog import Platform
from autopost.platforms.errors import PlatformError
from autopost.platforms.registry import OAUTH_PLATFORMS, build_oauth
from autopost.refusals import Kind, Refused
from autopost.runtime import Runtime
from autopost.users.models import User
from autopost.workspaces.access import Member, resolve_member


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


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
    require_connect(member, platform)
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
    require_connect(member, platform)
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
