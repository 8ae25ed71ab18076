"""The `autopost` command line."""

from __future__ import annotations

import asyncio
import logging
import secrets
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Annotated, TypeVar

import typer
import uvicorn
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.connections.rotation import RotationReport, rotate_tokens
from autopost.db import make_engine, make_session_factory, transaction, utcnow
from autopost.i18n import render
from autopost.logs import configure_logging
from autopost.migrations import runner
from autopost.platforms.catalog import Platform
from autopost.refusals import Refused
from autopost.security.vault import generate_key
from autopost.settings import Settings, get_settings
from autopost.users.models import User
from autopost.users.passwords import set_password
from autopost.users.plans import Plan
from autopost.users.service import (
    AccountError,
    create_api_token,
    create_user,
    get_user_by_email,
    normalize_email,
)
from autopost.users.tokens import TokenState, list_api_tokens, revoke_api_token_by_id, token_state

app = typer.Typer(
    help="autopost: публикация клипов в VK Клипы, Rutube, Дзен и Telegram.", no_args_is_help=True
)
users_app = typer.Typer(help="Пользователи.", no_args_is_help=True)
tokens_app = typer.Typer(help="API-токены.", no_args_is_help=True)
keys_app = typer.Typer(help="Ключи шифрования токенов платформ.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(keys_app, name="keys")

T = TypeVar("T")


def _in_session(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async def run() -> T:
        engine = make_engine(settings.resolved_database_url)
        try:
            async with transaction(make_session_factory(engine)) as session:
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(run())


async def _user(session: AsyncSession, email: str) -> User:
    user = await get_user_by_email(session, email)
    if user is None:
        raise AccountError(f"Пользователь {email} не найден")
    return user


def _message(exc: AccountError | Refused) -> str:
    return render(exc.code, "ru", **exc.params) if isinstance(exc, Refused) else str(exc)


def _fail(message: str) -> typer.Exit:
    typer.secho(message, fg=typer.colors.RED, err=True)
    return typer.Exit(code=1)


@app.command()
def migrate() -> None:
    """Bring the database schema up to date."""
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    runner.upgrade(settings.resolved_database_url)
    typer.echo("Схема базы данных обновлена.")


@users_app.command("create")
def users_create(
    email: str,
    plan: Annotated[Plan, typer.Option(help="Тариф: free, start, pro, business.")] = Plan.FREE,
    password: Annotated[str | None, typer.Option(help="Пароль; без него будет создан случайный.")] = None,
) -> None:
    """Create a user."""
    try:
        user, generated = _in_session(
            get_settings(), lambda s: create_user(s, email, plan=plan, password=password)
        )
    except (AccountError, ValueError) as exc:
        raise _fail(str(exc)) from exc
    typer.echo(f"Пользователь {user.email} создан, тариф {user.plan.value}.")
    if generated:
        typer.echo(f"Пароль (показывается один раз): {generated}")


@users_app.command("set-password")
def users_set_password(
    email: str,
    password: Annotated[
        str | None, typer.Option(help="Новый пароль; без него будет создан случайный.")
    ] = None,
) -> None:
    """Give a user a new password; every browser session of theirs ends (API tokens stay)."""
    new_password = password or secrets.token_urlsafe(12)

    async def work(session: AsyncSession) -> int:
        return await set_password(session, await _user(session, email), new_password)

    try:
        ended = _in_session(get_settings(), work)
    except (AccountError, Refused) as exc:
        raise _fail(_message(exc)) from exc
    typer.echo(f"Пароль {normalize_email(email)} изменён. Сессий завершено: {ended}.")
    if password is None:
        typer.echo(f"Пароль (показывается один раз): {new_password}")


@tokens_app.command("create")
def tokens_create(
    email: str,
    name: Annotated[str, typer.Option(help="Название токена.")] = "cli",
    expires_days: Annotated[
        int | None, typer.Option(min=1, help="Через сколько дней токен перестанет действовать.")
    ] = None,
) -> None:
    """Issue an API token for a user and print it once."""
    expires_at = utcnow() + timedelta(days=expires_days) if expires_days else None

    async def work(session: AsyncSession) -> str:
        return await create_api_token(session, await _user(session, email), name, expires_at=expires_at)

    try:
        token = _in_session(get_settings(), work)
    except AccountError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(token)


TOKEN_STATES = {TokenState.ACTIVE: "действует", TokenState.EXPIRED: "истёк", TokenState.REVOKED: "отозван"}


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "—"


@tokens_app.command("list")
def tokens_list(email: str) -> None:
    """A user's API tokens (never the secrets): id, name, created, last used, expires (UTC), state."""

    async def work(session: AsyncSession) -> list[str]:
        tokens = await list_api_tokens(session, await _user(session, email), with_revoked=True)
        return [
            f"{t.id}  {t.name}  создан {_when(t.created_at)}  использован {_when(t.last_used_at)}"
            f"  истекает {_when(t.expires_at)}  {TOKEN_STATES[token_state(t)]}"
            for t in tokens
        ]

    try:
        lines = _in_session(get_settings(), work)
    except AccountError as exc:
        raise _fail(str(exc)) from exc
    typer.echo("\n".join(lines) if lines else "Токенов нет.")


@tokens_app.command("revoke")
def tokens_revoke(token_id: str) -> None:
    """Revoke an API token by its id (from `autopost tokens list`); it stops working at once."""
    try:
        parsed = uuid.UUID(token_id)
    except ValueError as exc:
        raise _fail(render("token_not_found", id=token_id)) from exc
    try:
        token = _in_session(get_settings(), lambda s: revoke_api_token_by_id(s, parsed))
    except Refused as exc:
        raise _fail(_message(exc)) from exc
    typer.echo(f"Токен {token.id} ({token.name}) отозван.")


@keys_app.command("generate")
def keys_generate() -> None:
    """Print a new key for AUTOPOST_TOKEN_KEYS (put it first to encrypt with it)."""
    typer.echo(generate_key())


@keys_app.command("rotate")
def keys_rotate(batch_size: Annotated[int, typer.Option(min=1)] = 200) -> None:
    """Re-encrypt every stored token under the first key; safe to interrupt and re-run."""
    settings = get_settings()

    def progress(report: RotationReport) -> None:
        typer.echo(f"  перешифровано: {report.resealed}")

    async def run() -> RotationReport:
        engine = make_engine(settings.resolved_database_url)
        try:
            return await rotate_tokens(
                make_session_factory(engine), settings.vault(), batch_size=batch_size, on_batch=progress
            )
        finally:
            await engine.dispose()

    report = asyncio.run(run())
    typer.echo(
        f"Готово: перешифровано {report.resealed}, изменились во время ротации {report.skipped_changed}."
    )
    if report.unreadable:
        for line in report.unreadable:
            typer.secho(f"  не читается: {line}", fg=typer.colors.YELLOW, err=True)
        raise typer.Exit(code=1)


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
) -> None:
    """Run the web app (API + UI)."""
    from autopost.app import create_app
    from autopost.serving import uvicorn_options

    settings = get_settings()
    uvicorn.run(create_app(settings), host=host, port=port, **uvicorn_options(settings))


@app.command()
def up(
    sandbox: Annotated[
        bool, typer.Option("--sandbox", help="Также поднять песочницу платформ и демо-пользователя.")
    ] = False,
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
) -> None:
    """Everything in one process: migrations, web app, worker and periodic jobs."""
    from autopost.up import run_up

    asyncio.run(run_up(get_settings(), host=host, port=port, with_sandbox=sandbox))


@app.command()
def worker(
    platform: Annotated[
        list[Platform] | None, typer.Option(help="Только эти платформы (можно несколько).")
    ] = None,
    concurrency: Annotated[
        int, typer.Option(min=1, help="Сколько публикаций одновременно на платформу.")
    ] = 4,
    metrics_port: Annotated[
        int | None, typer.Option(help="Отдавать метрики Prometheus на этом порту.")
    ] = None,
) -> None:
    """Take publish and stats jobs from Redis; run as many as you like, on any machines."""
    from autopost.runtime import Runtime
    from autopost.worker import WorkerProcess

    settings = get_settings()
    if not settings.redis_url:
        raise _fail("AUTOPOST_REDIS_URL не задан: воркеру нужен общий Redis (или запустите `autopost up`)")

    if metrics_port:
        from prometheus_client import start_http_server

        start_http_server(metrics_port)

    async def run() -> None:
        process = WorkerProcess(
            Runtime.create(settings, settings.redis_url),
            platforms=platform or list(Platform),
            concurrency=concurrency,
        )
        try:
            await process.run_until_signalled()
        finally:
            await process.runtime.close()

    asyncio.run(run())


@app.command()
def sandbox(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8800,
) -> None:
    """Serve the platform sandbox: emulators of VK, Rutube, Дзен and Telegram."""
    from autopost_sandbox.app import create_app as create_sandbox
    from autopost_sandbox.core import SandboxConfig

    public_url = f"http://{host}:{port}"
    sandbox_app = create_sandbox(SandboxConfig(public_url=public_url))
    typer.echo(f"Песочница платформ: {public_url}")
    for emulator in sandbox_app.state.emulators:
        typer.echo(f"  {public_url}{emulator.prefix}")
        for account in emulator.demo_accounts():
            creds = ", ".join(f"{k}={v}" for k, v in account.credentials.items())
            typer.echo(f"    - {account.description}" + (f" ({creds})" if creds else ""))
    uvicorn.run(sandbox_app, host=host, port=port, log_config=None)  # through our scrubbing handler


def main() -> None:
    settings = get_settings()
    configure_logging(
        json=settings.env == "production", level=logging.DEBUG if settings.debug else logging.INFO
    )
    app()
