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
from autopost.db import transaction, utcnow
from autopost.platforms.catalog import Platform
from tests.publications.checks import assert_published_once
from tests.support.stack import Stack

# The sandbox VK ID's access tokens live an hour: this puts every token issued so far past expiry.
PAST_EXPIRY = 3700


async def test_a_429_met_by_the_early_refresh_sweep_keeps_the_connection_active(stack: Stack) -> None:
    vk = await stack.connect_vk_id()
    async with transaction(stack.runtime.session_factory) as session:  # inside the sweep's margin
        connection = await session.get(Connection, vk.id)
        assert connection is not None
        connection.token_expires_at = utcnow() + timedelta(minutes=1)
    await stack.fault(Platform.VK, "rate_limit", on="oauth2/auth", count=1, retry_after=1)

    throttled = await refresh_expiring_tokens(stack.runtime)
    after_throttle = await stack.connection(vk.id)
    refreshed = await refresh_expiring_tokens(stack.runtime)

    assert (throttled, refreshed) == (0, 1)
    assert after_throttle.status is ConnectionStatus.ACTIVE and after_throttle.last_error_code is None
    connection = await stack.connection(vk.id)
    assert connection.status is ConnectionStatus.ACTIVE and connection.token_expires_at is not None
    assert after_throttle.token_expires_at is not None
    assert connection.token_expires_at > after_throttle.token_expires_at


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
