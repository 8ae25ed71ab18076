"""A real local SMTP server (aiosmtpd) per test process; `mailbox` empties it for each test.

The server starts on first use and lives as long as the process: every app under test
(tests/support/api.py) sends its mail there unless a test points smtp_url elsewhere, so
that inviting a member works wherever a test needs one.
"""

from __future__ import annotations

import atexit
import re

import pytest

from autopost_sandbox.mailbox import Mailbox, MailServer
from autopost_testing.servers import free_port

_shared: list[MailServer] = []
INVITE_LINK = re.compile(r"https?://\S+/invite/(?P<token>[A-Za-z0-9_-]+)")


def shared_mail_server() -> MailServer:
    if not _shared:
        server = MailServer(free_port()).start()
        atexit.register(server.stop)
        _shared.append(server)
    return _shared[0]


def invitation_token(mailbox: Mailbox, email: str) -> str:
    """The token of the newest invitation link mailed to `email`."""
    links = [m for m in (INVITE_LINK.search(mail.text) for mail in mailbox.mails(email)) if m]
    assert links, f"no invitation mailed to {email}"
    return links[-1].group("token")


@pytest.fixture(scope="session")
def mail_server() -> MailServer:
    return shared_mail_server()


@pytest.fixture
def mailbox(mail_server: MailServer) -> Mailbox:
    """The mail server's mailbox, empty; send to `mail_server.url` (e.g. smtp_url= on a stack)."""
    mail_server.mailbox.clear()
    return mail_server.mailbox
