"""What stands in front of every Rutube API call: token or Bearer auth, the throttle, injected faults."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from autopost_sandbox.core import Fault, FaultKind, SandboxState
from autopost_sandbox.http import ResetResponse, hang
from autopost_sandbox.rutube import multipass, protocol
from autopost_sandbox.rutube.multipass import Multipass
from autopost_sandbox.rutube.pacing import RateLimiter
from autopost_sandbox.rutube.store import Account, RutubeStore

# Captcha does not exist on this API; processing_failed only means something where a video is made.
CALL_FAULTS: tuple[FaultKind, ...] = ("rate_limit", "server_error", "timeout", "reset", "token_expired")
LOGIN_FAULTS: tuple[FaultKind, ...] = ("rate_limit", "server_error", "timeout", "reset")
CREATE_FAULTS: tuple[FaultKind, ...] = (*CALL_FAULTS, "processing_failed")


@dataclass
class Call:
    """An admitted call: who makes it (None = anonymous) and the fault still to play after acting."""

    account: Account | None
    fault: Fault | None

    @property
    def user(self) -> Account:
        if self.account is None:
            raise RuntimeError("this route admits only authenticated calls")
        return self.account

    def injected(self, kind: FaultKind) -> bool:
        return self.fault is not None and self.fault.fault == kind

    async def finish(self, response: Response) -> Response:
        """Deliver the answer, unless a timeout/reset fault says the client never gets it."""
        if self.fault is not None and self.fault.fault == "timeout":
            await hang(self.fault)
        if self.injected("reset"):
            return ResetResponse()
        return response


class Gate:
    def __init__(self, state: SandboxState, store: RutubeStore, limiter: RateLimiter, sso: Multipass) -> None:
        self._state = state
        self._store = store
        self._limiter = limiter
        self._sso = sso

    async def admit(
        self,
        request: Request,
        op: str,
        kinds: tuple[FaultKind, ...] = CALL_FAULTS,
        *,
        anonymous: bool = False,
    ) -> Call | Response:
        """Authenticate (DRF's TokenAuthentication, or a multipass JWT), throttle per account, then faults."""
        account = self._authenticate(request)
        if isinstance(account, Response):
            return account
        if account is None and not anonymous:
            return protocol.unauthorized(protocol.NOT_AUTHENTICATED)
        if account is not None and self._state.config.enforce_rate_limits:
            # Per token, as DRF's throttles key on the credentials (an SSO account's JWT is its token);
            # a refusal is reported under the account the token belongs to.
            unit = f"account:{account.id}"
            wait = self._limiter.wait_seconds(request.headers.get("authorization", ""))
            if wait:
                self._state.violations.record("rutube", unit)
                return protocol.throttled(wait)
        fault = self._state.faults.take("rutube", op, kinds)
        if fault is not None:
            early = self._early_answer(fault)
            if early is not None:
                return early
        return Call(account, fault)

    def _authenticate(self, request: Request) -> Account | Response | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "token":
            account = self._store.account_by_token(token.strip())
            return account or protocol.unauthorized(protocol.INVALID_TOKEN)
        if scheme.lower() == "bearer":
            account_id = self._sso.account_of(token.strip(), self._state.clock.now())
            found = self._store.account_by_id(account_id) if account_id is not None else None
            return found or protocol.detail(401, multipass.ACCESS_REFUSED, {"WWW-Authenticate": "Bearer"})
        return None

    @staticmethod
    def _early_answer(fault: Fault) -> Response | None:
        if fault.fault == "rate_limit":
            return protocol.throttled(fault.retry_after)
        if fault.fault == "server_error":
            return protocol.server_error()
        if fault.fault == "token_expired":
            return protocol.unauthorized(protocol.INVALID_TOKEN)
        return None
