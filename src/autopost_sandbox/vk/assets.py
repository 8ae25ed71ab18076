"""Images VK serves from its CDN (avatars, community photos, captcha), drawn locally so demos work offline."""

from __future__ import annotations

import re
from html import escape

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from autopost_sandbox.vk.accounts import GROUPS, USERS

_IMAGE_NAME = re.compile(r"^([ug])(\d+)_(\d+)\.svg$")
_COLOURS = ("#0077ff", "#2d8f5f", "#b8559b", "#d9822b")


def _svg(text: str, size: int, colour: str, *, round_shape: bool) -> Response:
    shape = (
        f'<circle cx="{size / 2}" cy="{size / 2}" r="{size / 2}" fill="{colour}"/>'
        if round_shape
        else f'<rect width="{size * 2}" height="{size}" fill="{colour}"/>'
    )
    width = size if round_shape else size * 2
    body = (
        '<svg xmlns="http://www.w3.org/2000/svg" '
        f'width="{width}" height="{size}" viewBox="0 0 {width} {size}">'
        f'{shape}<text x="50%" y="50%" dominant-baseline="central" text-anchor="middle" '
        f'font-family="sans-serif" font-size="{size * 0.38:.0f}" fill="#fff">{escape(text)}</text></svg>'
    )
    return Response(body, media_type="image/svg+xml")


def _initials(kind: str, entity_id: int) -> str | None:
    if kind == "u" and entity_id in USERS:
        user = USERS[entity_id]
        return user.first_name[0] + user.last_name[0]
    if kind == "g" and entity_id in GROUPS:
        return "".join(word[0] for word in GROUPS[entity_id].name.split()[:2]).upper()
    return None


async def image(request: Request) -> Response:
    """GET /vk/images/{u|g}{id}_{size}.svg: an avatar with the account's initials."""
    match = _IMAGE_NAME.match(request.path_params["name"])
    initials = match and _initials(match.group(1), int(match.group(2)))
    if not match or not initials:
        return PlainTextResponse("Not Found", status_code=404)
    size = min(400, max(16, int(match.group(3))))
    return _svg(initials, size, _COLOURS[int(match.group(2)) % len(_COLOURS)], round_shape=True)


async def captcha(request: Request) -> Response:
    """GET /vk/captcha.php?sid=...: the picture behind error 14's captcha_img."""
    sid = request.query_params.get("sid", "")
    return _svg(f"captcha {sid[-4:]}", 50, "#5a5a5a", round_shape=False)
