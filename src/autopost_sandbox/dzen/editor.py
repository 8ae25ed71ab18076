"""dzen.ru as the signed-in editor sees it (/dzen): the editor page and its own endpoints.

The protocol working tools speak (platforms.md Part 2, docs/platforms/dzen.md): every call
carries the session's cookies, `X-Csrf-Token` and `?publisherId=<id>&clid=320`; errors are
`{"errors": [{"type": "auth-error" | "forbidden" | "invalid-csrf-token-error"}]}`.

  validate-video (the bytes) → add-publication {publicationType: "gif"} → {id} →
  start-upload-video → {uploadUrl, uploadId} → TUS (uploads.py) → finish-upload-video →
  GET publisher/<pid>/publication/<id> until gifContent.isConverted or isFailed →
  update-publication-content-and-publish → {"result": "OK"}

ASSUMPTION (the sources do not say where the editor gets its token): the editor page
embeds `<script id="editor-data" type="application/json">{"csrfToken", "publisher",
"user"}</script>`.

Faults (platform "dzen", `on` = the op names in OPS): token_expired (auth-error; the session
is signed out), forbidden (the person loses the channel), invalid_csrf (the token goes stale),
rate_limit, server_error, timeout and reset (the call takes effect, then the answer hangs or
is cut), processing_failed (on finish-upload-video: conversion ends isFailed).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from html import escape
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from autopost_sandbox.core import FaultKind, SandboxState
from autopost_sandbox.dzen.accounts import SESSION_COOKIE, Person, demo_accounts, new_tenant, tenant_account
from autopost_sandbox.dzen.store import DzenStore, Publication
from autopost_sandbox.http import DemoAccount, ResetResponse, hang
from autopost_sandbox.rutube.media import looks_like_video
from autopost_sandbox.rutube.pacing import RateLimiter

CLID = "320"
PUBLISHER_CALLS_PER_SECOND = 3
MAX_BYTES = 4 * 1024**3
CALL_FAULTS: tuple[FaultKind, ...] = (
    "token_expired",
    "forbidden",
    "invalid_csrf",
    "rate_limit",
    "server_error",
    "timeout",
    "reset",
)
PASSPORT = "https://passport.yandex.ru/auth?retpath=https%3A%2F%2Fdzen.ru%2Fprofile%2Feditor"


def too_many_requests(retry_after: int) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"type": "too-many-requests"}]},
        status_code=429,
        headers={"Retry-After": str(retry_after)},
    )


def errors(kind: str, status: int, message: str = "") -> JSONResponse:
    return JSONResponse({"errors": [{"type": kind, "message": message}]}, status_code=status)


@dataclass
class Call:
    """One editor call that passed the session checks: who makes it, for which channel."""

    request: Request
    person: Person
    session: str
    publisher_id: str


Handler = Callable[["DzenEditor", Call], Awaitable[Response]]


class DzenEditor:
    prefix = "/dzen"

    def __init__(self, state: SandboxState, store: DzenStore) -> None:
        self.state = state
        self.store = store
        # Modelled: Дзен publishes no limit; 3 editor calls per second per publisher (docs/platforms/dzen.md).
        self.pace = RateLimiter(state.clock, PUBLISHER_CALLS_PER_SECOND, 1.0)

    def app(self) -> ASGIApp:
        def call(op: str, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
            async def endpoint(request: Request) -> Response:
                return await self._serve(op, handler, request)

            return endpoint

        routes = [Route("/profile/editor", self.page, methods=["GET"])]
        for path, op, handler, method in OPS:
            routes.append(Route(path, call(op, handler), methods=[method]))
        return Starlette(routes=routes)

    def demo_accounts(self) -> list[DemoAccount]:
        public_url = self.state.config.public_url
        return [*demo_accounts(public_url), *(tenant_account(p, public_url) for p in self.store.tenants())]

    def seed_accounts(self, count: int) -> list[DemoAccount]:
        made = [new_tenant() for _ in range(count)]
        for person in made:
            self.store.add_tenant(person)
        return [tenant_account(p, self.state.config.public_url) for p in made]

    def reset(self) -> None:
        self.store.reset()
        self.pace.reset()

    # -------------------------------------------------------------- the page
    async def page(self, request: Request) -> Response:
        if self.state.faults.take("dzen", "page", ("server_error",)) is not None:
            return HTMLResponse("<h1>502 Bad Gateway</h1>", status_code=502)
        value = request.cookies.get(SESSION_COOKIE, "")
        person = self.store.person(value) if value else None
        if person is None:  # signed out: dzen.ru sends the browser to Yandex Passport
            return RedirectResponse(PASSPORT, status_code=302)
        rights = self.store.rights(value)
        channel = None if person.channel is None or rights.revoked else person.channel
        data = {
            "csrfToken": rights.csrf,
            "user": {"login": person.login, "displayName": person.name},
            "publisher": None if channel is None else {"id": channel.publisher_id, "name": channel.name},
        }
        blob = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
        return HTMLResponse(
            '<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>Студия | Дзен</title></head>'
            f'<body><header>{escape(person.name)}</header><main id="editor-root"></main>'
            f'<script id="editor-data" type="application/json">{blob}</script></body></html>'
        )

    # -------------------------------------------------------------- every call
    def _admit(self, request: Request) -> Call | Response:
        value = request.cookies.get(SESSION_COOKIE, "")
        person = self.store.person(value) if value else None
        if person is None:
            return errors("auth-error", 401, "Необходима авторизация")
        rights = self.store.rights(value)
        if request.headers.get("x-csrf-token") != rights.csrf:
            return errors("invalid-csrf-token-error", 403, "Неверный CSRF-токен")
        publisher_id = request.query_params.get("publisherId", "")
        channel = person.channel
        if rights.revoked or channel is None or channel.publisher_id != publisher_id:
            return errors("forbidden", 403, "Нет доступа к каналу")
        if request.query_params.get("clid") != CLID:
            return errors("bad-request", 400, "clid is required")
        return Call(request, person, value, publisher_id)

    async def _serve(self, op: str, handler: Handler, request: Request) -> Response:
        admitted = self._admit(request)
        if isinstance(admitted, Response):
            return admitted
        if self.state.config.enforce_rate_limits:
            unit = f"publisher:{admitted.publisher_id}"
            wait = self.pace.wait_seconds(unit)
            if wait:
                self.state.violations.record("dzen", unit)
                return too_many_requests(wait)
        fault = self.state.faults.take("dzen", op, CALL_FAULTS)
        kind = None if fault is None else fault.fault
        if kind == "token_expired":
            self.state.web_sessions.end("dzen", admitted.person.login)
            return errors("auth-error", 401, "Необходима авторизация")
        if kind == "forbidden":
            self.store.revoke(admitted.session)
            return errors("forbidden", 403, "Нет доступа к каналу")
        if kind == "invalid_csrf":
            self.store.stale_csrf(admitted.session)
            return errors("invalid-csrf-token-error", 403, "Неверный CSRF-токен")
        if kind == "rate_limit" and fault is not None:
            return too_many_requests(fault.retry_after)
        if kind == "server_error":
            return HTMLResponse("<h1>503 Service Temporarily Unavailable</h1>", status_code=503)
        answer = await handler(self, admitted)
        if fault is not None and kind == "timeout":
            await hang(fault)
        if kind == "reset":
            return ResetResponse()
        return answer

    # -------------------------------------------------------------- the steps
    async def validate_video(self, call: Call) -> Response:
        if call.request.headers.get("content-type", "").split(";")[0] != "video/mp4":
            return errors("validation-error", 400, "Content-Type must be video/mp4")
        declared = call.request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BYTES:
            return errors("video-too-large", 400, "Файл больше 4 ГБ")
        head, size = b"", 0
        async for piece in call.request.stream():  # read through, keeping only the first bytes
            if len(head) < 64:
                head += piece[: 64 - len(head)]
            size += len(piece)
        if size == 0 or not looks_like_video(head):
            return errors("video-format-error", 400, "Неподдерживаемый формат видео")
        return JSONResponse({"result": "OK", "size": size})

    async def add_publication(self, call: Call) -> Response:
        body = await _json(call.request)
        content = body.get("content") if isinstance(body, dict) else None
        if (
            body.get("publicationType") != "gif"
            or not isinstance(content, dict)
            or "gifContent" not in content
        ):
            return errors("validation-error", 400, 'publicationType must be "gif" with content.gifContent')
        publication = self.store.add(call.publisher_id, call.person)
        return JSONResponse({"id": publication.id, "publicationType": "gif", "state": "draft"})

    def _publication(self, call: Call, publication_id: Any) -> Publication | Response:
        found = self.store.get(call.publisher_id, str(publication_id or ""))
        return errors("not-found", 404, "Публикация не найдена") if found is None else found

    async def start_upload(self, call: Call) -> Response:
        body = await _json(call.request)
        found = self._publication(call, body.get("publicationId"))
        if isinstance(found, Response):
            return found
        size = body.get("fileSize")
        if not isinstance(size, int) or not 0 < size <= MAX_BYTES or not body.get("fileName"):
            return errors("validation-error", 400, "fileName and fileSize (1 byte to 4 GB) are required")
        now = self.state.clock.now()
        metadata = {"publicationId": found.id, "filename": str(body["fileName"])}
        upload = self.state.uploads.create(size, metadata, now=now, expires_at=now + 24 * 3600)
        found.upload_id = upload.id
        upload_url = f"{self.state.config.public_url}/dzen-upload/files/{upload.id}"
        return JSONResponse({"uploadUrl": upload_url, "uploadId": upload.id})

    async def finish_upload(self, call: Call) -> Response:
        body = await _json(call.request)
        found = self._publication(call, body.get("publicationId"))
        if isinstance(found, Response):
            return found
        upload = self.state.uploads.get(str(body.get("uploadId") or ""))
        if upload is None or upload.id != found.upload_id:
            return errors("not-found", 404, "Загрузка не найдена")
        if not upload.complete:
            return errors("upload-not-finished", 400, f"{upload.offset} of {upload.length} bytes received")
        if found.converting_since is None:  # a repeated finish changes nothing
            with upload.path.open("rb") as handle:
                head = handle.read(64)
            found.fails = not looks_like_video(head) or (
                self.state.faults.take("dzen", "finish-upload-video", ("processing_failed",)) is not None
            )
            found.video_id, found.converting_since = f"v-{upload.id[:16]}", self.state.clock.now()
            self.state.update_post(
                "dzen",
                found.id,
                bytes=upload.length,
                sha256=upload.sha256,
                extra={"author": call.person.login, "upload_id": upload.id},
            )
        return JSONResponse({"result": "OK"})

    async def get_publication(self, call: Call) -> Response:
        found = self._publication(call, call.request.path_params["publication_id"])
        if isinstance(found, Response):
            return found
        if call.request.path_params["publisher_id"] != call.publisher_id:
            return errors("forbidden", 403, "Нет доступа к каналу")
        return JSONResponse(self.store.view(found))

    async def publish(self, call: Call) -> Response:
        body = await _json(call.request)
        found = self._publication(call, body.get("id"))
        if isinstance(found, Response):
            return found
        preview, gif = body.get("preview"), body.get("gifContent")
        title = str(preview.get("title") or "").strip() if isinstance(preview, dict) else ""
        converted, _ = found.conversion(self.state.clock.now(), self.state.config.processing_seconds)
        if not title or len(title) > 100:
            return errors("validation-error", 400, "preview.title: 1 to 100 characters")
        if not converted or not isinstance(gif, dict) or gif.get("videoId") != found.video_id:
            return errors(
                "video-not-ready", 400, "gifContent must be the converted video of this publication"
            )
        # Publishing a published publication updates it: one publication stays one post.
        found.title, found.snippet = (
            title,
            str(preview.get("snippet") or "") if isinstance(preview, dict) else "",
        )
        if found.state != "published":
            found.state, found.published_at = "published", self.state.clock.now()
        self.state.update_post("dzen", found.id, title=title, caption=found.snippet, status="published")
        return JSONResponse({"result": "OK"})


async def _json(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


OPS: tuple[tuple[str, str, Handler, str], ...] = (
    ("/media-api-video/validate-video", "validate-video", DzenEditor.validate_video, "POST"),
    ("/editor-api/v2/add-publication", "add-publication", DzenEditor.add_publication, "POST"),
    ("/media-api-video/start-upload-video", "start-upload-video", DzenEditor.start_upload, "POST"),
    ("/media-api-video/finish-upload-video", "finish-upload-video", DzenEditor.finish_upload, "POST"),
    (
        "/editor-api/v2/publisher/{publisher_id}/publication/{publication_id}",
        "publication",
        DzenEditor.get_publication,
        "GET",
    ),
    ("/editor-api/v2/update-publication-content-and-publish", "publish", DzenEditor.publish, "POST"),
)
