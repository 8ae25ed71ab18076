"""The Rutube API routes (https://rutube.ru/api/... served under /rutube/api/...)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from autopost_sandbox.core import ReceivedPost, SandboxState
from autopost_sandbox.http import reset_mid_upload
from autopost_sandbox.rutube import forms, protocol
from autopost_sandbox.rutube.gate import CREATE_FAULTS, LOGIN_FAULTS, Call, Gate
from autopost_sandbox.rutube.ingest import Ingest, view_of
from autopost_sandbox.rutube.store import Account, RutubeStore, Video
from autopost_sandbox.uploads import UploadRejected, receive_form

_VIDEO_METHODS = ["GET", "PATCH", "PUT", "DELETE"]
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF")


class RutubeApi:
    def __init__(self, state: SandboxState, store: RutubeStore, ingest: Ingest, gate: Gate) -> None:
        self._state = state
        self._store = store
        self._ingest = ingest
        self._gate = gate

    def app(self) -> Starlette:
        video = "/api/video/{video_id}"
        return Starlette(
            routes=[
                Route("/api/accounts/token_auth/", self.token_auth, methods=["POST"]),
                Route("/api/video/", self.create, methods=["POST"]),
                Route("/api/video/person/", self.list_mine, methods=["GET"]),
                Route("/api/video/category/", self.categories, methods=["GET"]),
                Route("/api/video/publication/", self.publication, methods=["POST"]),
                # php-api-client calls PATCH/DELETE without the trailing slash, GET/PUT with it.
                *(Route(path, self.video, methods=_VIDEO_METHODS) for path in (video, f"{video}/")),
                Route(f"{video}/thumbnail/", self.thumbnail, methods=["POST"]),
            ]
        )

    async def token_auth(self, request: Request) -> Response:
        call = await self._gate.admit(request, "token_auth", LOGIN_FAULTS, anonymous=True)
        if isinstance(call, Response):
            return call
        body = await forms.read_body(request)
        if isinstance(body, Response):
            return body
        missing = {k: [protocol.FIELD_REQUIRED] for k in ("username", "password") if not body.get(k)}
        if missing:
            return protocol.field_errors(missing)
        account = self._store.account_by_login(str(body["username"]), str(body["password"]))
        if account is None or not account.password_login:
            return protocol.field_errors({"non_field_errors": [protocol.LOGIN_REFUSED]})
        return await call.finish(JSONResponse({"token": account.token}))

    async def create(self, request: Request) -> Response:
        call = await self._gate.admit(request, "video.create", CREATE_FAULTS)
        if isinstance(call, Response):
            return call
        body = await forms.read_body(request)
        if isinstance(body, Response):
            return body
        new = forms.parse_new_video(body)
        if isinstance(new, dict):
            return protocol.field_errors(new)
        video = self.add_video(call.user, new, fail=call.injected("processing_failed"))
        self._ingest.start(video)
        return await call.finish(JSONResponse({"video_id": video.id, "track_id": video.track_id}, 201))

    def add_video(
        self, owner: Account, new: forms.NewVideo, *, fail: bool, upload_session: str | None = None
    ) -> Video:
        now = self._state.clock.now()
        video = self._store.add_video(
            owner,
            title=new.title,
            description=new.description,
            is_hidden=new.is_hidden,
            category_id=new.category_id,
            source_url=new.url,
            created_at=now,
            updated_at=now,
            callback_url=new.callback_url,
            errback_url=new.errback_url,
            query_fields=new.query_fields,
            extra=new.extra,
            fail_processing=fail,
            upload_session=upload_session,
        )
        self._state.record_post(
            ReceivedPost(
                platform="rutube",
                owner=str(owner.id),
                remote_id=video.id,
                title=video.title,
                caption=video.description,
                status="downloading",
                url=protocol.video_url(video.id),
            )
        )
        self._ingest.sync(video)
        return video

    async def video(self, request: Request) -> Response:
        op = {"GET": "video.get", "DELETE": "video.delete"}.get(request.method, "video.patch")
        call = await self._gate.admit(request, op, anonymous=request.method == "GET")
        if isinstance(call, Response):
            return call
        video = self._store.get(request.path_params["video_id"])
        if request.method == "GET":
            if video is None or not self._readable(video, call.account):
                return protocol.detail(404, protocol.NOT_FOUND)
            self._ingest.sync(video)
            return await call.finish(self.video_response(video))
        refusal = self.refuse_change(video, call.user)
        if refusal is not None or video is None:
            return refusal or protocol.detail(404, protocol.NOT_FOUND)
        if request.method == "DELETE":
            video.deleted = True
            self._ingest.sync(video)
            return await call.finish(Response(status_code=204))
        return await self._patch(request, call, video)

    async def _patch(self, request: Request, call: Call, video: Video) -> Response:
        body = await forms.read_body(request)
        if isinstance(body, Response):
            return body
        changes, errors = forms.parse_patch(body)
        if errors:
            return protocol.field_errors(errors)
        for name, value in changes.items():
            setattr(video, name, value)
        video.updated_at = self._state.clock.now()
        self._state.update_post("rutube", video.id, title=video.title, caption=video.description)
        video.recorded_status = ""
        self._ingest.sync(video)
        return await call.finish(self.video_response(video))

    async def thumbnail(self, request: Request) -> Response:
        call = await self._gate.admit(request, "thumbnail")
        if isinstance(call, Response):
            return call
        video = self._store.get(request.path_params["video_id"])
        refusal = self.refuse_change(video, call.user)
        if refusal is not None or video is None:
            return refusal or protocol.detail(404, protocol.NOT_FOUND)
        if call.injected("reset"):
            return await reset_mid_upload(request)
        try:
            form = await receive_form(request, protocol.THUMBNAIL_MAX_BYTES)
        except UploadRejected as error:
            return protocol.detail(400, f"Multipart form parse error - {error}")
        image = form.files.get("file")
        if image is None:
            return protocol.field_errors({"file": ["Ни одного файла не было отправлено."]})
        if image.too_large or not image.head.startswith(_IMAGE_MAGIC):
            return protocol.field_errors({"file": [protocol.BAD_IMAGE]})
        video.thumbnail_url = (
            f"https://pic.rutube.ru/video/{video.id[:2]}/{video.id}.jpg?v={image.sha256[:8]}"
        )
        video.updated_at = self._state.clock.now()
        return await call.finish(JSONResponse({"thumbnail_url": video.thumbnail_url}))

    async def publication(self, request: Request) -> Response:
        call = await self._gate.admit(request, "publication")
        if isinstance(call, Response):
            return call
        body = await forms.read_body(request)
        if isinstance(body, Response):
            return body
        parsed = forms.parse_publication(body)
        if isinstance(parsed, dict):
            return protocol.field_errors(parsed)
        video_id, moment = parsed
        video = self._store.get(video_id)
        if video is None or video.owner.id != call.user.id or video.deleted:
            message = f'Недопустимый первичный ключ "{video_id}" - объект не существует.'
            return protocol.field_errors({"video": [message]})
        video.publication_at = moment
        video.recorded_status = ""
        self._ingest.sync(video)
        answer = {"video": video.id, "timestamp": protocol.rutube_time(moment)}
        return await call.finish(JSONResponse(answer, 201))

    async def categories(self, request: Request) -> Response:
        call = await self._gate.admit(request, "category", anonymous=True)
        if isinstance(call, Response):
            return call
        # A bare JSON array, not the paged envelope of the listings (MediaOrcestrator reads a list).
        return await call.finish(JSONResponse([protocol.category_json(c) for c in protocol.CATEGORIES]))

    async def list_mine(self, request: Request) -> Response:
        """The caller's own videos (php-api-client loadVideoPerson): how a client finds what it made."""
        call = await self._gate.admit(request, "video.list")
        if isinstance(call, Response):
            return call
        number = _positive(request.query_params.get("page"), 1)
        per_page = min(_positive(request.query_params.get("limit"), 20), 100)
        videos = self._store.videos_of(call.user)
        now = self._state.clock.now()
        chunk = videos[(number - 1) * per_page : number * per_page]
        results = [protocol.video_json(view_of(v, now), now) for v in chunk]
        base = f"{protocol.SITE}/api/video/person/"
        return await call.finish(JSONResponse(protocol.page(results, number, per_page, len(videos), base)))

    def video_response(self, video: Video) -> JSONResponse:
        now = self._state.clock.now()
        return JSONResponse(protocol.video_json(view_of(video, now), now))

    def _readable(self, video: Video, account: Account | None) -> bool:
        """Owners see everything; others only public, published, ready videos (as the site shows them)."""
        if account is not None and video.owner.id == account.id:
            return True
        now = self._state.clock.now()
        scheduled = video.publication_at is not None and video.publication_at > now
        return not (video.is_hidden or video.deleted or scheduled) and video.status(now) == "ready"

    def refuse_change(self, video: Video | None, account: Account) -> Response | None:
        """Changing another's video: 403 if the caller can see it, else 404 (DRF object permissions)."""
        if video is None or (video.deleted and video.owner.id == account.id):
            return protocol.detail(404, protocol.NOT_FOUND)
        if video.owner.id == account.id:
            return None
        if self._readable(video, account):
            return protocol.detail(403, protocol.FORBIDDEN)
        return protocol.detail(404, protocol.NOT_FOUND)


def _positive(value: str | None, default: int) -> int:
    try:
        number = int(value) if value is not None else default
    except ValueError:
        return default
    return number if number > 0 else default
