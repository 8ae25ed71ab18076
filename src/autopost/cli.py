"""The `autopost` command line.

Help is in English; what a command prints follows the terminal's locale (Russian for a `ru_*`
LC_ALL / LC_MESSAGES / LANG, English otherwise), from the same catalogs as the pages.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, TypeVar

import typer
import uvicorn
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from autopost.connections.rotation import RotationReport, rotate_tokens
from autopost.db import make_engine, make_session_factory, transaction, utcnow
from autopost.i18n import N_, gettext, ngettext, render, terminal_language
from autopost.logs import configure_logging
from autopost.migrations import runner
from autopost.platforms.catalog import Platform
from autopost.refusals import Kind, Refused
from autopost.security.vault import generate_key
from autopost.settings import Settings, get_settings
from autopost.stats.retention import thin_snapshots
from autopost.users.models import User
from autopost.users.passwords import set_password
from autopost.users.plans import Plan
from autopost.users.service import create_api_token, create_user, get_user_by_email, normalize_email
from autopost.users.tokens import TokenState, list_api_tokens, revoke_api_token_by_id, token_state
from autopost.workspaces.access import parse_workspace_id
from autopost.workspaces.usecases import set_plan

app = typer.Typer(
    help="autopost: publishes clips to VK Clips, Rutube, Dzen and Telegram.", no_args_is_help=True
)
users_app = typer.Typer(help="Users.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens.", no_args_is_help=True)
keys_app = typer.Typer(help="Encryption keys of the platform tokens.", no_args_is_help=True)
workspaces_app = typer.Typer(help="Workspaces.", no_args_is_help=True)
stats_app = typer.Typer(help="Stats snapshots.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(keys_app, name="keys")
app.add_typer(workspaces_app, name="workspaces")
app.add_typer(stats_app, name="stats")

T = TypeVar("T")


def _with_database(settings: Settings, work: Callable[[async_sessionmaker[AsyncSession]], Awaitable[T]]) -> T:
    """Run `work` on a session factory of the configured database, disposed of at the end."""

    async def run() -> T:
        engine = make_engine(settings.resolved_database_url)
        try:
            return await work(make_session_factory(engine))
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _in_session(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in one transaction; a refusal ends the command with its message (exit code 1)."""

    async def run(factory: async_sessionmaker[AsyncSession]) -> T:
        async with transaction(factory) as session:
            return await work(session)

    try:
        return _with_database(settings, run)
    except Refused as exc:
        raise _refused(exc) from exc


async def _user(session: AsyncSession, email: str) -> User:
    user = await get_user_by_email(session, email)
    if user is None:
        raise Refused("user_not_found", Kind.NOT_FOUND, email=email)
    return user


def _lang() -> str:
    return terminal_language()


def _refused(exc: Refused) -> typer.Exit:
    return _fail(render(exc.code, _lang(), **exc.params))


def _fail(message: str) -> typer.Exit:
    typer.secho(message, fg=typer.colors.RED, err=True)
    return typer.Exit(code=1)


@app.command()
def migrate() -> None:
    """Bring the database schema up to date."""
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    runner.upgrade(settings.resolved_database_url)
    typer.echo(gettext(_lang(), "The database schema is up to date."))


@users_app.command("create")
def users_create(
    email: str,
    plan: Annotated[Plan, typer.Option(help="Plan: free, start, pro, business.")] = Plan.FREE,
    password: Annotated[str | None, typer.Option(help="Password; a random one is made without it.")] = None,
) -> None:
    """Create a user."""
    user, generated = _in_session(
        get_settings(), lambda s: create_user(s, email, plan=plan, password=password)
    )
    typer.echo(gettext(_lang(), "User {email} created, plan {plan}.", email=user.email, plan=plan.value))
    if generated:
        typer.echo(gettext(_lang(), "Password (shown once): {password}", password=generated))


@workspaces_app.command("set-plan")
def workspaces_set_plan(
    workspace_id: str, plan: Annotated[Plan, typer.Argument(help="free, start, pro or business.")]
) -> None:
    """Put a workspace on a plan (a user's personal workspace has the user's id)."""
    name = _in_session(get_settings(), lambda s: set_plan(s, parse_workspace_id(workspace_id), plan))
    typer.echo(gettext(_lang(), "Workspace {name} is on the {plan} plan.", name=name, plan=plan.value))


