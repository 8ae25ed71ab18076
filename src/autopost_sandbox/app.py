"""The sandbox ASGI app: every emulator mounted by path prefix, plus the control API."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount

from autopost_sandbox import dzen, rutube, telegram, vk
from autopost_sandbox.control import control_app
from autopost_sandbox.core import SandboxConfig, SandboxState
from autopost_sandbox.http import Controllable, Emulator
from autopost_sandbox.mail_page import mail_route
from autopost_sandbox.mailbox import Mailbox
from autopost_sandbox.tus import TusEmulator


def build_emulators(state: SandboxState) -> list[Emulator]:
    return [
        *vk.emulators(state),
        *telegram.emulators(state),
        *rutube.emulators(state),
        *dzen.emulators(state),
        TusEmulator(state),
    ]


def create_app(
    config: SandboxConfig | None = None, seed: int | None = None, mailbox: Mailbox | None = None
) -> Starlette:
    """The sandbox; with a `mailbox` (the sandbox's SMTP server's) it lists the mails at /_sandbox/mail."""
    state = SandboxState(config, seed)
    emulators = build_emulators(state)
    routes: list[BaseRoute] = [Mount(e.prefix, app=e.app()) for e in emulators]
    # Before /_sandbox itself: a Mount matches by prefix, first one wins.
    routes += [
        Mount(f"/_sandbox{e.prefix}", app=e.control_app()) for e in emulators if isinstance(e, Controllable)
    ]
    if mailbox is not None:
        routes.append(mail_route(mailbox))
    routes.append(Mount("/_sandbox", app=control_app(state, emulators)))
    app = Starlette(routes=routes)
    app.state.sandbox = state
    app.state.emulators = emulators
    return app
