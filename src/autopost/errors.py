"""Errors the API answers with: a stable code, its message parameters, an HTTP status.

Services raise domain errors (PublishRefused, PlatformError, ...); only the
exception handlers in app.py map them to statuses and render the message in
the caller's language.
"""

from __future__ import annotations


class ApiError(Exception):
    status_code = 400

    def __init__(self, code: str, status_code: int | None = None, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params
        if status_code is not None:
            self.status_code = status_code


class NotAuthenticated(ApiError):
    status_code = 401

    def __init__(self) -> None:
        super().__init__("not_authenticated")


class NotFound(ApiError):
    status_code = 404

    def __init__(self) -> None:
        super().__init__("not_found")


class TooManyRequests(ApiError):
    status_code = 429

    def __init__(self, seconds: int) -> None:
        super().__init__("rate_limited", seconds=seconds)
        self.retry_after = seconds
