"""What every platform's answers have in common: Retry-After, and statuses that mean one error class.

Each platform classifies its own answers in one module (platforms/<name>/answers.py);
these helpers are the parts they share, so that a 429 without a usable
Retry-After waits the same everywhere.
"""

from __future__ import annotations

import email.utils
import math
import time

import httpx2

DEFAULT_RETRY_AFTER = 5.0
"""Seconds to wait after a 429 that names no (readable) wait.

Long enough that a platform throttling a burst sees the burst end, short enough
that one throttled call does not hold a queue up noticeably; a RateLimited wait
uses no attempt, so a platform that keeps answering 429 only costs time.
"""


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
