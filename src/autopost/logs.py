"""Structured logs (JSON in production) with secrets scrubbed from every line.

Tokens should never reach a log call in the first place; this is the net under
that rule, for what libraries log on their own: uvicorn's access line (the
signed /media/<token> path, the OAuth callback's code and state, a bot token
in a path, percent-encoded), httpx2's request line (the Telegram Bot API
carries the bot token in the URL path), tracebacks of platform errors.

Every stdlib logger (uvicorn.access, uvicorn.error, bullmq, httpx2, root)
reaches the one root handler, whose formatter scrubs the whole formatted
record, traceback included; structlog scrubs its rendered line with the same
`scrub`. uvicorn must be run with `log_config=None` (see serving.py) so that it
does not install handlers of its own.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any
from urllib.parse import unquote

import structlog

REDACTED = "[redacted]"
# A value runs to the next separator; never past a quote or backslash, so a JSON line stays valid.
_VALUE = r"[^&\s\"'\\]+"

# Patterns with a `keep` group keep that part (a header scheme, a parameter name) and redact the rest.
SECRET_PATTERNS = [
    re.compile(r"\d{3,20}:[A-Za-z0-9_-]{30,}"),  # Telegram bot tokens, also inside "/bot<token>/"
    re.compile(r"(?i)\b(?P<keep>(?:bearer|oauth|token|basic)\s+)[A-Za-z0-9._~+/=-]{8,}"),  # Authorization
    re.compile(r"\bvk[12]\.[A-Za-z0-9._-]+"),  # VK ID access and refresh tokens
    re.compile(r"\bap_[A-Za-z0-9_-]{20,}"),  # our API tokens
    re.compile(r"\beyJ[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]*){0,2}"),  # JWTs (Rutube's login answer)
    re.compile(r"(?<![0-9A-Fa-f])[0-9a-f]{40}(?![0-9A-Fa-f])"),  # Django REST Framework tokens (Rutube)
    re.compile(r"(?P<keep>/media/)[^/?#\s\"'\\]+"),  # signed clip URLs
    re.compile(r"(?P<keep>/invite/)[^/?#\s\"'\\]+"),  # invitation links
    re.compile(
        rf"(?i)\b(?P<keep>(?:access_token|refresh_token|code_verifier|client_secret|password|code)=){_VALUE}"
    ),
    re.compile(rf"(?i)(?P<keep>[?&;](?:state|device_id)=){_VALUE}"),  # OAuth callback query
    re.compile(rf"(?i)\b(?P<keep>(?:x-amz-signature|x-amz-credential|signature|sig)=){_VALUE}"),  # presigned
]
# A URL-ish run with percent-escapes: a secret may hide in it as `123456%3AAAH...` (uvicorn quotes paths).
_ENCODED_RUN = re.compile(r"[^\s\"'<>\\]*%[0-9A-Fa-f]{2}[^\s\"'<>\\]*")


def _redact(match: re.Match[str]) -> str:
    return (match.group("keep") if "keep" in match.re.groupindex else "") + REDACTED


def _scrub_plain(text: str) -> str:
    for pattern in SECRET_PATTERNS:
        text = pattern.sub(_redact, text)
    return text


def _scrub_encoded(match: re.Match[str]) -> str:
    """The run decoded and scrubbed when decoding reveals a secret; otherwise left as it was."""
    run = decoded = match.group(0)
    for _ in range(3):  # double-encoded values (%253A) too
        step = unquote(decoded)
        if step == decoded:
            break
        decoded = step
    scrubbed = _scrub_plain(decoded)
    return scrubbed if scrubbed != decoded else run


def scrub(text: str) -> str:
    return _scrub_plain(_ENCODED_RUN.sub(_scrub_encoded, text))


class ScrubbingFormatter(logging.Formatter):
    """Scrubs the whole formatted record: message, arguments, traceback and stack."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


def _scrub_rendered(_: Any, __: str, rendered: Any) -> str:
    """After the renderer: `rendered` is the finished line, every field and the traceback in it."""
    return scrub(str(rendered))


def configure_logging(*, json: bool, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(ScrubbingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Whatever configured these before (uvicorn's own dictConfig) gave them handlers that bypass ours.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "bullmq"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    # Request lines are noise at INFO; failures are still logged by our own code.
    for noisy in ("httpx2", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    renderer = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
            _scrub_rendered,
        ],
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=False,
    )
