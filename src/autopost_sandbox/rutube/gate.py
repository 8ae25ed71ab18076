"""What stands in front of every Rutube API call: token auth, the throttle, injected faults."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from autopost_sandbox.core import Fault, FaultKind, SandboxState
from autopost_sandbox.http import ResetResponse, hang
from autopost_sandbox.rutube import protocol
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
    def __init__(self, state: SandboxState, store: RutubeStore, limiter: RateLimiter) -> None:
        self._state = state
        self._store = store
        self._limiter = limiter

    async def admit(
        self,
        request: Request,
        op: str,
        kinds: tuple[FaultKind, ...] = CALL_FAULTS,
        *,
        anonymous: bool = False,
    ) -> Call | Response:
        """Authenticate as DRF's TokenAuthentication does, throttle per token, then serve any fault."""
        account: Account | None = None
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "token":
            account = self._store.account_by_token(token.strip())
            if account is None:
                return protocol.unauthorized(protocol.INVALID_TOKEN)
        if account is None and not anonymous:
            return protocol.unauthorized(protocol.NOT_AUTHENTICATED)
        if account is not None and self._state.config.enforce_rate_limits:
            wait = self._limiter.wait_seconds(account.token)
            if wait:
                return protocol.throttled(wait)
        fault = self._state.faults.take("rutube", op, kinds)
        if fault is not None:
            early = self._early_answer(fault)
            if early is not None:
                return early
        return Call(account, fault)

    @staticmethod
    def _early_answer(fault: Fault) -> Response | None:
        if fault.fault == "rate_limit":
            return protocol.throttled(fault.retry_after)
        if fault.fault == "server_error":
            return protocol.server_error()
        if fault.fault == "token_expired":
            return protocol.unauthorized(protocol.INVALID_TOKEN)
        return None
