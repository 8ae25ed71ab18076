"""Telegram's public web preview (t.me/s/<channel>), the only place bots can read view counts.

The markup copies the real page's classes and attributes that scrapers rely on:
`tgme_widget_message` blocks with data-post="<channel>/<id>", a
`tgme_widget_message_views` span with the abbreviated count, a
`tgme_widget_message_date` link holding <time datetime=...>, and the
`tme_messages_more` link with data-before for older posts (20 per page).
Every message block, service messages included, ends in a
`tgme_widget_message_footer` with the date link, as snscrape
(JustAnotherArchivist/snscrape:snscrape/modules/telegram.py) requires; the
channel page t.me/<name> has `tgme_page_extra` ("N subscribers") and the
`tgme_page_photo_image` picture. Private and unknown channels have no preview:
t.me/s/<name> redirects to t.me/<name>, which shows no messages.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from html import escape

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from autopost_sandbox.telegram.world import Channel, ChannelMessage, TelegramWorld

PAGE_SIZE = 20
# Views approach a post's reach with this half-saturation time (6 hours after posting: half the reach).
VIEWS_HALF_TIME = 6 * 3600.0


def views(channel: Channel, message: ChannelMessage, now: float) -> int:
    """Deterministic, never decreasing over clock time: 1 at posting, approaching the post's reach."""
    digest = hashlib.sha256(f"{channel.id}:{message.message_id}".encode()).digest()
    reach = 500 * 2 ** (digest[0] % 10) + int.from_bytes(digest[1:3], "big") % 500
    age = max(0.0, now - message.date)
    return 1 + int(reach * age / (age + VIEWS_HALF_TIME))


def short_count(count: int) -> str:
    """Counts as t.me prints them: 999, 1.2K, 12.3K, 1.5M (truncated, a trailing .0 dropped)."""
    for divider, suffix in ((1_000_000, "M"), (1_000, "K")):
        if count >= divider:
            whole, tenth = divmod(count * 10 // divider, 10)
            return f"{whole}.{tenth}{suffix}" if tenth else f"{whole}{suffix}"
    return str(count)


def _duration(seconds: int) -> str:
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _data_view(channel: Channel, message: ChannelMessage, now: float) -> str:
    token: dict[str, int | str] = {"c": -int(channel.internal_id), "p": message.message_id, "t": int(now)}
    token["h"] = hashlib.sha256(json.dumps(token).encode()).hexdigest()[:18]
    return base64.urlsafe_b64encode(json.dumps(token, separators=(",", ":")).encode()).decode().rstrip("=")


def _date_link(channel: Channel, message: ChannelMessage) -> str:
    moment = datetime.fromtimestamp(message.date, UTC)
    return (
        f'<a class="tgme_widget_message_date" href="{channel.post_url(message.message_id)}">'
        f'<time datetime="{moment.isoformat()}" class="time">{moment:%H:%M}</time></a>'
    )


def _service_block(channel: Channel, message: ChannelMessage) -> str:
    # A service message has no views, but its footer and date link are there like any message's.
    return (
        '<div class="tgme_widget_message_wrap js-widget_message_wrap">'
        f'<div class="tgme_widget_message service_message js-widget_message" data-post="{channel.username}/'
        f'{message.message_id}"><div class="tgme_widget_message_bubble">'
        '<div class="tgme_widget_message_text js-message_text" dir="auto">'
        f"{escape(message.service_text or '')}</div>"
        '<div class="tgme_widget_message_footer js-message_footer">'
        '<div class="tgme_widget_message_info js-message_info"><span class="tgme_widget_message_meta">'
        f"{_date_link(channel, message)}</span></div></div></div></div></div>"
    )


def _video_block(channel: Channel, message: ChannelMessage) -> str:
    video = message.video or {}
    link = channel.post_url(message.message_id)
    return (
        f'<a class="tgme_widget_message_video_player js-message_video_player" href="{link}">'
        '<i class="tgme_widget_message_video_thumb"></i>'
        '<div class="tgme_widget_message_video_wrap">'
        '<video class="tgme_widget_message_video js-message_video" width="100%" height="100%"></video></div>'
        '<div class="message_video_play"></div>'
        '<time class="message_video_duration js-message_video_duration">'
        f"{_duration(video.get('duration', 0))}</time></a>"
    )


def message_block(channel: Channel, message: ChannelMessage, now: float) -> str:
    username = channel.username or ""
    if message.service_text is not None:
        return _service_block(channel, message)
    caption = escape(message.caption).replace("\n", "<br/>")
    text = (
        f'<div class="tgme_widget_message_text js-message_text" dir="auto">{caption}</div>' if caption else ""
    )
    return (
        '<div class="tgme_widget_message_wrap js-widget_message_wrap">'
        f'<div class="tgme_widget_message text_not_supported_wrap js-widget_message" '
        f'data-post="{username}/{message.message_id}" data-view="{_data_view(channel, message, now)}">'
        '<div class="tgme_widget_message_bubble">'
        '<div class="tgme_widget_message_author accent_color">'
        f'<a class="tgme_widget_message_owner_name" href="https://t.me/{username}">'
        f'<span dir="auto">{escape(channel.title)}</span></a></div>'
        f"{_video_block(channel, message) if message.video is not None else ''}{text}"
        '<div class="tgme_widget_message_footer compact js-message_footer">'
        '<div class="tgme_widget_message_info short js-message_info">'
        f'<span class="tgme_widget_message_views">{short_count(views(channel, message, now))}</span>'
        '<span class="copyonly"> views</span><span class="tgme_widget_message_meta">'
        f"{_date_link(channel, message)}</span>"
        "</div></div></div></div></div>"
    )


def _page(title: str, body: str, canonical: str) -> str:
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)} – Telegram</title>\n"
        f'<meta property="og:title" content="{escape(title)}">\n'
        f'<link rel="canonical" href="{canonical}">\n</head>\n'
        f'<body class="widget_frame_base tgme_webpage emoji_image with_sidebar">\n{body}\n</body>\n</html>\n'
    )


