"""Rutube's upload host (u.rutube.ru), mounted at /rutube-upload: TUS behind an anti-bot gateway.

The studio's uploader creates the upload with `POST /upload/<sid>` (Upload-Length,
Upload-Metadata `sessionId`, `videoId`, `userId`), optionally carrying the first
bytes, then PATCHes at the offset HEAD reports (MediaOrcestrator.Rutube/RutubeService.cs).
The gateway refuses requests without a browser's User-Agent, Origin and Referer
with a 403 HTML page, as such gateways do (ASSUMED wording; platforms.md Part 2
says only that the checks exist). ASSUMED: Location names a path of its own
(/upload/<upload id>); the client follows Location either way.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from autopost.tus_protocol import parse_metadata
from autopost_sandbox.core import SandboxState
from autopost_sandbox.http import DemoAccount
from autopost_sandbox.rutube.store import RutubeStore
from autopost_sandbox.tus import TusServer, browser_like

_BLOCKED_PAGE = (
    "<!DOCTYPE html><html><head><title>403 Forbidden</title></head><body>"
    "<h1>Доступ запрещён</h1><p>Запрос отклонён системой защиты от автоматических запросов.</p>"
    "</body></html>"
)


def blocked() -> Response:
    return HTMLResponse(_BLOCKED_PAGE, status_code=403)


class UploadHost:
    prefix = "/rutube-upload"

    def __init__(self, state: SandboxState, store: RutubeStore) -> None:
        self._store = store
        self.server = TusServer(
            state, path="/upload", fault_target="rutube", admits=browser_like, refusal_page=blocked
        )

    def app(self) -> ASGIApp:
        # POST /upload/<sid> is ours (it checks the session); HEAD/PATCH/DELETE /upload/<id> the TUS server's.
        return Starlette(
            routes=[Route("/upload/{sid}", self.create, methods=["POST"]), *self.server.routes()]
        )

    async def create(self, request: Request) -> Response:
        if not browser_like(request):
            return blocked()
        video = self._store.video_of_session(request.path_params["sid"])
        if video is None:
            return PlainTextResponse("upload session not found", status_code=404)
        metadata = parse_metadata(request.headers.get("upload-metadata", "")) or {}
        if metadata.get("sessionId") != request.path_params["sid"] or metadata.get("videoId") != video.id:
            return PlainTextResponse("sessionId and videoId must name this upload session", status_code=400)
        return await self.server.create(request)

    def demo_accounts(self) -> list[DemoAccount]:
        return []

    def reset(self) -> None:
        """Nothing of its own: the uploads live in SandboxState, the sessions in the Rutube store."""
