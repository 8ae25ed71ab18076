"""When a platform pushes back: a 429 delays only its account's work, an expired token is refreshed once.

Real providers against the sandbox; the sandbox's VK ID spends refresh tokens single-use,
so a refresh made twice at once would fail one of them and the connection would need a reconnect.
"""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis

from autopost.connections.models import Connection, ConnectionStatus
from autopost.connections.tokens import open_access_token, open_refresh_token
from autopost.platforms.catalog import Platform
from autopost.publications.models import PublicationStatus
from autopost.queue import publish_queue_name
from autopost.settings import VkSettings
from tests.publications.checks import assert_published_once
from tests.support.stack import Stack, StackFactory

# The sandbox VK ID's access tokens live an hour: this puts every token issued so far past expiry.
PAST_EXPIRY = 3700


def _bot_id(connection: Connection, stack: Stack) -> str:
    token = open_access_token(connection, stack.runtime.vault)
    assert token is not None
    return token.split(":", 1)[0]


async def test_a_429_delays_only_its_account_and_uses_no_attempt(stack: Stack) -> None:
    noisy, quiet = [await stack.connect_seeded(Platform.TELEGRAM) for _ in range(2)]
    # Telegram tells one bot to wait a minute; the other bot is not told anything.
    await stack.fault(
        Platform.TELEGRAM,
        "rate_limit",
        on="sendVideo",
        count=1,
        retry_after=60,
        account=_bot_id(noisy, stack),
    )
    await stack.start_worker()
    [held] = await stack.publish(noisy)
    for _ in range(400):
        if "rate_limited" in await stack.event_kinds(held):
            break
        await asyncio.sleep(0.05)
    [other] = await stack.publish(quiet)

    published = await stack.wait_for(other)
    await assert_published_once(stack, published)
    # The noisy bot's publication waits out its minute: the same attempt, delayed, nothing posted.
    waiting = await stack.publication(held)
    assert (waiting.status, waiting.attempts) == (PublicationStatus.PUBLISHING, 1)
    assert await stack.runtime.queues.job_state(held, Platform.TELEGRAM) == "delayed"
    [rate_limited] = [e for e in await stack.events(held) if e.kind == "rate_limited"]
    assert rate_limited.data == {"retry_after": 60.0}
    assert len(await stack.posts()) == 1
    # And the queue itself was never paused (BullMQ's limiter key is how a whole-queue pause shows).
    limiter = f"{stack.settings.redis_namespace}:{publish_queue_name(Platform.TELEGRAM)}:limiter"
    async with aioredis.Redis.from_url(stack.redis_url) as client:
        assert await client.exists(limiter) == 0


async def test_after_a_429_the_publication_resumes_once_the_wait_is_over(stack: Stack) -> None:
    telegram = await stack.connect(Platform.TELEGRAM)
    await stack.fault(Platform.TELEGRAM, "rate_limit", on="sendVideo", count=1, retry_after=1)
    await stack.start_worker()
    [publication_id] = await stack.publish(telegram)
    publication = await stack.wait_for(publication_id)

    await assert_published_once(stack, publication)
    assert publication.attempts == 1
    events = await stack.events(publication_id)
    assert [e.kind for e in events].count("started") == 1
    [rate_limited] = [e for e in events if e.kind == "rate_limited"]
    assert rate_limited.data == {"retry_after": 1.0}
    assert (await stack.sandbox_state())["faults"] == []
    assert len(await stack.posts()) == 1


async def test_an_expired_vk_token_is_refreshed_once_and_the_publication_goes_on(stack: Stack) -> None:
    vk = await stack.connect_vk_id()
    first_access = open_access_token(vk, stack.runtime.vault)
    first_refresh = open_refresh_token(vk, stack.runtime.vault)
    await stack.control("/clock", {"advance": PAST_EXPIRY})
    await stack.start_worker()
    [publication_id] = await stack.publish(vk)

    publication = await stack.wait_for(publication_id)
    post = await assert_published_once(stack, publication)
    assert post["owner"] == "1001" and publication.attempts == 1
    assert len(await stack.posts()) == 1
    assert [call.ok for call in stack.calls_of("refresh")] == [True]
    # The first call met the expired token; the rest (with the new one, and any processing polls) went through.
    first, *rest = [call.ok for call in stack.calls_of("publish")]
    assert first is False and rest and all(rest)
    assert (await stack.event_kinds(publication_id)).count("token_refreshed") == 1
    connection = await stack.connection(vk.id)
    assert connection.status is ConnectionStatus.ACTIVE and connection.last_error_code is None
    assert open_access_token(connection, stack.runtime.vault) not in (None, first_access)
    assert open_refresh_token(connection, stack.runtime.vault) not in (None, first_refresh)


async def test_two_workers_never_refresh_one_connection_at_once(
    stack_factory: StackFactory, stack_clip_file
) -> None:
    # A lifted allowance lets every job start at once, so both workers meet the expired token together.
    stack = await stack_factory(vk=VkSettings(token_limit="1000/second"))
    await stack.control("/config", {"enforce_rate_limits": False})
    vk = await stack.connect_vk_id()
    clips = [stack.clip] + [await stack.add_clip(stack_clip_file) for _ in range(5)]
    await stack.control("/clock", {"advance": PAST_EXPIRY})
    ids = [(await stack.publish(vk, clip=clip, title=f"Клип {n}"))[0] for n, clip in enumerate(clips)]
    # Two workers as two processes would have them: separate runtimes (database pools, Redis
    # clients, providers), each taking half the jobs at a time.
    for runtime in (stack.runtime, stack.new_runtime()):
        await stack.start_worker(runtime, platforms=[Platform.VK], concurrency=len(ids) // 2, periodic=False)

    publications = [await stack.wait_for(publication_id) for publication_id in ids]
    assert [p.status for p in publications] == [PublicationStatus.PUBLISHED] * len(ids)
    posts = await stack.posts(Platform.VK)
    assert sorted(p["remote_id"] for p in posts) == sorted(str(p.remote_id) for p in publications)
    assert {p["sha256"] for p in posts} == {stack.clip.sha256}
    assert {call.runtime for call in stack.calls_of("publish")} == {0, 1}
    # One refresh for the connection; everyone else waited on the lock and took the new token.
    assert [call.ok for call in stack.calls_of("refresh")] == [True]
    assert (await stack.connection(vk.id)).status is ConnectionStatus.ACTIVE
    assert [p.attempts for p in publications] == [1] * len(ids)
    for publication_id in ids:
        kinds = await stack.event_kinds(publication_id)
        assert kinds.count("started") == 1 and kinds[-1] == "published" and "failed" not in kinds
