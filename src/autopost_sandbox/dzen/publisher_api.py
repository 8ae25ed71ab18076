"""ASSUMED Дзен publisher API, mounted at /dzen. Correct the protocol here, and only here.

Дзен has no public publishing API (../shared/design/platforms.md): this protocol is
MODELLED, in the style of Yandex's REST APIs (Yandex Disk's upload link + raw PUT,
its {"error", "message", "description"} error body), behind Yandex OAuth tokens.
It is specified in full in docs/platforms/dzen.md; the provider must make the
same assumptions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from autopost_sandbox.core import Fault, FaultKind, SandboxState
from autopost_sandbox.dzen.channel import Channels, Upload, Video, watch_url
from autopost_sandbox.dzen.registry import SEEDED_USERS, Publisher, YandexRegistry, YandexUser, debug_token
from autopost_sandbox.http import DemoAccount, ResetResponse, hang, reset_mid_upload
from autopost_sandbox.rutube.pacing import RateLimiter
from autopost_sandbox.uploads import receive_raw

API = "/api/v1"
MAX_FILE_BYTES = 4 * 1024**3
TITLE_MAX = 100
DESCRIPTION_MAX = 5000
STATS_MAX_IDS = 50
RATE_CALLS, RATE_PERIOD = 1, 1.0  # per OAuth token; PUTs to upload_url are not counted
UPLOAD_TTL = 24 * 3600

CALL_FAULTS: tuple[FaultKind, ...] = ("rate_limit", "server_error", "timeout", "reset", "token_expired")
PUBLISH_FAULTS: tuple[FaultKind, ...] = (*CALL_FAULTS, "processing_failed")
UPLOAD_FAULTS: tuple[FaultKind, ...] = ("rate_limit", "server_error", "timeout", "reset")

# code → (HTTP status, message in Russian, description in English), as Yandex Disk's API pairs them.
ERRORS: dict[str, tuple[int, str, str]] = {
    "BadRequestError": (400, "Некорректный запрос.", "Bad request."),
    "FieldValidationError": (400, "Ошибка проверки поля «{field}».", 'Error validating field "{field}".'),
    "SizeMismatchError": (
        400,
        "Размер файла не совпадает с заявленным.",
        "File size differs from file_size.",
    ),
    "UnauthorizedError": (401, "Не авторизован.", "Unauthorized."),
    "PublisherNotApprovedError": (
        403,
        "Аккаунт не является одобренным издателем Дзена.",
        "The account is not an approved Dzen publisher.",
    ),
    "NotFoundError": (404, "Не удалось найти запрошенный ресурс.", "Resource not found."),
    "UploadNotCompletedError": (409, "Файл ещё не загружен.", "The file has not been uploaded yet."),
    "UploadAlreadyCompletedError": (409, "Файл уже загружен.", "The file has already been uploaded."),
    "UploadAlreadyPublishedError": (409, "Видео из этой загрузки уже создано.", "Upload already published."),
    "UploadExpiredError": (410, "Сессия загрузки истекла.", "The upload session has expired."),
    "LengthRequiredError": (411, "Нужен заголовок Content-Length.", "Content-Length required."),
    "FileTooLargeError": (413, "Файл слишком большой.", "File too large."),
    "TooManyRequestsError": (429, "Слишком много запросов.", "Too many requests."),
    "ServiceUnavailableError": (503, "Сервис временно недоступен.", "Service temporarily unavailable."),
}


def api_error(code: str, *, field: str = "", retry_after: int | None = None) -> JSONResponse:
    status, message, description = ERRORS[code]
    body = {
        "error": code,
        "message": message.format(field=field),
        "description": description.format(field=field),
    }
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return JSONResponse(body, status_code=status, headers=headers)


def iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


def video_json(video: Video, now: float) -> dict[str, Any]:
    status = video.status(now)
    return {
        "id": video.id,
        "title": video.title,
        "description": video.description,
        "status": status,
        "url": watch_url(video.id),
        "duration": video.duration if status == "published" else None,
        "created_at": iso(video.created_at),
        "published_at": iso(video.ready_at) if status == "published" else None,
        "error": {"code": video.failure, "message": _FAILURES[video.failure]} if status == "failed" else None,
    }


_FAILURES = {
    None: "",
    "ProcessingFailed": "Не удалось обработать видео.",
    "UnsupportedFormat": "Формат файла не поддерживается: нужен MP4, MOV или WebM.",
}


def upload_json(upload: Upload, public_url: str) -> dict[str, Any]:
    return {
        "upload_id": upload.id,
        "upload_url": f"{public_url}/dzen/upload/{upload.id}",
        "method": "PUT",
        "status": upload.status,
        "file_name": upload.file_name,
        "file_size": upload.file_size,
        "received_bytes": upload.size,
        "video_id": upload.video_id,
        "expires_at": iso(upload.expires_at),
    }


@dataclass
class Caller:
    user: YandexUser
    publisher: Publisher
    fault: Fault | None

    async def finish(self, response: Response) -> Response:
        """Deliver the answer unless a timeout/reset fault means the client never gets it."""
        if self.fault is not None and self.fault.fault == "timeout":
            await hang(self.fault)
        if self.fault is not None and self.fault.fault == "reset":
            return ResetResponse()
        return response


def _early_answer(fault: Fault) -> Response | None:
    if fault.fault == "rate_limit":
        return api_error("TooManyRequestsError", retry_after=fault.retry_after)
    if fault.fault == "server_error":
        return api_error("ServiceUnavailableError")
    if fault.fault == "token_expired":
        return api_error("UnauthorizedError")
    return None


async def _json_object(request: Request) -> dict[str, Any] | None:
    try:
        body = json.loads(await request.body() or b"null")
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


class DzenEmulator:
    prefix = "/dzen"

    def __init__(self, state: SandboxState, registry: YandexRegistry) -> None:
        self._state = state
        self._registry = registry
        self._channels = Channels(state)
        self._limiter = RateLimiter(state.clock, RATE_CALLS, RATE_PERIOD)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route(f"{API}/publishers/me", self.me, methods=["GET"]),
                Route(f"{API}/uploads", self.create_upload, methods=["POST"]),
                Route(f"{API}/uploads/{{upload_id}}", self.get_upload, methods=["GET"]),
                Route("/upload/{upload_id}", self.receive_file, methods=["PUT"]),
                Route(f"{API}/videos", self.publish, methods=["POST"]),
                Route(f"{API}/videos/stats", self.stats, methods=["GET"]),
                Route(f"{API}/videos/{{video_id}}", self.get_video, methods=["GET"]),
            ]
        )

    def demo_accounts(self) -> list[DemoAccount]:
        accounts = []
        for user in SEEDED_USERS:
            role = f"издатель «{user.publisher.name}»" if user.publisher else "без канала в Дзене (403)"
            accounts.append(
                DemoAccount(
                    platform="dzen",
                    description=f"Яндекс ID {user.login}: {role}",
                    credentials={"login": user.login, "uid": user.uid, "access_token": debug_token(user)},
                )
            )
        return accounts

    def reset(self) -> None:
        self._channels.reset()
        self._limiter.reset()
        self._registry.reset()

    async def _admit(
        self, request: Request, op: str, kinds: tuple[FaultKind, ...] = CALL_FAULTS
    ) -> Caller | Response:
        """OAuth token → Yandex user → approved publisher → per-token limit → injected fault."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        user = self._registry.user_for_token(token.strip()) if scheme.lower() == "oauth" else None
        if user is None:
            return api_error("UnauthorizedError")
        if user.publisher is None:
            return api_error("PublisherNotApprovedError")
        if self._state.config.enforce_rate_limits:
            wait = self._limiter.wait_seconds(token.strip())
            if wait:
                return api_error("TooManyRequestsError", retry_after=wait)
        fault = self._state.faults.take("dzen", op, kinds)
        early = _early_answer(fault) if fault is not None else None
        return early or Caller(user, user.publisher, fault)

    async def me(self, request: Request) -> Response:
        caller = await self._admit(request, "publishers.me")
        if isinstance(caller, Response):
            return caller
        publisher = caller.publisher
        body = {"id": publisher.id, "name": publisher.name, "avatar_url": publisher.avatar_url}
        return await caller.finish(JSONResponse({**body, "url": f"https://dzen.ru/id/{publisher.id}"}))

    async def create_upload(self, request: Request) -> Response:
        caller = await self._admit(request, "upload.create")
        if isinstance(caller, Response):
            return caller
        body = await _json_object(request)
        if body is None:
            return api_error("BadRequestError")
        file_name, file_size = body.get("file_name"), body.get("file_size")
        if not isinstance(file_name, str) or not file_name.strip():
            return api_error("FieldValidationError", field="file_name")
        if not isinstance(file_size, int) or isinstance(file_size, bool) or file_size <= 0:
            return api_error("FieldValidationError", field="file_size")
        if file_size > MAX_FILE_BYTES:
            return api_error("FileTooLargeError")
        upload = self._channels.new_upload(caller.user.uid, file_name.strip(), file_size, UPLOAD_TTL)
        answer = upload_json(upload, self._state.config.public_url)
        return await caller.finish(JSONResponse(answer, status_code=201))

    async def get_upload(self, request: Request) -> Response:
        """Where an upload stands (and its video_id): how a client recovers after a lost answer."""
        caller = await self._admit(request, "upload.get")
        if isinstance(caller, Response):
            return caller
        upload = self._channels.upload(request.path_params["upload_id"])
        if upload is None or upload.uid != caller.user.uid:
            return api_error("NotFoundError")
        return await caller.finish(JSONResponse(upload_json(upload, self._state.config.public_url)))

    async def receive_file(self, request: Request) -> Response:
        """PUT to upload_url: the raw file as the body, Content-Length required; the URL is the credential."""
        upload = self._channels.upload(request.path_params["upload_id"])
        refusal = self._refuse_upload(upload, request.headers.get("content-length"))
        if refusal is not None or upload is None:
            return refusal or api_error("NotFoundError")
        fault = self._state.faults.take("dzen", "upload", UPLOAD_FAULTS)
        if fault is not None and fault.fault == "reset":
            return await reset_mid_upload(request)
        early = _early_answer(fault) if fault is not None else None
        if early is not None:
            return early
        received = await receive_raw(request, MAX_FILE_BYTES)
        if received.too_large:
            return api_error("FileTooLargeError")
        if received.size != upload.file_size:
            return api_error("SizeMismatchError")
        upload.status, upload.size, upload.sha256, upload.head = (
            "uploaded",
            received.size,
            received.sha256,
            received.head,
        )
        answer = JSONResponse(
            {"upload_id": upload.id, "status": upload.status, "size": upload.size}, status_code=201
        )
        if fault is not None and fault.fault == "timeout":
            await hang(fault)
        return answer

    def _refuse_upload(self, upload: Upload | None, content_length: str | None) -> Response | None:
        if upload is None:
            return api_error("NotFoundError")
        if upload.status != "created":
            return api_error("UploadAlreadyCompletedError")
        if upload.expires_at <= self._state.clock.now():
            return api_error("UploadExpiredError")
        if content_length is None or not content_length.isdigit():
            return api_error("LengthRequiredError")
        # Answered before reading, as a front proxy's body-size limit does.
        if int(content_length) > MAX_FILE_BYTES:
            return api_error("FileTooLargeError")
        return None

    async def publish(self, request: Request) -> Response:
        caller = await self._admit(request, "publish", PUBLISH_FAULTS)
        if isinstance(caller, Response):
            return caller
        body = await _json_object(request)
        if body is None:
            return api_error("BadRequestError")
        title, description = body.get("title"), body.get("description", "")
        if not isinstance(title, str) or not title.strip() or len(title) > TITLE_MAX:
            return api_error("FieldValidationError", field="title")
        if not isinstance(description, str) or len(description) > DESCRIPTION_MAX:
            return api_error("FieldValidationError", field="description")
        upload = self._channels.upload(str(body.get("upload_id", "")))
        if upload is None or upload.uid != caller.user.uid:
            return api_error("NotFoundError")
        if upload.status == "published":
            return api_error("UploadAlreadyPublishedError")
        if upload.status != "uploaded":
            return api_error("UploadNotCompletedError")
        failing = caller.fault is not None and caller.fault.fault == "processing_failed"
        video = self._channels.publish(upload, caller.publisher, title.strip(), description, fail=failing)
        answer = {"video_id": video.id, "status": "processing", "url": watch_url(video.id)}
        return await caller.finish(JSONResponse(answer, status_code=202))

    async def get_video(self, request: Request) -> Response:
        caller = await self._admit(request, "video.get")
        if isinstance(caller, Response):
            return caller
        video = self._channels.video(request.path_params["video_id"])
        if video is None or video.uid != caller.user.uid:
            return api_error("NotFoundError")
        self._channels.sync(video)
        return await caller.finish(JSONResponse(video_json(video, self._state.clock.now())))

    async def stats(self, request: Request) -> Response:
        """Counters of up to STATS_MAX_IDS of the caller's videos: ?video_ids=a,b,c."""
        caller = await self._admit(request, "stats")
        if isinstance(caller, Response):
            return caller
        ids = [i for i in request.query_params.get("video_ids", "").split(",") if i]
        if not ids or len(ids) > STATS_MAX_IDS:
            return api_error("FieldValidationError", field="video_ids")
        now = self._state.clock.now()
        items, missing = [], []
        for video_id in dict.fromkeys(ids):
            video = self._channels.video(video_id)
            if video is None or video.uid != caller.user.uid:
                missing.append(video_id)
                continue
            items.append({"video_id": video.id, "status": video.status(now), **video.stats(now)})
        return await caller.finish(
            JSONResponse({"items": items, "not_found": missing, "collected_at": iso(now)})
        )
