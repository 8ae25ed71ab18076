"""/_sandbox/post?url=…: a post as its platform would show it, since sandbox posts exist nowhere else.

The product's «Открыть» leads here in sandbox mode (its `post_page_url` setting), so a person trying
autopost sees what reached the platform: the title, the text, the account and what became of the file.
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

from starlette.responses import HTMLResponse

from autopost_sandbox.accounts_page import PLATFORM_NAMES, STYLE
from autopost_sandbox.core import ReceivedPost

STATUS_NAMES = {"published": "Опубликован", "processing": "Обрабатывается", "deleted": "Удалён"}


def _page(title: str, body: str, status_code: int = 200) -> HTMLResponse:
    html = (
        '<!doctype html><html lang="ru"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Песочница: {escape(title)}</title><style>{STYLE}</style></head><body><main>"
        f"{body}</main></body></html>"
    )
    return HTMLResponse(html, status_code=status_code)


def _row(name: str, value: str) -> str:
    return f"<dt>{escape(name)}</dt><dd>{value}</dd>" if value else ""


def post_page(url: str, post: ReceivedPost | None) -> HTMLResponse:
    if post is None:
        return _page(
            "пост не найден",
            "<h1>Пост не найден</h1>"
            f'<p class="note">В песочнице нет поста по адресу <code>{escape(url)}</code>. '
            "Песочница хранит посты в памяти: после её перезапуска они пропадают.</p>",
            status_code=404,
        )
    platform = PLATFORM_NAMES.get(post.platform, post.platform)
    created = datetime.fromtimestamp(post.created_at, UTC).strftime("%d.%m.%Y %H:%M:%S UTC")
    size = f"{post.bytes:,}".replace(",", "\u00a0") + " байт" if post.bytes else ""
    rows = "".join(
        [
            _row("Площадка", escape(platform)),
            _row("Аккаунт", f"<code>{escape(post.owner)}</code>"),
            _row("Состояние", escape(STATUS_NAMES.get(post.status, post.status))),
            _row("Опубликован", escape(created)),
            _row("Текст", f'<p style="white-space:pre-wrap;margin:0">{escape(post.caption)}</p>'),
            _row("Видео", escape(size)),
            _row("SHA-256 полученных байтов", f"<code>{escape(post.sha256)}</code>" if post.sha256 else ""),
            _row("Адрес на площадке", f"<code>{escape(post.url)}</code>"),
        ]
    )
    return _page(
        post.title or platform,
        f"<h1>{escape(post.title) or escape(platform)}</h1>"
        f'<p class="note">Так пост выглядел бы на площадке {escape(platform)}. Это песочница: '
        "видео не хранится, песочница сверяет его размер и контрольную сумму с отправленным клипом.</p>"
        f"<section><dl>{rows}</dl></section>",
    )