@users_app.command("set-password")
def users_set_password(
    email: str,
    password: Annotated[
        str | None, typer.Option(help="The new password; a random one is made without it.")
    ] = None,
) -> None:
    """Give a user a new password; every browser session of theirs ends (API tokens stay)."""
    new_password = password or secrets.token_urlsafe(12)

    async def work(session: AsyncSession) -> int:
        return await set_password(session, await _user(session, email), new_password)

    ended = _in_session(get_settings(), work)
    changed = N_("Password of {email} changed. Sessions ended: {count}.")
    typer.echo(gettext(_lang(), changed, email=normalize_email(email), count=ended))
    if password is None:
        typer.echo(gettext(_lang(), "Password (shown once): {password}", password=new_password))


@tokens_app.command("create")
def tokens_create(
    email: str,
    name: Annotated[str, typer.Option(help="The token's name.")] = "cli",
    expires_days: Annotated[
        int | None, typer.Option(min=1, help="Days until the token stops working.")
    ] = None,
) -> None:
    """Issue an API token for a user and print it once."""
    expires_at = utcnow() + timedelta(days=expires_days) if expires_days else None

    async def work(session: AsyncSession) -> str:
        return await create_api_token(session, await _user(session, email), name, expires_at=expires_at)

    token = _in_session(get_settings(), work)
    typer.echo(token)


TOKEN_STATES = {
    TokenState.ACTIVE: N_("active"),
    TokenState.EXPIRED: N_("expired"),
    TokenState.REVOKED: N_("revoked"),
}


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "—"


@tokens_app.command("list")
def tokens_list(email: str) -> None:
    """A user's API tokens (never the secrets): id, name, created, last used, expires (UTC), state."""

    async def work(session: AsyncSession) -> list[str]:
        tokens = await list_api_tokens(session, await _user(session, email), with_revoked=True)
        lang = _lang()
        return [
            gettext(
                lang,
                "{id}  {name}  created {created}  last used {used}  expires {expires}  {state}",
                id=t.id,
                name=t.name,
                created=_when(t.created_at),
                used=_when(t.last_used_at),
                expires=_when(t.expires_at),
                state=gettext(lang, TOKEN_STATES[token_state(t)]),
            )
            for t in tokens
        ]

    lines = _in_session(get_settings(), work)
    typer.echo("\n".join(lines) if lines else gettext(_lang(), "No tokens."))


@tokens_app.command("revoke")
def tokens_revoke(token_id: str) -> None:
    """Revoke an API token by its id (from `autopost tokens list`); it stops working at once."""
    try:
        parsed = uuid.UUID(token_id)
    except ValueError as exc:
        raise _fail(render("token_not_found", _lang(), id=token_id)) from exc
    token = _in_session(get_settings(), lambda s: revoke_api_token_by_id(s, parsed))
    typer.echo(gettext(_lang(), "Token {id} ({name}) revoked.", id=token.id, name=token.name))


@keys_app.command("generate")
def keys_generate() -> None:
    """Print a new key for AUTOPOST_TOKEN_KEYS (put it first to encrypt with it)."""
    typer.echo(generate_key())


@keys_app.command("rotate")
def keys_rotate(batch_size: Annotated[int, typer.Option(min=1)] = 200) -> None:
    """Re-encrypt every stored token under the first key; safe to interrupt and re-run."""
    settings = get_settings()

    def progress(report: RotationReport) -> None:
        typer.echo("  " + gettext(_lang(), "re-encrypted: {count}", count=report.resealed))

    report = _with_database(
        settings,
        lambda factory: rotate_tokens(factory, settings.vault(), batch_size=batch_size, on_batch=progress),
    )
    done = N_("Done: {count} re-encrypted, {changed_count} changed during the rotation.")
    typer.echo(gettext(_lang(), done, count=report.resealed, changed_count=report.skipped_changed))
    if report.unreadable:
        for line in report.unreadable:
            unreadable = "  " + gettext(_lang(), "unreadable: {line}", line=line)
            typer.secho(unreadable, fg=typer.colors.YELLOW, err=True)
        raise typer.Exit(code=1)


