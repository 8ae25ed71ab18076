"""`autopost publish` as a script runs it: a subprocess talking HTTP to a running app, worker and sandbox.

The app serves on a real port, an in-process worker publishes through the sandbox's Telegram and
Rutube, and the command (Russian locale) uploads, publishes to both and follows them.
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from autopost.clips.models import Clip
from autopost.platforms.catalog import Platform
from autopost_testing.demo import api_token
from tests.support.servers import free_port
from tests.support.stack import Stack, later

LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")


@dataclass
class Ran:
    code: int
    out: str
    err: str


async def _publish(stack: Stack, *args: str, url: str | None = None, token: str | None = None) -> Ran:
    """`autopost publish ARGS` in a subprocess; the worker keeps running in this event loop meanwhile."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOPOST_") and k not in LOCALE_VARIABLES}
    env["LANG"] = "ru_RU.UTF-8"
    env["AUTOPOST_API_URL"] = url or stack.serve_web()
    env["AUTOPOST_API_TOKEN"] = token if token is not None else await api_token(stack.runtime, stack.user)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "autopost", "publish", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return Ran(process.returncode, out.decode(), err.decode())


async def _targets(stack: Stack) -> list[str]:
    telegram = await stack.connect(Platform.TELEGRAM)
    rutube = await stack.connect(Platform.RUTUBE)
    return [str(telegram.id), str(rutube.id)]


async def test_publish_to_two_connections_waits_until_both_are_published(
    stack: Stack, stack_clip_file: Path
) -> None:
    await stack.start_worker()
    telegram, rutube = await _targets(stack)
    ran = await _publish(stack, str(stack_clip_file), "--to", telegram, "--to", rutube, "--title", "Урок 1")
    assert ran.code == 0, ran
    assert "Загрузка" in ran.err and "100 %" in ran.err  # the upload's progress, beside the output
    lines = ran.out.splitlines()
    assert any(line.startswith("Telegram · ") and "опубликовано https://t.me/" in line for line in lines)
    assert any(line.startswith("Rutube · ") and "опубликовано https://rutube.ru/" in line for line in lines)
    posts = await stack.posts()
    assert sorted(p["platform"] for p in posts) == ["rutube", "telegram"]


async def test_no_wait_prints_the_ids_and_a_failed_target_fails_the_command(
    stack: Stack, stack_clip_file: Path
) -> None:
    telegram, rutube = await _targets(stack)
    at = later(3600).isoformat()
    ran = await _publish(stack, str(stack_clip_file), "--to", f"{telegram},{rutube}", "--at", at, "--no-wait")
    assert ran.code == 0, ran
    rows = [line.split("\t") for line in ran.out.splitlines()]
    assert sorted((platform, status) for _, platform, status in rows) == [
        ("rutube", "scheduled"),
        ("telegram", "scheduled"),
    ]
    for publication_id, _, _ in rows:
        assert (await stack.publication(uuid.UUID(publication_id))).scheduled_at is not None

    await stack.start_worker()
    await stack.fault(Platform.TELEGRAM, "token_expired", on="sendVideo", count=10)
    ran = await _publish(stack, str(stack_clip_file), "--to", telegram, "--title", "Второй")
    assert ran.code == 1, ran
    assert ran.out.splitlines()[-1].startswith("Telegram · ")
    assert "Ошибка" in ran.out.splitlines()[-1]


async def test_clear_errors_and_nothing_uploaded(stack: Stack, stack_clip_file: Path, tmp_path: Path) -> None:
    telegram, _ = await _targets(stack)
    missing = await _publish(stack, str(tmp_path / "нет.mp4"), "--to", telegram)
    assert (missing.code, missing.err.strip()) == (2, f"Файл не найден: {tmp_path / 'нет.mp4'}")
    unknown = await _publish(stack, str(stack_clip_file), "--to", "11111111-1111-1111-1111-111111111111")
    assert (
        unknown.code == 2 and "Неизвестное подключение: 11111111-1111-1111-1111-111111111111" in unknown.err
    )
    assert telegram in unknown.err  # what the workspace has, to pick from
    wrong = await _publish(stack, str(stack_clip_file), "--to", telegram, token="ap_wrong")
    assert wrong.code == 2 and "Сервер не принял токен" in wrong.err
    down = await _publish(
        stack, str(stack_clip_file), "--to", telegram, url=f"http://127.0.0.1:{free_port()}"
    )
    assert down.code == 2 and "недоступен" in down.err
    unset = await _publish(stack, str(stack_clip_file), "--to", telegram, token="")
    assert unset.code == 2 and "AUTOPOST_API_TOKEN не задан" in unset.err
    assert await stack.posts() == []
    async with stack.work() as (session, _):
        clips = select(func.count()).select_from(Clip).where(Clip.workspace_id == stack.user.id)
        assert await session.scalar(clips) == 1  # the stack's own: the refused runs uploaded nothing
