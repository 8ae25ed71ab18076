"""Дзен's upload host (/dzen-upload): where start-upload-video's uploadUrl points.

A TUS 1.0.0 server (autopost_sandbox.tus): the upload already exists (start-upload-video made
it), so the client only asks HEAD for the offset and sends PATCH chunks of its own size; the
URL itself is the credential, as on the real CDN host. Faults: platform "dzen", on tus.head /
tus.patch.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.types import ASGIApp

from autopost_sandbox.core import SandboxState
from autopost_sandbox.http import DemoAccount
from autopost_sandbox.tus import TusServer

UPLOAD_METHODS = {"HEAD", "PATCH", "OPTIONS"}


class DzenUploads:
    prefix = "/dzen-upload"

    def __init__(self, state: SandboxState) -> None:
        self.server = TusServer(state, path="/files", fault_target="dzen", max_size=4 * 1024**3)

    def app(self) -> ASGIApp:
        routes = [r for r in self.server.routes() if (r.methods or set()) & UPLOAD_METHODS]
        return Starlette(routes=routes)

    def demo_accounts(self) -> list[DemoAccount]:
        return []

    def reset(self) -> None:
        """Nothing of its own: the uploads live in SandboxState and go with its reset."""
