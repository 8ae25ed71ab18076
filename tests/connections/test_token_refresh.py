"""Refreshing a connection's token while the platform's OAuth server pushes back.

A throttled refresh (HTTP 429 from the token endpoint) says nothing about the
token: the connection stays active, the publication waits as for any 429 (no
attempt used) and goes on once the refresh succeeds. Real providers against the
sandbox, whose token endpoints take injected faults.
"""

from __future__ import annotations

from datetime import timedelta

from autopost.connections.maintenance import refresh_expiring_tokens
from autopost.connections.models import Connection, ConnectionStatus
from autopost.connections.tokens import open_refresh_token
from autopost.connections.usecases import save_connection
from autopost.db import transaction, utcnow
from autopost.platforms.base import Credentials
from autopost.platforms.catalog import Platform
from autopost.platforms.dzen import DzenProvider
from autopost.workspaces.access import resolve_member
from tests.platforms.dzen_support import connect
from tests.publications.checks import assert_published_once
from tests.support.stack import Stack

# The sandbox VK ID's access tokens live an hour: this puts every token issued so far past expiry.
PAST_EXPIRY = 3700


async def connect_dzen_expiring(stack: Stack) -> Connection:
    """A Дзен connection made through Yandex OAuth whose access token is about to expire."""
    provider = DzenProvider(stack.settings.dzen)
    credentials, _ = await connect(stack.sandbox, provider)
    account = await provider.verify(credentials=credentials)
    # Inside the engine's refresh margin: the next use refreshes first.
    tokens = Credentials(credentials.access_token, credentials.refresh_token, utcnow() + timedelta(minutes=1))
    async with transaction(stack.runtime.session_factory) as session:
        member = await resolve_member(session, await session.merge(stack.user), None)
        return await save_connection(session, stack.runtime, member, Platform.DZEN, tokens, account)


async def test_a_429_while_refreshing_a_dzen_token_keeps_the_connection_active(stack: Stack) -> None:
    dzen = await connect_dzen_expiring(stack)
    first_refresh = open_refresh_token(dzen, stack.runtime.vault)
    await stack.fault(Platform.DZEN, "rate_limit", on="oauth.token", count=1, retry_after=1)
    # No sweeper: its early refresh would meet the fault before the publication does (see below).
    await stack.start_worker(periodic=False)
    [publication_id] = await stack.publish(dzen)

    publication = await stack.wait_for(publication_id)

    await assert_published_once(stack, publication)
    assert publication.attempts == 1
    kinds = await stack.event_kinds(publication_id)
    assert kinds.count("rate_limited") == 1 and "retry_scheduled" not in kinds
    connection = await stack.connection(dzen.id)
    assert connection.status is ConnectionStatus.ACTIVE and connection.last_error_code is None
    # The second refresh went through: Yandex issued a new refresh token and spent the old one.
    assert open_refresh_token(connection, stack.runtime.vault) not in (None, first_refresh)
    assert (await stack.sandbox_state())["faults"] == []


async def test_a_429_met_by_the_early_refresh_sweep_keeps_the_connection_active(stack: Stack) -> None:
    dzen = await connect_dzen_expiring(stack)
    await stack.fault(Platform.DZEN, "rate_limit", on="oauth.token", count=1, retry_after=1)

    throttled = await refresh_expiring_tokens(stack.runtime)
    after_throttle = await stack.connection(dzen.id)
    refreshed = await refresh_expiring_tokens(stack.runtime)

    assert (throttled, refreshed) == (0, 1)
    assert after_throttle.status is ConnectionStatus.ACTIVE and after_throttle.last_error_code is None
    connection = await stack.connection(dzen.id)
    assert connection.status is ConnectionStatus.ACTIVE and connection.token_expires_at is not None
    assert connection.token_expires_at > utcnow() + timedelta(days=300)


async def test_a_429_while_refreshing_a_vk_token_waits_without_using_an_attempt(stack: Stack) -> None:
    vk = await stack.connect_vk_id()
    first_refresh = open_refresh_token(vk, stack.runtime.vault)
    await stack.control("/clock", {"advance": PAST_EXPIRY})
    await stack.fault(Platform.VK, "rate_limit", on="oauth2/auth", count=1, retry_after=1)
    await stack.start_worker()
    [publication_id] = await stack.publish(vk)

    publication = await stack.wait_for(publication_id)

    await assert_published_once(stack, publication)
    assert publication.attempts == 1
    kinds = await stack.event_kinds(publication_id)
    assert kinds.count("rate_limited") == 1 and "retry_scheduled" not in kinds
    assert [call.ok for call in stack.calls_of("refresh")] == [False, True]
    connection = await stack.connection(vk.id)
    assert connection.status is ConnectionStatus.ACTIVE and connection.last_error_code is None
    assert open_refresh_token(connection, stack.runtime.vault) not in (None, first_refresh)
