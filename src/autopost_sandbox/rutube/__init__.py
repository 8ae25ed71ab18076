"""Emulator of Rutube's API (upload by URL, token auth), mounted at /rutube.

Wire details and every assumption about them: autopost_sandbox.rutube.protocol
and docs/platforms/rutube.md.
"""

from __future__ import annotations

from starlette.types import ASGIApp

from autopost_sandbox.core import SandboxState
from autopost_sandbox.http import DemoAccount, Emulator
from autopost_sandbox.rutube import protocol
from autopost_sandbox.rutube.gate import Gate
from autopost_sandbox.rutube.ingest import Ingest
from autopost_sandbox.rutube.pacing import RateLimiter
from autopost_sandbox.rutube.routes import RutubeApi
from autopost_sandbox.rutube.store import SEEDED_ACCOUNTS, RutubeStore


class RutubeEmulator:
    prefix = "/rutube"

    def __init__(self, state: SandboxState) -> None:
        self._store = RutubeStore()
        self._ingest = Ingest(state)
        self._limiter = RateLimiter(state.clock, protocol.THROTTLE_CALLS, protocol.THROTTLE_PERIOD)
        gate = Gate(state, self._store, self._limiter)
        self._api = RutubeApi(state, self._store, self._ingest, gate)

    def app(self) -> ASGIApp:
        return self._api.app()

    def demo_accounts(self) -> list[DemoAccount]:
        accounts = []
        for account in SEEDED_ACCOUNTS:
            how = "логин и пароль или токен"
            if not account.password_login:
                how = "только токен: вход по паролю отклоняется"
            accounts.append(
                DemoAccount(
                    platform="rutube",
                    description=f"{account.name} (id {account.id}; {how})",
                    credentials={
                        "username": account.username,
                        "password": account.password,
                        "token": account.token,
                    },
                )
            )
        return accounts

    def reset(self) -> None:
        self._ingest.cancel_all()
        self._store.reset()
        self._limiter.reset()


def emulators(state: SandboxState) -> list[Emulator]:
    return [RutubeEmulator(state)]
