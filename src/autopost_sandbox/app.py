"""The sandbox ASGI app: every emulator mounted by path prefix, plus the control API."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Mount

from autopost_sandbox import dzen, rutube, telegram, vk
from autopost_sandbox.control import control_app
from autopost_sandbox.core import SandboxConfig, SandboxState
from autopost_sandbox.http import Emulator
from autopost_sandbox.tus import TusEmulator


def build_emulators(state: SandboxState) -> list[Emulator]:
    return [
        *vk.emulators(state),
        *telegram.emulators(state),
        *rutube.emulators(state),
        *dzen.emulators(state),
        TusEmulator(state),
    ]


def create_app(config: SandboxConfig | None = None, seed: int | None = None) -> Starlette:
    state = SandboxState(config, seed)
    emulators = build_emulators(state)
    routes = [Mount(e.prefix, app=e.app()) for e in emulators]
    routes.append(Mount("/_sandbox", app=control_app(state, emulators)))
    app = Starlette(routes=routes)
    app.state.sandbox = state
    app.state.emulators = emulators
    return app