def channel_page(
    channel: Channel, history: list[ChannelMessage], before: int | None, now: float, root: str
) -> str:
    """The preview page: the newest 20 messages older than `before`, oldest first."""
    username = channel.username or ""
    older = [m for m in history if before is None or m.message_id < before]
    shown = older[-PAGE_SIZE:]
    more = ""
    if len(older) > len(shown):
        first = shown[0].message_id
        more = (
            '<div class="tgme_widget_message_centered js-messages_more_wrap">'
            f'<a href="{root}/s/{username}?before={first}" class="tme_messages_more js-messages_more" '
            f'data-before="{first}"></a></div>'
        )
    info = (
        '<div class="tgme_channel_info"><div class="tgme_channel_info_header">'
        f'<i class="tgme_page_photo_image"><img src="{photo_url(root, username)}"></i>'
        f'<div class="tgme_channel_info_header_title"><span dir="auto">{escape(channel.title)}</span></div>'
        f'<div class="tgme_channel_info_header_username"><a href="https://t.me/{username}">@{username}</a></div>'
        f'</div><div class="tgme_channel_info_description">{escape(channel.description)}</div>'
        '<div class="tgme_channel_info_counters"><div class="tgme_channel_info_counter">'
        f'<span class="counter_value">{short_count(channel.subscribers)}</span> '
        '<span class="counter_type">subscribers</span></div></div></div>'
    )
    blocks = "\n".join(message_block(channel, m, now) for m in shown)
    history_html = f'<section class="tgme_channel_history js-message_history">\n{more}\n{blocks}\n</section>'
    body = f'{info}\n<main class="tgme_main"><div class="tgme_container">{history_html}</div></main>'
    return _page(channel.title, body, f"https://t.me/s/{username}")


def photo_url(root: str, username: str) -> str:
    return f"{root}/i/userpic/320/{username}.svg"


def channel_photo(channel: Channel) -> str:
    """The channel's picture: its initial on a colour of its own (real pages link a JPEG on Telegram's CDN)."""
    hue = channel.id % 360
    initial = escape(channel.title[:1].upper())
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="320" viewBox="0 0 320 320">'
        f'<rect width="320" height="320" fill="hsl({hue}, 55%, 55%)"/>'
        '<text x="160" y="160" dy=".35em" text-anchor="middle" font-family="sans-serif" font-size="160" '
        f'fill="#fff">{initial}</text></svg>'
    )


def _contact_page(name: str, channel: Channel | None, root: str) -> str:
    if channel is None or channel.username is None:
        description = (
            f'If you have <strong>Telegram</strong>, you can contact <a class="tgme_username_link" '
            f'href="tg://resolve?domain={escape(name)}">@{escape(name)}</a> right away.'
        )
        body = f'<div class="tgme_page"><div class="tgme_page_description">{description}</div></div>'
        return _page(f"Telegram: Contact @{name}", body, f"https://t.me/{escape(name)}")
    subscribers = f"{channel.subscribers:,}".replace(",", " ")
    body = (
        f'<div class="tgme_page"><div class="tgme_page_photo"><a href="tg://resolve?domain={channel.username}">'
        f'<img class="tgme_page_photo_image" src="{photo_url(root, channel.username)}"></a></div>'
        '<div class="tgme_page_title"><span dir="auto">{escape(channel.title)}</span>'
        f'</div><div class="tgme_page_extra">{subscribers} subscribers</div>'
        f'<div class="tgme_page_description">{escape(channel.description)}</div>'
        f'<div class="tgme_page_context_link_wrap"><a class="tgme_page_context_link" '
        f'href="{root}/s/{channel.username}">Preview channel</a></div></div>'
    )
    return _page(channel.title, body, f"https://t.me/{channel.username}")


def preview_app(world: TelegramWorld) -> Starlette:
    async def channel_preview(request: Request) -> Response:
        name = request.path_params["name"]
        root = request.scope.get("root_path", "")
        channel = world.channel_by_username(name)
        if channel is None:
            return RedirectResponse(f"{root}/{name}", status_code=302)
        before_raw = request.query_params.get("before", "")
        before = int(before_raw) if before_raw.isdigit() else None
        page = channel_page(channel, world.history(channel.id), before, world.clock.now(), root)
        return HTMLResponse(page)

    async def contact(request: Request) -> Response:
        name = request.path_params["name"]
        root = request.scope.get("root_path", "")
        return HTMLResponse(_contact_page(name, world.channel_by_username(name), root))

    async def photo(request: Request) -> Response:
        channel = world.channel_by_username(request.path_params["name"])
        if channel is None or channel.username is None:
            return Response("Not Found", status_code=404)
        return Response(channel_photo(channel), media_type="image/svg+xml")

    async def private_post(request: Request) -> Response:
        # t.me/c/<id>/<message> only opens inside Telegram for members; the web shows no content.
        body = (
            '<div class="tgme_page"><div class="tgme_page_description">'
            "Please open Telegram to view this post</div></div>"
        )
        return HTMLResponse(_page("Telegram", body, str(request.url)))

    return Starlette(
        routes=[
            Route("/s/{name}", channel_preview, methods=["GET"]),
            Route("/i/userpic/320/{name}.svg", photo, methods=["GET"]),
            Route("/c/{internal}/{message_id:int}", private_post, methods=["GET"]),
            Route("/{name}", contact, methods=["GET"]),
        ]
    )
