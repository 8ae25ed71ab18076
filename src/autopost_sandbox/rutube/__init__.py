"""Emulator of Rutube's API (upload by URL or the studio's TUS upload; DRF tokens or SSO JWTs).

The API is mounted at /rutube, the upload host (u.rutube.ru) at /rutube-upload.

Wire details and every assumption about them: autopost_sandbox.rutube.protocol
and docs/platforms/rutube.md.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.types import ASGIApp

from autopost_sandbox.core import SandboxState
from autopost_sandbox.http import DemoAccount, Emulator
from autopost_sandbox.rutube import protocol
from autopost_sandbox.rutube.gate import Gate
from autopost_sandbox.rutube.ingest import Ingest
from autopost_sandbox.rutube.multipass import Multipass, seeded_refresh_token
from autopost_sandbox.rutube.pacing import RateLimiter
from autopost_sandbox.rutube.routes import RutubeApi
from autopost_sandbox.rutube.store import SEEDED_ACCOUNTS, RutubeStore
from autopost_sandbox.rutube.studio import StudioApi
from autopost_sandbox.rutube.upload_host import UploadHost


class RutubeEmulator:
    prefix = "/rutube"

    def __init__(self, state: SandboxState, store: RutubeStore) -> None:
        self._store = store
        self._ingest = Ingest(state)
        self._limiter = RateLimiter(state.clock, protocol.THROTTLE_CALLS, protocol.THROTTLE_PERIOD)
        self._sso = Multipass()
        self._sso.seed(_sso_ids())
        gate = Gate(state, self._store, self._limiter, self._sso)
        self._api = RutubeApi(state, self._store, self._ingest, gate)
        self._studio = StudioApi(state, self._store, self._api, self._ingest, gate, self._sso)

    def app(self) -> ASGIApp:
        return Starlette(routes=[*self._api.app().routes, *self._studio.routes()])

    def demo_accounts(self) -> list[DemoAccount]:
        accounts = []
        for account in self._store.accounts():
            if account.sso:
                accounts.append(
                    DemoAccount(
                        platform="rutube",
                        description=f"{account.name} (id {account.id}; вход через VK ID: refreshToken)",
                        credentials={"refresh_token": seeded_refresh_token(account.id)},
                    )
                )
                continue
            how = "логин и пароль или токен"
            if not account.password_login:
                how = "только токен: вход по паролю отклоняется"
            accounts.append(
                DemoAccount(
                    platform="rutube",
                    description=f"{account.name} (id {account.id}; {how})",
                    credentials={
                        "account_id": str(account.id),
                        "username": account.username,
                        "password": account.password,
                        "token": account.token,
                    },
                )
            )
        return accounts

    def seed_accounts(self, count: int) -> list[DemoAccount]:
        made = {a.id for a in self._store.seed(count)}
        return [a for a in self.demo_accounts() if a.credentials.get("account_id") in {str(i) for i in made}]

    def reset(self) -> None:
        self._ingest.cancel_all()
        self._store.reset()
        self._limiter.reset()
        self._sso.seed(_sso_ids())


def _sso_ids() -> list[int]:
    return [a.id for a in SEEDED_ACCOUNTS if a.sso]


def emulators(state: SandboxState) -> list[Emulator]:
    store = RutubeStore()
    return [RutubeEmulator(state, store), UploadHost(state, store)]
