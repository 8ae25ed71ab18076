"""/_sandbox/accounts as a person opens it in a browser: each demo account and what connects it.

`autopost up --sandbox` prints this address; a browser asks for HTML, scripts and tests for JSON.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse

from autopost_sandbox.http import DemoAccount

PLATFORM_NAMES = {"vk": "VK", "rutube": "Rutube", "dzen": "Дзен", "telegram": "Telegram"}
# What a credential is called in Russian, beside its key; other keys show as they are.
CREDENTIAL_NAMES = {
    "cookies_txt": "Экспорт cookies (cookies.txt)",
    "access_token": "Токен доступа",
    "bot_token": "Токен бота",
    "token": "Токен",
    "username": "Логин",
    "login": "Логин",
    "password": "Пароль",
    "client_id": "ID приложения",
    "client_secret": "Секрет приложения",
}
STYLE = (
    "body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0;color:#1d2433}"
    "main{max-width:760px;margin:32px auto;padding:0 16px}"
    "section{background:#fff;border-radius:10px;padding:16px 20px;margin:0 0 16px}"
    "h1{font-size:24px}h2{font-size:18px;margin:0 0 8px}dt{font-weight:600;margin-top:10px}"
    "dd{margin:4px 0 0}textarea{width:100%;font-family:monospace;font-size:13px;box-sizing:border-box}"
    "code{background:#eef0f3;padding:2px 6px;border-radius:4px;word-break:break-all}"
    ".note{color:#5c6470}"
)


def wants_html(request: Request) -> bool:
    """A browser's Accept lists text/html before any JSON; curl, httpx and tests send */* or nothing."""
    accept = request.headers.get("accept", "")
    html, json = accept.find("text/html"), accept.find("application/json")
    return html >= 0 and (json < 0 or html < json)


def _credential(name: str, value: str) -> str:
    label = escape(CREDENTIAL_NAMES.get(name, name))
    key = f" <code>{escape(name)}</code>" if name in CREDENTIAL_NAMES else ""
    if "\n" in value or len(value) > 80:
        rows = min(8, value.count("\n") + 2)
        shown = f'<textarea readonly wrap="off" rows="{rows}" aria-label="{label}">{escape(value)}</textarea>'
    else:
        shown = f"<code>{escape(value)}</code>"
    return f"<dt>{label}{key}</dt><dd>{shown}</dd>"


def accounts_page(accounts: Sequence[DemoAccount]) -> HTMLResponse:
    sections = "".join(
        f"<section><h2>{escape(PLATFORM_NAMES.get(a.platform, a.platform))}</h2>"
        f"<p>{escape(a.description)}</p>"
        f"<dl>{''.join(_credential(k, v) for k, v in a.credentials.items())}</dl></section>"
        for a in accounts
    )
    html = (
        '<!doctype html><html lang="ru"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Песочница: демо-аккаунты</title><style>{STYLE}</style></head><body><main>"
        "<h1>Демо-аккаунты песочницы</h1>"
        '<p class="note">Это не настоящие площадки: песочница отвечает так, как отвечали бы VK, Rutube, '
        "Дзен и Telegram. Скопируйте данные аккаунта в форму подключения в настройках автопостинга.</p>"
        f"{sections}</main></body></html>"
    )
    return HTMLResponse(html)
