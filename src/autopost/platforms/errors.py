"""The error hierarchy every provider classifies platform failures into."""

from __future__ import annotations

DEFAULT_RETRY_AFTER = 5.0
"""Seconds to wait after a throttled answer that names no (readable) wait.

Long enough that a platform throttling a burst sees the burst end, short enough
that one throttled call does not hold a queue up noticeably; a RateLimited wait
uses no attempt, so a platform that keeps answering 429 costs only time.
"""


class PlatformError(Exception):
    """A failure on a platform: a stable code with its parameters, and a detail for logs.

    The text people read is the code's entry in autopost.platforms.messages, with
    `params` filled in, rendered in the reader's language where it is shown.
    `detail` must never contain a token; providers build it from status codes and
    the platform's own error text only.
    """

    retryable = False

    def __init__(self, code: str, detail: str = "", **params: object) -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail
        self.params = params


class RateLimited(PlatformError):
    """The platform asked us to slow down; waiting does not use up an attempt."""

    retryable = True

    def __init__(
        self, code: str, detail: str = "", *, retry_after: float = DEFAULT_RETRY_AFTER, **params: object
    ) -> None:
        super().__init__(code, detail, **params)
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
