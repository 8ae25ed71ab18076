"""A real local SMTP server (aiosmtpd) per test worker; `mailbox` empties it for each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from autopost_sandbox.mailbox import Mailbox, MailServer
from autopost_testing.servers import free_port


@pytest.fixture(scope="session")
def mail_server() -> Iterator[MailServer]:
    server = MailServer(free_port()).start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(mail_server: MailServer) -> Mailbox:
    """The mail server's mailbox, empty; send to `mail_server.url` (e.g. smtp_url= on a stack)."""
    mail_server.mailbox.clear()
    return mail_server.mailbox
