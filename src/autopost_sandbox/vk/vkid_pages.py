"""The HTML VK ID shows: the consent page (a plain form, no JS) and the error page, in Russian."""

from __future__ import annotations

from html import escape

from starlette.responses import HTMLResponse

from autopost_sandbox.vk.accounts import ANNA

SCOPE_NAMES = {
    "vkid.personal_info": "Имя, фамилия, пол, фото профиля и дата рождения",
    "email": "Адрес почты",
    "phone": "Номер телефона",
    "video": "Видеозаписи: загрузка и публикация",
    "wall": "Стена: публикация записей",
    "groups": "Сообщества, которыми вы управляете",
}

_STYLE = (
    "body{font-family:sans-serif;background:#f0f2f5;margin:0}"
    "main{max-width:420px;margin:48px auto;background:#fff;border-radius:12px;padding:24px}"
    "h1{font-size:20px}.me{display:flex;align-items:center;gap:12px}"
    "button{font-size:16px;padding:10px 18px;border-radius:8px;border:0;margin-right:8px}"
    ".allow{background:#0077ff;color:#fff}.note{color:#818c99;font-size:14px}"
)


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = (
        f'<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{_STYLE}</style></head><body><main>{body}</main></body></html>"
    )
    return HTMLResponse(html, status_code=status)


def error_page(detail: str) -> HTMLResponse:
    body = f"<h1>VK ID: ошибка авторизации</h1><p>{escape(detail)}</p>"
    return _page("VK ID — ошибка", body, status=400)


def captcha_page() -> HTMLResponse:
    """Where error 14's redirect_uri leads: VK ID's «я не робот» check (nothing to solve in the sandbox)."""
    body = (
        "<h1>Подтвердите, что вы не робот</h1>"
        "<p>Проверка пройдена. Вернитесь в приложение и повторите действие.</p>"
    )
    return _page("VK ID — проверка", body)


def consent_page(
    *, app_name: str, avatar_url: str, fields: dict[str, str], granted: list[str], refused: list[str]
) -> HTMLResponse:
    """The consent screen; the form posts every authorize parameter back with the decision."""
    hidden = "".join(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'
        for name, value in fields.items()
    )
    scope_items = "".join(f"<li>{escape(SCOPE_NAMES.get(s, s))}</li>" for s in granted)
    refused_note = (
        '<p class="note">Приложению не одобрен доступ: '
        + escape(", ".join(SCOPE_NAMES.get(s, s) for s in refused))
        + ". Такие права VK выдаёт только после проверки приложения.</p>"
        if refused
        else ""
    )
    body = (
        f'<h1>Вход через VK ID</h1><div class="me"><img src="{escape(avatar_url)}" width="48" height="48" '
        f'alt=""><p>Вы вошли как <strong>{escape(ANNA.full_name)}</strong></p></div>'
        f"<p>Приложение «{escape(app_name)}» запрашивает доступ:</p><ul>{scope_items}</ul>{refused_note}"
        f'<form method="post" action="authorize">{hidden}'
        '<button class="allow" type="submit" name="decision" value="allow">Разрешить</button>'
        '<button type="submit" name="decision" value="deny">Отмена</button></form>'
    )
    return _page("VK ID — вход", body)
