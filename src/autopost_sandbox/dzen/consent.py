"""The Yandex ID consent page: plain HTML, a POST form, no JavaScript (works in any test browser)."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from autopost_sandbox.dzen.registry import SEEDED_USERS, OAuthApp, YandexUser

_STYLE = """
body{font-family:system-ui,sans-serif;background:#f2f3f5;margin:0}
main{max-width:28rem;margin:3rem auto;background:#fff;border-radius:1rem;padding:2rem}
h1{font-size:1.3rem}fieldset{border:0;padding:0;margin:1rem 0}label{display:block;margin:.5rem 0}
button{font-size:1rem;padding:.6rem 1.2rem;border-radius:.6rem;border:0;margin-right:.5rem}
.allow{background:#fc3f1d;color:#fff}.note{color:#666;font-size:.85rem}
"""


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="ru"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def _account_choice(user: YandexUser, checked: bool) -> str:
    channel = f"Дзен-канал: «{user.publisher.name}»" if user.publisher else "нет канала в Дзене"
    mark = " checked" if checked else ""
    return (
        f'<label><input type="radio" name="uid" value="{escape(user.uid)}"{mark}> '
        f"{escape(user.display_name)} ({escape(user.login)}) — {escape(channel)}</label>"
    )


def consent_page(action: str, app: OAuthApp, hidden: Mapping[str, str], login_hint: str) -> str:
    """Ask which sandbox account grants access, then «Разрешить» or «Отмена»."""
    preferred = next((u for u in SEEDED_USERS if u.login == login_hint), SEEDED_USERS[0])
    choices = "".join(_account_choice(u, u is preferred) for u in SEEDED_USERS)
    fields = "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in hidden.items() if v
    )
    body = (
        f"<h1>Приложение «{escape(app.name)}» запрашивает доступ к вашему аккаунту</h1>"
        "<p>Оно получит ваш логин, имя и портрет и сможет публиковать видео в вашем канале Дзена.</p>"
        f'<form method="post" action="{escape(action)}">{fields}'
        f"<fieldset><legend>Войти как</legend>{choices}</fieldset>"
        '<button class="allow" type="submit" name="decision" value="allow">Разрешить</button>'
        '<button type="submit" name="decision" value="deny">Отмена</button>'
        "</form>"
        '<p class="note">Песочница autopost: это не настоящий Яндекс ID.</p>'
    )
    return _page("Яндекс ID — разрешение доступа", body)


def error_page(message: str) -> str:
    """Shown instead of redirecting when the client or redirect_uri cannot be trusted (RFC 6749 §4.1.2.1)."""
    return _page("Яндекс ID — ошибка", f"<h1>Ошибка</h1><p>{escape(message)}</p>")
