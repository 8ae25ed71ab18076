"""The one scrubber under every log line: each secret form, each logger, tracebacks too."""

from __future__ import annotations

import logging

import pytest
import structlog

from autopost.logs import configure_logging, scrub

BOT_TOKEN = "123456:AAHb3vQm2Xk9LpR4tZs8YwNc1DfGj6UeKoA"
SECRET_FORMS = {
    "bot token, URL-encoded": ("GET /bot123456%3AAAHb3vQm2Xk9LpR4tZs8YwNc1DfGj6UeKoA/getMe", "AAHb3vQm2Xk9"),
    "bot token, encoded twice": ("?t=123456%253AAAHb3vQm2Xk9LpR4tZs8YwNc1DfGj6UeKoA", "AAHb3vQm2Xk9"),
    "media token": ("GET /media/0f1e2d3c.1796218222.4OLn0Bij51-kc72xf HTTP/1.1", "4OLn0Bij51"),
    "invitation link": (
        '"POST /invite/Xk9LpR4tZs8YwNc1DfGj6UeKoAb3vQm2-_aB/sign-up HTTP/1.1" 303',
        "Xk9LpR4tZs8Y",
    ),
    "oauth code": ("/oauth/vk/callback?code=abc123def&state=s7a7e", "abc123def"),
    "oauth state": ("/oauth/vk/callback?code=abc123def&state=s7a7e", "s7a7e"),
    "vk device id": ("/oauth/vk/callback?device_id=d3v1c3&x=1", "d3v1c3"),
    "vk1 token": ("token vk1.a.Qm2Xk9LpR4tZs8Yw", "Qm2Xk9LpR4tZs8Yw"),
    "vk2 token": ("?t=vk2.a.Qm2Xk9LpR4tZs8Yw&y=2", "Qm2Xk9LpR4tZs8Yw"),
    "vk2 refresh token": ('{"refresh": "vk2.r.Qm2Xk9LpR4tZs8Yw"}', "Qm2Xk9LpR4tZs8Yw"),
    "bearer header": ("Authorization: Bearer ap_0123456789abcdefghij", "0123456789abcdefghij"),
    "drf token header": ("Authorization: Token 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b", "9f86d08188"),
    "drf token alone": ("?token_value=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b", "9f86d08188"),
    "rutube jwt": ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl", "eyJzdWIiOiIxMjMifQ"),
    "password": ("password=hunter2-correct&next=/", "hunter2-correct"),
}


@pytest.mark.parametrize("form", SECRET_FORMS)
def test_every_secret_form_is_scrubbed(form: str) -> None:
    line, secret = SECRET_FORMS[form]
    scrubbed = scrub(line)
    assert secret not in scrubbed and "[redacted]" in scrubbed


def test_ordinary_text_is_kept() -> None:
    line = '127.0.0.1:5000 - "GET /api/v1/clips?page=2 HTTP/1.1" 200 OK, 100% done'
    assert scrub(line) == line


def test_every_logger_and_traceback_goes_through_the_scrubber(capfd: pytest.CaptureFixture[str]) -> None:
    configure_logging(json=True, level=logging.DEBUG)  # here: it binds the sys.stderr capfd captures
    try:
        _log_everywhere()
    finally:
        logging.getLogger().handlers.clear()
        structlog.reset_defaults()
    logged = "".join(capfd.readouterr())
    assert "line from uvicorn.access" in logged and "line from root" in logged
    assert "Traceback" in logged and "job_failed" in logged
    assert BOT_TOKEN.split(":")[1] not in logged, logged


def _log_everywhere() -> None:
    for name in ("uvicorn.access", "uvicorn.error", "bullmq", "httpx2", "autopost", ""):
        logging.getLogger(name).warning("line from %s: %s", name or "root", f"/bot{BOT_TOKEN}/getMe")
    try:
        raise ValueError(f"platform said no to {BOT_TOKEN}")
    except ValueError:
        logging.getLogger("uvicorn.error").exception("Exception in ASGI application")
        structlog.get_logger("autopost").exception("job_failed")
