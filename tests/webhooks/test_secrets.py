"""A webhook secret is sealed at rest, re-sealed by key rotation, and never reaches logs, Redis or job data."""

from __future__ import annotations

import asyncio
import logging

import pytest
import structlog
from sqlalchemy import select, text

from autopost.connections.rotation import rotate_tokens
from autopost.db import make_engine, make_session_factory, transaction
from autopost.logs import configure_logging
from autopost.migrations import runner
from autopost.platforms.catalog import Platform
from autopost.security.vault import Vault, generate_key
from autopost.users.models import User
from autopost.users.plans import Plan
from autopost.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from autopost.workspaces.usecases import create_workspace
from autopost_testing.receiver import serve_receiver
from tests.support.stack import StackFactory
from tests.test_no_secrets import _namespace_dump
from tests.webhooks.support import register, settled, verify


async def test_key_rotation_reseals_webhook_secrets(fresh_database_url: str) -> None:
    await runner.upgrade_async(fresh_database_url)
    engine = make_engine(fresh_database_url)
    factory = make_session_factory(engine)
    old_key, new_key = generate_key(), generate_key()
    async with transaction(factory) as session:
        user = User(email="hooks@example.com", password_hash="x")
        session.add(user)
        await session.flush()
        await create_workspace(session, user, user.email, plan=Plan.PRO, workspace_id=user.id)
        endpoint = WebhookEndpoint(
            workspace_id=user.id, url="https://hooks.example.com", events=["publication.failed"]
        )
        endpoint.secret = Vault([old_key]).seal("whsec_kept", endpoint.binding())
        session.add(endpoint)
    async with engine.connect() as connection:
        stored = (await connection.execute(text("SELECT secret FROM webhook_endpoints"))).scalar_one()
    assert "whsec_kept" not in stored

    report = await rotate_tokens(factory, Vault([new_key, old_key]))
    assert report.unreadable == [] and report.resealed == 1
    async with factory() as session:
        [row] = (await session.scalars(select(WebhookEndpoint))).all()
        assert Vault([new_key]).open(row.secret, row.binding()) == "whsec_kept"
    await engine.dispose()


async def test_the_secret_reaches_no_log_line_redis_key_or_job(
    stack_factory: StackFactory, capfd: pytest.CaptureFixture[str]
) -> None:
    configure_logging(json=True, level=logging.DEBUG)
    for noisy in ("httpx2", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.DEBUG)
    try:
        with serve_receiver(answers=[500]) as receiver:
            stack = await stack_factory(
                allowed_internal_hosts=f"127.0.0.1:{receiver.port}",
                alerts_interval_seconds=0.2,
                webhook_backoff_seconds=0.1,
            )
            endpoint_id, secret = await register(stack, receiver.url)
            await stack.start_worker()
            [publication_id] = await stack.publish(await stack.connect(Platform.TELEGRAM))
            await stack.wait_for(publication_id)
            delivery: WebhookDelivery = await settled(stack, endpoint_id)
            assert delivery.status is DeliveryStatus.DELIVERED and verify(secret, receiver.received[-1])
            dump = await asyncio.to_thread(_namespace_dump, stack.settings.redis_namespace)
    finally:
        logging.getLogger().handlers.clear()
        structlog.reset_defaults()
    out, err = capfd.readouterr()
    logged = out + err
    assert "webhook_attempt" in logged  # the logs were really captured
    assert f"{delivery.id}-1" in dump  # and the webhook jobs were really read
    for leak in (secret, secret.removeprefix("whsec_")):
        assert leak not in logged and leak not in dump
