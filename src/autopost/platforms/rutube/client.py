"""Talking to Rutube: paced, token-authenticated calls whose answers are classified once, here."""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx2

from autopost.platforms.errors import AuthExpired, Permanent, PlatformError, RateLimited, Transient
from autopost.platforms.http import json_body, make_client, send
from autopost.platforms.pacing import Pacer
from autopost.platforms.rutube import wire
from autopost.settings import RutubeSettings

PLATFORM = "rutube"

TOKEN_REJECTED = "Rutube не принимает токен. Подключите аккаунт Rutube заново"
SLOW_DOWN = "Rutube просит подождать, повторим позже"
UNAVAILABLE = "Rutube временно недоступен, повторим позже"
LOGIN_REFUSED = (
    "Rutube не пустил по логину и паролю: новые аккаунты Rutube так не входят. "
    "Вставьте вместо пароля токен Rutube"
)

_FIELD_LABELS = {
    "url": "ссылка на файл",
    "title": "название",
    "description": "описание",
    "category_id": "категория",
    "is_hidden": "видимость",
    "username": "логин",
    "password": "пароль",
}
_THROTTLE_WAIT = re.compile(r"available in (\d+) second")


# Rutube throttles per token; calls count when they arrive, so leave room for network jitter.
JITTER_SECONDS = 0.1


def rutube_pacer(rate_per_second: float) -> Pacer:
    return Pacer(1, 1.0 / rate_per_second + JITTER_SECONDS if rate_per_second > 0 else 0.0)


def token_fingerprint(token: str) -> str:
    """A short one-way name for a token: safe for logs and dictionary keys, useless to an attacker."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


class RutubeSession:
    """One operation's HTTP client for one token (or none, for token_auth)."""

    def __init__(self, client: httpx2.AsyncClient, pacer: Pacer, token: str | None) -> None:
        self._client = client
        self._pacer = pacer
        self._token = token

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Mapping[str, Any] | None = None,
        params: Mapping[str, str | int] | None = None,
        creates: bool = False,
        not_found: PlatformError | None = None,
    ) -> Any:
        """Send one call and return its JSON body, or raise the classified error."""
        headers = {"Authorization": f"Token {self._token}"} if self._token else {}
        request = self._client.build_request(method, path, json=json, params=params, headers=headers)
        # Transport failures come back from send() already classified.
        async with self._pacer.turn(self._token or ""):
            response = await send(self._client, request, platform=PLATFORM, creates=creates)
        return classify(response, not_found=not_found)


@asynccontextmanager
async def open_session(
    settings: RutubeSettings,
    pacer: Pacer,
    token: str | None,
    *,
    transport: httpx2.AsyncBaseTransport | None,
    http_timeout: float,
) -> AsyncIterator[RutubeSession]:
    client = make_client(
        settings.api_url, transport=transport, timeout=http_timeout, headers={"Accept": "application/json"}
    )
    async with client:
        yield RutubeSession(client, pacer, token)


def classify(response: httpx2.Response, *, not_found: PlatformError | None = None) -> Any:
    """Rutube's answer → its JSON body, or the one error class it means."""
    status = response.status_code
    body = json_body(response)
    if status >= 500 or body is None:
        # nginx answers outages with an HTML page; a 2xx that is not JSON came from no API either.
        raise Transient(f"{PLATFORM}.server_error", UNAVAILABLE, f"HTTP {status}")
    if status < 300:
        return body
    detail = f"HTTP {status}: {drf_detail(body) or _field_text(body, labels=False)}"
    if status == 401:
        raise AuthExpired(f"{PLATFORM}.token_invalid", TOKEN_REJECTED, detail)
    if status == 429:
        raise RateLimited(f"{PLATFORM}.rate_limited", SLOW_DOWN, detail, retry_after=_retry_after(response))
    if status == 404:
        raise not_found or Permanent(f"{PLATFORM}.not_found", "Rutube: не найдено", detail)
    if status == 403:
        raise Permanent(f"{PLATFORM}.forbidden", "Rutube не даёт доступа к этому видео", detail)
    if status == 400:
        refusal = field_errors(body).get("non_field_errors", [])
        if any(message.startswith(wire.LOGIN_REFUSED_PREFIX) for message in refusal):
            # token_auth: a wrong password, or a modern account it refuses; Rutube does not say which.
            raise Permanent(f"{PLATFORM}.login_refused", LOGIN_REFUSED, detail)
        text = drf_detail(body) or _field_text(body, labels=True)
        raise Permanent(f"{PLATFORM}.bad_request", f"Rutube отклонил запрос: {text}", detail)
    raise Permanent(f"{PLATFORM}.rejected", f"Rutube отклонил запрос (HTTP {status})", detail)


def drf_detail(body: Any) -> str:
    """DRF's {"detail": "..."} text, or ""."""
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return str(body["detail"])
    return ""


def field_errors(body: Any) -> dict[str, list[str]]:
    """DRF's {field: [message, ...]} validation errors (ASSUMED shape)."""
    if not isinstance(body, dict):
        return {}
    return {
        str(name): [str(m) for m in messages] if isinstance(messages, list) else [str(messages)]
        for name, messages in body.items()
    }


def _field_text(body: Any, *, labels: bool) -> str:
    parts = []
    for name, messages in field_errors(body).items():
        label = _FIELD_LABELS.get(name, name) if labels else name
        text = " ".join(messages)
        parts.append(text if name == "non_field_errors" else f"{label} — {text}")
    return "; ".join(parts) or "ошибка без пояснения"


def _retry_after(response: httpx2.Response) -> float:
    """Retry-After seconds; else the wait DRF names in its throttle text; else one second."""
    header = response.headers.get("retry-after", "")
    if header.strip().isdigit():
        return max(1.0, float(header))
    found = _THROTTLE_WAIT.search(drf_detail(json_body(response)))
    return max(1.0, float(found.group(1))) if found else 1.0