@stats_app.command("thin")
def stats_thin() -> None:
    """Thin every stats snapshot older than AUTOPOST_STATS_DETAIL_DAYS to daily points, all days at once."""
    settings, lang = get_settings(), _lang()
    if not settings.stats_detail_days:
        typer.echo(gettext(lang, "Every stats snapshot is kept (AUTOPOST_STATS_DETAIL_DAYS=0)."))
        return
    cut = utcnow() - timedelta(days=settings.stats_detail_days)
    removed = _with_database(settings, lambda factory: thin_snapshots(factory, cut))
    removed_text = ngettext(
        lang,
        "{count} stats snapshot from days before {date} removed; one a day is kept.",
        "{count} stats snapshots from days before {date} removed; one a day is kept.",
        removed,
        date=cut.date().isoformat(),
    )
    typer.echo(removed_text)


@app.command("publish")
def publish_command(
    file: Annotated[Path, typer.Argument(help="The clip file (MP4).")],
    to: Annotated[
        list[str],
        typer.Option("--to", help="A connection id (repeat --to, or separate ids with commas)."),
    ],
    at: Annotated[
        str | None,
        typer.Option(help="When, ISO 8601 (2026-12-05T18:00+03:00; no offset: this computer's zone)."),
    ] = None,
    title: Annotated[str | None, typer.Option(help="The clip's title (default: the file name).")] = None,
    workspace: Annotated[
        str | None, typer.Option(help="Workspace id (default: the token owner's first).")
    ] = None,
    no_wait: Annotated[bool, typer.Option("--no-wait", help="Print the publication ids and exit.")] = False,
) -> None:
    """Upload a clip and publish it through the HTTP API (AUTOPOST_API_URL, AUTOPOST_API_TOKEN).

    Waits and shows each target's progress; exit code 0 only if every target is published.
    """
    from autopost.publish_cli import CliError, PublishOptions, api_from_environment, parse_moment, run_publish

    lang = _lang()
    try:
        api = api_from_environment(lang, workspace, get_settings().public_url)
        targets = [t.strip() for item in to for t in item.split(",") if t.strip()]
        options = PublishOptions(file, targets, parse_moment(at, lang), title, wait=not no_wait)
        code = run_publish(api, options, typer.echo, lambda line: typer.echo(line, err=True))
    except CliError as exc:
        typer.secho(str(exc), fg=typer.colors.RED, err=True)
        raise typer.Exit(code=2) from exc
    raise typer.Exit(code=code)


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
        bool, typer.Option("--sandbox", help="Also run the platform sandbox and a demo user.")
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
        list[Platform] | None, typer.Option(help="Only these platforms (repeatable).")
    ] = None,
    concurrency: Annotated[
        int | None, typer.Option(min=1, help="Publications at once per platform (default 16).")
    ] = None,
    metrics_port: Annotated[int | None, typer.Option(help="Serve Prometheus metrics on this port.")] = None,
) -> None:
    """Take publish and stats jobs from Redis; run as many as you like, on any machines."""
    from autopost.runtime import Runtime
    from autopost.worker import DEFAULT_CONCURRENCY, WorkerProcess

    settings = get_settings()
    if not settings.redis_url:
        raise _fail(
            gettext(
                _lang(),
                "AUTOPOST_REDIS_URL is not set: the worker needs a shared Redis (or run `autopost up`)",
            )
        )

    if metrics_port:
        from prometheus_client import start_http_server

        start_http_server(metrics_port)

    async def run() -> None:
        process = WorkerProcess(
            Runtime.create(settings, settings.redis_url),
            platforms=platform or list(Platform),
            concurrency=concurrency or DEFAULT_CONCURRENCY,
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
    """Serve the platform sandbox: emulators of VK, Rutube, Dzen and Telegram."""
    from autopost_sandbox.app import create_app as create_sandbox
    from autopost_sandbox.core import SandboxConfig

    public_url = f"http://{host}:{port}"
    sandbox_app = create_sandbox(SandboxConfig(public_url=public_url))
    typer.echo(gettext(_lang(), "Platform sandbox: {url}", url=public_url))
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
