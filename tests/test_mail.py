"""Mail goes out over real SMTP to a local aiosmtpd server."""

from __future__ import annotations

from pathlib import Path

import pytest

from autopost.mail import Mail, MailNotConfigured, SmtpServer, send_mail
from autopost.settings import Settings
from autopost_sandbox.mailbox import Mailbox, MailServer


def _settings(tmp_path: Path, smtp_url: str) -> Settings:
    return Settings(data_dir=tmp_path, smtp_url=smtp_url, mail_from="Autopost <noreply@example.test>")


async def test_a_mail_arrives_with_text_and_html(
    tmp_path: Path, mail_server: MailServer, mailbox: Mailbox
) -> None:
    settings = _settings(tmp_path, mail_server.url)
    await send_mail(
        settings,
        Mail(to="anna@example.test", subject="Публикация не вышла", text="Причина: …", html="<p>Причина</p>"),
    )
    [mail] = mailbox.mails("anna@example.test")
    assert mail.subject == "Публикация не вышла"
    assert mail.text.strip() == "Причина: …"
    assert mail.html is not None and "<p>Причина</p>" in mail.html
    assert mail.sender == "noreply@example.test"


async def test_no_smtp_url_sends_nothing(tmp_path: Path) -> None:
    with pytest.raises(MailNotConfigured):
        await send_mail(_settings(tmp_path, ""), Mail(to="a@example.test", subject="s", text="t"))


def test_smtp_urls_are_read_with_their_defaults() -> None:
    plain = SmtpServer.from_url("smtp://mailer:p%40ss@mail.example.test:587")
    assert (plain.hostname, plain.port, plain.username, plain.password, plain.use_tls) == (
        "mail.example.test",
        587,
        "mailer",
        "p@ss",
        False,
    )
    assert SmtpServer.from_url("smtps://mail.example.test").port == 465
    with pytest.raises(ValueError):
        SmtpServer.from_url("http://mail.example.test")
