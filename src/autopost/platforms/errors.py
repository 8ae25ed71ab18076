"""The error hierarchy every provider classifies platform failures into."""

from __future__ import annotations


class PlatformError(Exception):
    """A failure on a platform: a stable code, a message for people (Russian), a detail for logs.

    `detail` must never contain a token; providers build it from status codes and
    the platform's own error text only.
    """

    retryable = False

    def __init__(self, code: str, message: str, detail: str = "", **params: object) -> None:
        super().__init__(f"{code}: {detail or message}")
        self.code = code
        self.message = message
        self.detail = detail
        # The parameters of the code's message (autopost.platforms.messages), rendered per reader.
        self.params = params


class RateLimited(PlatformError):
    """The platform asked us to slow down; waiting does not use up an attempt."""

    retryable = True

    def __init__(
        self, code: str, message: str, detail: str = "", *, retry_after: float = 1.0, **params: object
    ) -> None:
        super().__init__(code, message, detail, **params)
        self.retry_after = retry_after


class Transient(PlatformError):
    """Nothing was created; the same call may succeed later (5xx, connection refused, ...)."""

    retryable = True


class AuthExpired(PlatformError):
    """The token is expired or revoked: refresh once, else the user must reconnect."""


class Permanent(PlatformError):
    """Retrying will not help (bad request, no rights, file refused)."""


class OutcomeUnknown(PlatformError):
    """The request may have been applied (timeout after sending): check before repeating."""
