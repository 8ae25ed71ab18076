"""What every platform's answers have in common: Retry-After, and statuses that mean one error class.

Each platform classifies its own answers in one module (platforms/<name>/answers.py);
these helpers are the parts they share, so that a 429 without a usable
Retry-After waits the same everywhere.
"""

from __future__ import annotations

import email.utils
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx2

from autopost.platforms.errors import DEFAULT_RETRY_AFTER, PlatformError, RateLimited


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a Retry-After value (RFC 9110: delay-seconds or an HTTP-date); None if unusable.

    Fractional seconds are accepted (some gateways send them); a negative or
    non-finite number is not a delay. A date in the past means "now" (0).
    """
    text = (value or "").strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:  # RFC 9110 dates are GMT; an obsolete format may parse without a zone
        return None
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


def retry_after(response: httpx2.Response, *, stated: float | None = None) -> float:
    """How long a throttled answer asks us to wait.

    `stated` is a wait the platform gave in its body (Telegram's parameters.retry_after,
    DRF's "available in N seconds"); else the Retry-After header; else DEFAULT_RETRY_AFTER.
    """
    if stated is not None and math.isfinite(stated) and stated >= 0:
        return stated
    header = parse_retry_after(response.headers.get("retry-after"))
    return DEFAULT_RETRY_AFTER if header is None else header


Rule = tuple[type[PlatformError], str]


@dataclass(frozen=True)
class StatusTable:
    """Which HTTP statuses mean one error class and code on a platform, whatever the body says.

    `statuses` names single statuses; `server_error` covers every 5xx not named there.
    Statuses not in the table are left to the platform's own reading of the body.
    """

    statuses: Mapping[int, Rule] = field(default_factory=dict)
    server_error: Rule | None = None

    def rule(self, status: int) -> Rule | None:
        if status in self.statuses:
            return self.statuses[status]
        if status >= 500 and self.server_error is not None:
            return self.server_error
        return None

    def error(
        self, response: httpx2.Response, detail: str, *, stated_wait: float | None = None, **params: object
    ) -> PlatformError | None:
        """The error the answer's status means, or None when the status is not in the table."""
        rule = self.rule(response.status_code)
        if rule is None:
            return None
        kind, code = rule
        if issubclass(kind, RateLimited):
            return kind(code, detail, retry_after=retry_after(response, stated=stated_wait), **params)
        return kind(code, detail, **params)
