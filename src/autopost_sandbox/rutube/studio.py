"""Rutube's studio flow and SSO sign-in: upload sessions, the v2 video API, progress, multipass.

POST /api/uploader/upload_session/?client=vulp&batch_id=<uuid> {title} → {sid, video}
makes a hidden draft; its bytes go to the upload host (upload_host.py) by TUS;
PATCH /api/v2/video/<id>/ {title, description, category, is_hidden} publishes it
(TheVSAKeeper/MediaOrcestrator: MediaOrcestrator.Rutube/RutubeService.cs).
ASSUMED: the progress answer's fields, that DRF tokens are taken here too, and the
profile (GET /api/profile/user/<id>/, seen in public fetcher scripts) fields.

/_sandbox/multipass (sandbox only, not Rutube's): GET the exchange counters,
POST {"account_id"} a new refresh token, as signing in again in a browser gives.
"""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from autopost_sandbox.core import SandboxState
from autopost_sandbox.rutube import forms, multipass, protocol
from autopost_sandbox.rutube.gate import CREATE_FAULTS, LOGIN_FAULTS, Gate
from autopost_sandbox.rutube.ingest import Ingest
from autopost_sandbox.rutube.multipass import Multipass
from autopost_sandbox.rutube.routes import RutubeApi
from autopost_sandbox.rutube.store import RutubeStore

_V2_METHODS = ["GET", "PATCH", "DELETE"]


class StudioApi:
    def __init__(
        self,
        state: SandboxState,
        store: RutubeStore,
        api: RutubeApi,
        ingest: Ingest,
        gate: Gate,
        sso: Multipass,
    ) -> None:
        self._state = state
        self._store = store
        self._api = api
        self._ingest = ingest
        self._gate = gate
        self._sso = sso

    def routes(self) -> list[Route]:
        return [
            Route(multipass.ENDPOINT, self.token, methods=["POST"]),
            Route("/_sandbox/multipass", self.sso_control, methods=["GET", "POST"]),
            Route("/api/profile/user/{user_id}/", self.profile, methods=["GET"]),
            Route("/api/uploader/upload_session/", self.upload_session, methods=["POST"]),
            Route("/api/uploader/{video_id}/progress/", self.progress, methods=["GET"]),
            # The v2 video resource is v1's object; its PATCH also takes `category` as a string.
            Route("/api/v2/video/{video_id}/", self._api.video, methods=_V2_METHODS),
        ]

    async def token(self, request: Request) -> Response:
        """The refreshToken cookie → a JWT access token and a rotated refresh token."""
        call = await self._gate.admit(request, "multipass.token", LOGIN_FAULTS, anonymous=True)
        if isinstance(call, Response):
            return call
        refresh = request.cookies.get(multipass.REFRESH_COOKIE, "")
        issued = self._sso.exchange(refresh, self._state.clock.now()) if refresh else None
        if issued is None:
            return protocol.detail(401, multipass.REFRESH_REFUSED)
        access, rotated = issued
        return await call.finish(JSONResponse({"access_token": access, "refresh_token": rotated}))

    async def sso_control(self, request: Request) -> Response:
        if request.method == "GET":
            counters = self._sso.counters
            return JSONResponse(
                {
                    "exchanges": counters.exchanges,
                    "spent_reused": counters.spent_reused,
                    "refused": counters.refused,
                }
            )
        body = await request.json()
        account = self._store.account_by_id(int(body.get("account_id", 0)))
        if account is None or not account.sso:
            return JSONResponse({"error": "not an SSO account"}, status_code=400)
        return JSONResponse({"refresh_token": self._sso.issue_refresh(account.id)}, status_code=201)

    async def profile(self, request: Request) -> Response:
        """A channel's public profile (ASSUMED fields, after public fetcher scripts)."""
        call = await self._gate.admit(request, "profile", anonymous=True)
        if isinstance(call, Response):
            return call
        raw = request.path_params["user_id"]
        account = self._store.account_by_id(int(raw)) if raw.isdigit() else None
        if account is None:
            return protocol.detail(404, protocol.NOT_FOUND)
        site = f"{protocol.SITE}/channel/{account.id}/"
        return await call.finish(
            JSONResponse({"id": account.id, "name": account.name, "avatar_url": None, "site_url": site})
        )

    async def upload_session(self, request: Request) -> Response:
        # The studio's way of making a video: the same faults as POST /api/video/ (op video.create).
        call = await self._gate.admit(request, "video.create", CREATE_FAULTS)
        if isinstance(call, Response):
            return call
        body = await forms.read_body(request)
        if isinstance(body, Response):
            return body
        title = body.get("title")
        new = forms.NewVideo(
            url="",
            title=title if isinstance(title, str) else "",
            description="",
            is_hidden=True,  # a draft until the v2 PATCH publishes it
            category_id=protocol.DEFAULT_CATEGORY,
            callback_url=None,
            errback_url=None,
            query_fields=None,
            extra=None,
        )
        sid = secrets.token_hex(16)
        video = self._api.add_video(
            call.user, new, fail=call.injected("processing_failed"), upload_session=sid
        )
        return await call.finish(JSONResponse({"sid": sid, "video": video.id}))

    async def progress(self, request: Request) -> Response:
        call = await self._gate.admit(request, "upload_progress")
        if isinstance(call, Response):
            return call
        video = self._store.get(request.path_params["video_id"])
        refusal = self._api.refuse_change(video, call.user)
        if refusal is not None or video is None:
            return refusal or protocol.detail(404, protocol.NOT_FOUND)
        self._ingest.sync(video)
        now = self._state.clock.now()
        uploaded = video.moderation_ends_at is not None or video.download_failure is not None
        status = video.status(now)
        return await call.finish(
            JSONResponse(
                {
                    "video": video.id,
                    "status": "uploading" if not uploaded else status,
                    "upload_progress": 100 if uploaded else 0,
                    "processing_progress": 100 if status == "ready" else 0,
                }
            )
        )
