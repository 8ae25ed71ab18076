"""A local SMTP server that keeps what it receives: the sandbox's mailbox, and the tests'."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass(frozen=True)
class Received:
    sender: str
    recipients: tuple[str, ...]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return "" if part is None else str(part.get_content())

    @property
    def html(self) -> str | None:
        part = self.message.get_body(preferencelist=("html",))
        return None if part is None else str(part.get_content())


@dataclass
class Mailbox:
    """Every mail accepted so far, in order of arrival; safe to read from any thread."""

    _mails: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # aiosmtpd calls its hooks by these names.
    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        message = message_from_bytes(content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        received = Received(
            sender=str(envelope.mail_from), recipients=tuple(envelope.rcpt_tos), message=message
        )
        with self._lock:
            self._mails.append(received)
        return "250 Message accepted for delivery"

    def mails(self, to: str | None = None) -> list[Received]:
        with self._lock:
            return [m for m in self._mails if to is None or to in m.recipients]

    def clear(self) -> None:
        with self._lock:
            self._mails.clear()


@dataclass
class MailServer:
    """An SMTP server on 127.0.0.1:`port` in its own thread; `url` is what AUTOPOST_SMTP_URL takes."""

    port: int
    mailbox: Mailbox = field(default_factory=Mailbox)
    _controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> MailServer:
        options: dict[str, Any] = {"hostname": "127.0.0.1", "port": self.port}
        self._controller = Controller(self.mailbox, **options)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
