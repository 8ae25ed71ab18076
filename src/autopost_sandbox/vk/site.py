"""The vk.com site (/vkweb): pages as a signed-in or signed-out browser gets them.

A signed-in page (a `remixsid` cookie of an active session) embeds the official web
client's token, `"webToken":{"access_token":"…"}` of app 6287487, which VK's own
pages use for their API calls (crosspostly/diveclub-vkposter:clip_web_upload.py). Each
page load issues a new token that lives `vk_web_token_seconds` on the sandbox clock
(VK: about 5-10 minutes, then error 5). No cookie, an unknown one, an expired or
ended session: the signed-out page, HTTP 200, without webToken. Any path serves the
same page (the real client reads it from vk.com/clips-<group>).
"""

from __future__ import annotations

import json
from html import escape

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from autopost_sandbox.core import FaultKind
from autopost_sandbox.http import DemoAccount
from autopost_sandbox.vk.accounts import SESSION_COOKIE, USERS
from autopost_sandbox.vk.world import VkWorld

SITE_FAULTS: tuple[FaultKind, ...] = ("server_error",)

_SIGNED_OUT = """<!DOCTYPE html>
<html lang="ru"><head><meta charset="utf-8"><title>ВКонтакте | Вход</title></head>
<body><main><h1>Вход ВКонтакте</h1>
<form method="post" action="/login"><input name="login" placeholder="Телефон или почта">
<button type="submit">Войти</button></form></main></body></html>
"""


def _signed_in(name: str, token: str) -> str:
    # Compact JSON, as VK's pages carry it: third-party readers match `"access_token":"…"` exactly.
    config = json.dumps({"lang": 0, "webToken": {"access_token": token}}, separators=(",", ":"))
    return f"""<!DOCTYPE html>
<html lang="ru"><head><meta charset="utf-8"><title>Клипы | ВКонтакте</title></head>
<body><header>{escape(name)}</header><main><h1>Клипы</h1></main>
<script>window.vkConfig = {config};</script></body></html>
"""


class VkSiteEmulator:
    prefix = "/vkweb"

    def __init__(self, world: VkWorld) -> None:
        self.world = world

    def app(self) -> ASGIApp:
        return Starlette(routes=[Route("/{path:path}", self.page, methods=["GET"])])

    def demo_accounts(self) -> list[DemoAccount]:
        # The VK API emulator lists the session with the rest of the VK accounts.
        return []

    def reset(self) -> None:
        self.world.reset()

    async def page(self, request: Request) -> Response:
        if self.world.state.faults.take("vk", "page", SITE_FAULTS) is not None:
            return HTMLResponse("<h1>502 Bad Gateway</h1>", status_code=502)
        value = request.cookies.get(SESSION_COOKIE, "")
        session = self.world.state.web_sessions.find("vk", value, self.world.now()) if value else None
        if session is None:
            return HTMLResponse(_SIGNED_OUT)
        user = USERS[int(session.account)]
        token = self.world.tokens.issue_web_token(user.id, self.world.state.config.vk_web_token_seconds)
        return HTMLResponse(_signed_in(user.full_name, token.token))
