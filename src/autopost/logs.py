"""Structured logs (JSON in production) with secrets scrubbed from every line.

Tokens should never reach a log call in the first place; this is the net under
that rule, for what libraries log on their own (e.g. httpx2's request line,
which for the Telegram Bot API carries the bot token in the URL path).
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

SECRET_PATTERNS = [
    re.compile(r"\d{3,20}:[A-Za-z0-9_-]{30,}"),  # Telegram bot tokens, also inside "/bot<token>/"
    re.compile(r"(?i)\b(bearer|oauth|token)\s+[A-Za-z0-9._~+/=-]{8,}"),  # Authorization headers
    re.compile(r"\bvk1\.a\.[A-Za-z0-9._-]+"),  # VK ID access tokens
    re.compile(r"\bap_[A-Za-z0-9_-]{20,}"),  # our API tokens
    re.compile(r"(?i)\b(access_token|refresh_token|code_verifier|client_secret|password|code)=[^&\s\"']+"),
    re.compile(r"(?i)\b(x-amz-signature|x-amz-credential|signature|sig)=[^&\s\"']+"),  # presigned URLs
]
REDACTED = "[redacted]"


def scrub(text: str) -> str:
    for pattern in SECRET_PATTERNS:
        text = pattern.sub(lambda m: f"{m.group(1)}={REDACTED}" if "=" in m.group(0) else REDACTED, text)
    return text


class ScrubSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = None
        return True


def _scrub_event(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    return {key: scrub(value) if isinstance(value, str) else value for key, value in event.items()}


def configure_logging(*, json: bool, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ScrubSecrets())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
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
            _scrub_event,
            renderer,
        ],
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=False,
    )
