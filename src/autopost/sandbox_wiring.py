"""Point every provider at a running sandbox (tests, demos and `autopost up --sandbox`)."""

from __future__ import annotations

import socket

from pydantic import SecretStr

from autopost.settings import Settings
from autopost_sandbox.mailbox import MailServer
from autopost_sandbox.telegram.world import NOTIFY_BOT
from autopost_sandbox.vk.accounts import DEMO_APP_ID


def point_at_sandbox(settings: Settings, sandbox_url: str) -> Settings:
    """The same settings with each platform's URLs and app credentials set to the sandbox's."""
    base = sandbox_url.rstrip("/")
    return settings.model_copy(
        update={
            "vk": settings.vk.model_copy(
                update={
                    "api_url": f"{base}/vk",
                    "id_url": f"{base}/vkid",
                    "web_url": f"{base}/vkweb",
                    "client_id": DEMO_APP_ID,
                }
            ),
            "telegram": settings.telegram.model_copy(
                update={"api_url": f"{base}/telegram", "preview_url": f"{base}/tme"}
            ),
            "rutube": settings.rutube.model_copy(
                update={"api_url": f"{base}/rutube", "upload_url": f"{base}/rutube-upload"}
            ),
            "dzen": settings.dzen.model_copy(update={"api_url": f"{base}/dzen"}),
            "notify": settings.notify.model_copy(
                update={
                    "telegram_api_url": f"{base}/telegram",
                    "telegram_bot_token": SecretStr(NOTIFY_BOT.token),
                }
            ),
            "post_page_url": f"{base}/_sandbox/post",
        }
    )


def sandbox_mail_server() -> MailServer:
    """The sandbox's SMTP server on a free local port, started: `autopost up --sandbox` mails there."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    return MailServer(port).start()


def with_sandbox_notify_bot(settings: Settings) -> Settings:
    """The settings with the sandbox's notification bot (@autopost_notify_bot) as the operator's bot."""
    token = SecretStr(NOTIFY_BOT.token)
    return settings.model_copy(
        update={"notify": settings.notify.model_copy(update={"telegram_bot_token": token})}
    )
