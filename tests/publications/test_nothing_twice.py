"""Nothing is posted twice: the database decides between parallel requests, and a clip already
published to an account goes there again only when the user says so ("again")."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2

from autopost.platforms.catalog import Platform
from autopost.publications.models import PublicationStatus
from autopost.runtime import Runtime
from autopost.sandbox_wiring import point_at_sandbox
from autopost.worker import WorkerProcess
from autopost_testing.world import REDIS_URL
from tests.conftest import Sandbox
from tests.support.api import Api, start_api
from tests.support.stack import Stack

TELEGRAM = {
    "platform": "telegram",
    "bot_token": "7000000001:AAHb3vQm2Xk9LpR4tZs8YwNc1DfGj6UeKoA",
    "channel": "@clipmaker_demo",
}
PARALLEL = 20


async def _answers(
    api: Api, token: str, send: Callable[[httpx2.AsyncClient], Awaitable[httpx2.Response]]
) -> list[httpx2.Response]:
    """PARALLEL copies of one request at once, each on its own connection."""
    clients = [
        httpx2.AsyncClient(base_url=api.url, headers={"Authorization": f"Bearer {token}"}, timeout=60)
        for _ in range(PARALLEL)
    ]
    try:
        return list(await asyncio.gather(*(send(client) for client in clients)))
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))


async def _burst(
    api: Api, token: str, send: Callable[[httpx2.AsyncClient], Awaitable[httpx2.Response]]
) -> Counter[int]:
    """The status codes of PARALLEL copies of one request sent at once."""
    return Counter(answer.status_code for answer in await _answers(api, token, send))


async def _until(check: Callable[[], Awaitable[bool]]) -> None:
    for _ in range(300):
        if await check():
            return
        await asyncio.sleep(0.2)
    raise AssertionError("timed out")


def _telegram_posts(sandbox: Sandbox) -> list[dict[str, Any]]:
    posts = httpx2.get(f"{sandbox.url}/_sandbox/state").json()["posts"]
    return [post for post in posts if post["platform"] == "telegram"]


def _scenario(
    tmp_path: Path, database_url: str, sandbox: Sandbox, run: Callable[..., Awaitable[None]]
) -> None:
    """The served API and a running worker, a Telegram connection and a clip; `run` does the rest.

    `run` shares its event loop with the worker, so it calls the API from a thread: a blocking call
    would freeze a worker that holds SQLite's write lock, and the API would wait for it in vain.
    """
    for api in start_api(
        tmp_path, database_url, None, sandbox_url=sandbox.url, publish_requests_per_minute=1000
    ):
        _, token = api.new_user()
        with api.client(token) as client:
            connection = client.post("/api/v1/connections", json=TELEGRAM).json()["id"]
            clip = api.upload_clip(token)

            asyncio.run(_with_worker(sandbox, run, api, token, client, str(clip["id"]), connection))


async def _with_worker(sandbox: Sandbox, run: Callable[..., Awaitable[None]], api: Api, *args: Any) -> None:
    worker = WorkerProcess(Runtime.create(point_at_sandbox(api.settings, sandbox.url), REDIS_URL))
    await worker.start()
    try:
        await run(api, *args)
    finally:
        await worker.stop()
        await worker.runtime.close()


def _listed(client: httpx2.Client) -> list[dict[str, Any]]:
    return list(client.get("/api/v1/publications").json())


def test_twenty_parallel_publish_now_requests_make_one_publication_and_one_post(
    tmp_path: Path, database_url: str, sandbox: Sandbox
) -> None:
    async def run(api: Api, token: str, client: httpx2.Client, clip: str, connection: str) -> None:
        body = {"targets": [{"connection_id": connection}]}

        def publish(http: httpx2.AsyncClient) -> Awaitable[httpx2.Response]:
            return http.post(f"/api/v1/clips/{clip}/publish", json=body)

        first = await _burst(api, token, publish)
        assert first == Counter({201: 1, 409: PARALLEL - 1})

        async def published() -> bool:
            return [p["status"] for p in await asyncio.to_thread(_listed, client)] == ["published"]

        await _until(published)
        # Once it is published, a plain "publish now" is refused too: it would be a second post.
        assert await _burst(api, token, publish) == Counter({409: PARALLEL})
        refused = await asyncio.to_thread(client.post, f"/api/v1/clips/{clip}/publish", json=body)
        assert refused.json()["error"]["code"] == "already_published"
        await asyncio.sleep(1)  # a stray job would have posted by now
        assert len(_telegram_posts(sandbox)) == 1
        assert len(await asyncio.to_thread(_listed, client)) == 1

    _scenario(tmp_path, database_url, sandbox, run)


def test_publish_again_makes_one_more_post_and_its_repeats_replay_it(
    tmp_path: Path, database_url: str, sandbox: Sandbox
) -> None:
    async def run(api: Api, token: str, client: httpx2.Client, clip: str, connection: str) -> None:
        body = {"targets": [{"connection_id": connection}]}
        once = await asyncio.to_thread(client.post, f"/api/v1/clips/{clip}/publish", json=body)
        assert once.status_code == 201, once.text

        async def all_published(count: int) -> Callable[[], Awaitable[bool]]:
            async def check() -> bool:
                statuses = [p["status"] for p in await asyncio.to_thread(_listed, client)]
                return statuses == ["published"] * count

            return check

        await _until(await all_published(1))
        # "Again" is an intent of its own; a client repeating one such request sends its
        # Idempotency-Key, and all the repeats answer with the one publication it made.
        again = {"targets": [{"connection_id": connection, "again": True}]}
        answers = await _answers(
            api,
            token,
            lambda http: http.post(
                f"/api/v1/clips/{clip}/publish", json=again, headers={"Idempotency-Key": "once-more"}
            ),
        )
        assert {answer.status_code for answer in answers} == {201}
        assert len({answer.json()[0]["id"] for answer in answers}) == 1
        await _until(await all_published(2))
        assert len(_telegram_posts(sandbox)) == 2

    _scenario(tmp_path, database_url, sandbox, run)


def test_twenty_parallel_schedules_make_one_publication(
    tmp_path: Path, database_url: str, sandbox: Sandbox
) -> None:
    async def run(api: Api, token: str, client: httpx2.Client, clip: str, connection: str) -> None:
        later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
        body = {"targets": [{"connection_id": connection}], "scheduled_at": later}
        answers = await _burst(api, token, lambda http: http.post(f"/api/v1/clips/{clip}/publish", json=body))
        assert answers == Counter({201: 1, 409: PARALLEL - 1})
        [scheduled] = await asyncio.to_thread(_listed, client)
        assert scheduled["status"] == "scheduled"

    _scenario(tmp_path, database_url, sandbox, run)


def test_twenty_parallel_retries_post_once(tmp_path: Path, database_url: str, sandbox: Sandbox) -> None:
    async def run(api: Api, token: str, client: httpx2.Client, clip: str, connection: str) -> None:
        # A refusal Telegram gives for good: the publication fails at once.
        faults = {"platform": "telegram", "fault": "server_error", "count": 1000}
        httpx2.post(f"{sandbox.url}/_sandbox/faults", json=faults).raise_for_status()
        body = {"targets": [{"connection_id": connection}]}
        created = await asyncio.to_thread(client.post, f"/api/v1/clips/{clip}/publish", json=body)
        publication = created.json()[0]["id"]

        async def failed() -> bool:
            return [p["status"] for p in await asyncio.to_thread(_listed, client)] == ["failed"]

        await _until(failed)
        httpx2.delete(f"{sandbox.url}/_sandbox/faults").raise_for_status()
        answers = await _burst(
            api, token, lambda http: http.post(f"/api/v1/publications/{publication}/retry")
        )
        assert answers[200] + answers[202] == 1 and answers[409] == PARALLEL - 1, answers

        async def published() -> bool:
            return [p["status"] for p in await asyncio.to_thread(_listed, client)] == ["published"]

        await _until(published)
        await asyncio.sleep(1)
        assert len(_telegram_posts(sandbox)) == 1

    _scenario(tmp_path, database_url, sandbox, run)


async def test_a_retry_after_the_platform_failed_processing_uploads_anew(stack: Stack) -> None:
    rutube = await stack.connect(Platform.RUTUBE)
    stack.serve_web()
    await stack.fault(Platform.RUTUBE, "processing_failed", on="video.create", count=1)
    await stack.start_worker()
    [publication_id] = await stack.publish(rutube)
    failed = await stack.wait_for(publication_id)
    assert (failed.status, failed.error_code) == (PublicationStatus.FAILED, "rutube.processing_failed")
    dead_copy = failed.checkpoint["remote_id"]

    await stack.retry(publication_id)
    done = await stack.wait_for(publication_id)

    assert done.status is PublicationStatus.PUBLISHED
    assert done.remote_id != dead_copy
    # The dead copy stays dead on Rutube; the retry made a second, good one.
    assert sorted(post["status"] for post in await stack.posts(Platform.RUTUBE)) == ["error", "ready"]
