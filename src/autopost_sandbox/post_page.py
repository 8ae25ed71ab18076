"""/_sandbox/post?url=…: a post as its platform would show it, since sandbox posts exist nowhere else.

The product's «Открыть» leads here in sandbox mode (its `post_page_url` setting), so a person trying
autopost sees what reached the platform: the title, the text, the account and the video itself
(played from the media shelf, /_sandbox/media/<sha256>, with range requests for seeking).
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response

from autopost_sandbox.accounts_page import PLATFORM_NAMES, STYLE
from autopost_sandbox.core import ReceivedPost
from autopost_sandbox.media_shelf import KEEP_MAX_BYTES, SHELF

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
    kept = SHELF.path_of(post.sha256) is not None
    rows = "".join(
        [
            _row("Площадка", escape(platform)),
            _row("Аккаунт", f"<code>{escape(post.owner)}</code>"),
            _row("Состояние", escape(STATUS_NAMES.get(post.status, post.status))),
            _row("Опубликован", escape(created)),
            _row("Текст", f'<p style="white-space:pre-wrap;margin:0">{escape(post.caption)}</p>'),
            _row("Видео", _player(post) if kept else escape(size)),
            _row("Размер", escape(size) if kept else ""),
            _row("SHA-256 полученных байтов", f"<code>{escape(post.sha256)}</code>" if post.sha256 else ""),
            _row("Адрес на площадке", f"<code>{escape(post.url)}</code>"),
        ]
    )
    return _page(
        post.title or platform,
        f"<h1>{escape(post.title) or escape(platform)}</h1>"
        f'<p class="note">Так пост выглядел бы на площадке {escape(platform)}. Это песочница: '
        f"{_kept_note(kept)}</p><section><dl>{rows}</dl></section>",
    )


def _player(post: ReceivedPost) -> str:
    return (
        f'<video controls preload="metadata" style="max-width:100%;max-height:70vh" '
        f'src="/_sandbox/media/{escape(post.sha256)}"></video>'
    )


def _kept_note(kept: bool) -> str:
    if kept:
        return "видео — те самые байты, что получила песочница, их размер и контрольная сумма ниже."
    limit = KEEP_MAX_BYTES // (1024 * 1024)
    return (
        f"видео больше {limit} МБ или из старых песочница не хранит; она сверяет его размер "
        "и контрольную сумму с отправленным клипом."
    )


async def post_media(request: Request) -> Response:
    """The bytes of a received video, for the post page's player (Range requests work)."""
    path = SHELF.path_of(request.path_params["sha256"])
    if path is None:
        return PlainTextResponse("Видео нет в песочнице.", status_code=404)
    return FileResponse(path, media_type="video/mp4")
