"""Outgoing mail over SMTP (AUTOPOST_SMTP_URL): invitations and notifications."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import aiosmtplib

from autopost.settings import Settings

SEND_TIMEOUT_SECONDS = 30


class MailNotConfigured(RuntimeError):
    """AUTOPOST_SMTP_URL is empty: the install sends no mail."""


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str | None = None


@dataclass(frozen=True)
class SmtpServer:
    hostname: str
    port: int
    username: str | None
    password: str | None
    use_tls: bool

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("AUTOPOST_SMTP_URL must look like smtp://user:pass@host:587 or smtps://host:465")
        tls = parts.scheme == "smtps"
        return cls(
            hostname=parts.hostname,
            port=parts.port or (465 if tls else 25),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_tls=tls,
        )


def mail_configured(settings: Settings) -> bool:
    return bool(settings.smtp_url.get_secret_value())


def build_message(settings: Settings, mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message.set_content(mail.text)
    if mail.html is not None:
        message.add_alternative(mail.html, subtype="html")
    return message


async def send_mail(settings: Settings, mail: Mail) -> None:
    """Hand one mail to the SMTP server; raises aiosmtplib.SMTPException (or OSError) when it refuses."""
    url = settings.smtp_url.get_secret_value()
    if not url:
        raise MailNotConfigured()
    server = SmtpServer.from_url(url)
    await aiosmtplib.send(
        build_message(settings, mail),
        hostname=server.hostname,
        port=server.port,
        username=server.username,
        password=server.password,
        use_tls=server.use_tls,
        timeout=SEND_TIMEOUT_SECONDS,
    )
