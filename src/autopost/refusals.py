"""The one way a use case says no: a stable code, the parameters of its message, and a kind.

The kind says what sort of no it is; the JSON API turns it into an HTTP status
in one exception handler and pages turn it into a form error. The text is
rendered from the code and parameters in the reader's language where it is
shown, never here.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum


class Kind(StrEnum):
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    CONFLICT = "conflict"
    INVALID = "invalid"
    THROTTLED = "throttled"
    UNAVAILABLE = "unavailable"
    # More bytes than the service takes (a clip over the size cap): the API answers 413.
    TOO_LARGE = "too_large"
    # Who is asking is unknown (no session, no valid API token): the API answers 401.
    UNAUTHENTICATED = "unauthenticated"


class Refused(Exception):
    """A user action that cannot be done, as a code + params (rendered per reader) and a kind."""

    def __init__(self, code: str, kind: Kind = Kind.INVALID, /, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.kind = kind
        self.params = params
        # When one request asks for several things (a clip to several accounts): which one this is
        # about, and the request's other refusals, so a form can show every problem at once.
        self.about: object | None = None
        self.also: tuple[Refused, ...] = ()

    @classmethod
    def first_of(cls, refusals: Sequence[Refused]) -> Refused:
        """The first refusal, carrying the others: the API answers with it, a form shows them all."""
        first = refusals[0]
        first.also = tuple(refusals[1:])
        return first

    @property
    def retry_after(self) -> int | None:
        """Seconds to wait, for throttled refusals (the API sends it as Retry-After)."""
        seconds = self.params.get("seconds")
        return int(seconds) if self.kind is Kind.THROTTLED and isinstance(seconds, int | float) else None

    def __repr__(self) -> str:
        return f"Refused({self.code!r}, {self.kind.value})"
