"""The Дзен emulator: dzen.ru's editor over a browser session (/dzen) and its TUS upload host (/dzen-upload).

The protocol is the one working tools speak (docs/platforms/dzen.md); where the sources are
silent (where the editor page exposes its CSRF token, where stats come from) the emulator
follows one documented assumption each.
"""

from __future__ import annotations

from autopost_sandbox.core import SandboxState
from autopost_sandbox.dzen.editor import DzenEditor
from autopost_sandbox.dzen.store import DzenStore
from autopost_sandbox.dzen.uploads import DzenUploads
from autopost_sandbox.http import Emulator


def emulators(state: SandboxState) -> list[Emulator]:
    return [DzenEditor(state, DzenStore(state)), DzenUploads(state)]
