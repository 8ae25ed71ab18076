"""/_sandbox/mail: the mails the sandbox's SMTP server received, newest first (HTML or JSON).

`autopost up --sandbox` sends the app's mail (notifications, invitations) to that server, so a
newcomer reads them here instead of configuring a real mailbox.
"""

from __future__ import annotations

from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from autopost_sandbox.accounts_page import wants_html
from autopost_sandbox.mailbox import Mailbox, Received

_STYLE = (
    "body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0;color:#1d2433}"
    "main{max-width:760px;margin:32px auto;padding:0 16px}"
    "article{background:#fff;border-radius:10px;padding:16px 20px;margin:0 0 16px}"
    "h1{font-size:24px}h2{font-size:18px;margin:0 0 4px}.note{color:#5c6470}"
    "pre{white-space:pre-wrap;word-break:break-word;font-family:inherit;margin:12px 0 0}"
)


def _mail_json(mail: Received) -> dict[str, object]:
    return {"to": list(mail.recipients), "from": mail.sender, "subject": mail.subject, "text": mail.text}


def _mail_html(mail: Received) -> str:
    return (
        f"<article><h2>{escape(mail.subject)}</h2>"
        f'<p class="note">Кому: {escape(", ".join(mail.recipients))}</p>'
        f"<pre>{escape(mail.text)}</pre></article>"
    )


def mail_route(mailbox: Mailbox) -> Route:
    """GET /_sandbox/mail (a Route, not a Mount: a Mount would redirect the path without its slash)."""

    async def listing(request: Request) -> Response:
        mails = list(reversed(mailbox.mails()))
        if not wants_html(request):
            return JSONResponse([_mail_json(m) for m in mails])
        body = "".join(_mail_html(m) for m in mails) or '<p class="note">Писем пока нет.</p>'
        return HTMLResponse(
            '<!doctype html><html lang="ru"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>Песочница: почта</title><style>{_STYLE}</style></head><body><main>"
            "<h1>Почта песочницы</h1>"
            '<p class="note">Письма, которые автопостинг отправил через почтовый сервер песочницы.</p>'
            f"{body}</main></body></html>"
        )

    return Route("/_sandbox/mail", listing, methods=["GET"])
