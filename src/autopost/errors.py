"""Errors the API answers with: a stable code, a message for people, an HTTP status."""

from __future__ import annotations


class ApiError(Exception):
    status_code = 400
    code = "bad_request"
    message = "Некорректный запрос"

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        super().__init__(message or self.message)
        if message:
            self.message = message
        if code:
            self.code = code


class NotAuthenticated(ApiError):
    status_code = 401
    code = "not_authenticated"
    message = "Нужна авторизация: передайте API-токен в заголовке Authorization: Bearer"


class NotFound(ApiError):
    status_code = 404
    code = "not_found"
    message = "Не найдено"
