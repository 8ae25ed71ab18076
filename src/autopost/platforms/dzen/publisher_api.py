"""ASSUMED Dzen publisher API, client side. Correct the protocol here, and only here.

Dzen has no public publishing API (../shared/design/platforms.md): this protocol
is MODELLED in the style of Yandex's REST APIs (Yandex Disk's upload link + raw
PUT and its {"error", "message", "description"} error body) behind Yandex OAuth
tokens. It is specified in docs/platforms/dzen.md and spoken by the sandbox's
src/autopost_sandbox/dzen/publisher_api.py; both sides make the same assumptions.
Every answer is classified into the error hierarchy once, in answers.py.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol, TypeVar

import httpx2

from autopost.platforms.dzen.answers import bad_answer, checked, video_failure
from autopost.platforms.errors import PlatformError
from autopost.platforms.http import send
from autopost.platforms.pacing import Pacer

PLATFORM = "dzen"
API = "/api/v1"
STATS_MAX_IDS = 50
# 1 request/s per OAuth token (PUTs to upload_url are not counted); the margin covers the two
# machines' clocks disagreeing by a few milliseconds about where a second ends.
CALL_INTERVAL = 1.05


E = TypeVar("E", bound=StrEnum)


class UploadStatus(StrEnum):
    CREATED = "created"
    UPLOADED = "uploaded"
    PUBLISHED = "published"


class VideoStatus(StrEnum):
    PROCESSING = "processing"
    PUBLISHED = "published"
    FAILED = "failed"


@dataclass(frozen=True)
class Publisher:
    id: str
    name: str
    avatar_url: str | None
    url: str | None


@dataclass(frozen=True)
class UploadSession:
    id: str
    status: UploadStatus
    video_id: str | None
    # Whoever holds the link can write the file (like Yandex Disk's): never logged or checkpointed.
    upload_url: str = field(repr=False)


@dataclass(frozen=True)
class Video:
    id: str
    status: VideoStatus
    url: str | None
    failure: PlatformError | None


@dataclass(frozen=True)
class VideoCounters:
    views: int
    likes: int
    comments: int
    shares: int


class FileBody(Protocol):
    """What put_file streams: a known length, the chunks, and whether the last one went out."""

    @property
    def size(self) -> int: ...

    def stream(self) -> AsyncIterator[bytes]: ...

    def body_sent(self) -> bool: ...


def _text(body: Mapping[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str | int) or isinstance(value, bool) or value == "":
        raise bad_answer(f"answer without {key}")
    return str(value)


def _optional(body: Mapping[str, Any], key: str) -> str | None:
    value = body.get(key)
    return str(value) if value else None


def _count(body: Mapping[str, Any], key: str) -> int:
    value = body.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _enum(kind: type[E], body: Mapping[str, Any], key: str) -> E:
    try:
        return kind(str(body.get(key)))
    except ValueError as exc:
        raise bad_answer(f"unknown {key} {body.get(key)!r}") from exc


def _upload(body: Mapping[str, Any]) -> UploadSession:
    return UploadSession(
        id=_text(body, "upload_id"),
        status=_enum(UploadStatus, body, "status"),
        video_id=_optional(body, "video_id"),
        upload_url=_text(body, "upload_url"),
    )


def _video(body: Mapping[str, Any]) -> Video:
    status = _enum(VideoStatus, body, "status")
    failure = video_failure(body.get("error")) if status is VideoStatus.FAILED else None
    return Video(id=_text(body, "id"), status=status, url=_optional(body, "url"), failure=failure)


class PublisherApi:
    """The modelled endpoints, one method each, paced per token; every call goes through http.send."""

    def __init__(self, client: httpx2.AsyncClient, pacer: Pacer) -> None:
        self._client = client
        self._pacer = pacer

    async def _call(
        self, token: str, method: str, path: str, *, creates: bool = False, **kwargs: Any
    ) -> dict[str, Any]:
        request = self._client.build_request(
            method, f"{API}{path}", headers={"Authorization": f"OAuth {token}"}, **kwargs
        )
        async with self._pacer.turn(token):
            response = await send(self._client, request, platform=PLATFORM, creates=creates)
        return checked(response)

    async def me(self, token: str) -> Publisher:
        body = await self._call(token, "GET", "/publishers/me")
        return Publisher(
            _text(body, "id"), _text(body, "name"), _optional(body, "avatar_url"), _optional(body, "url")
        )

    async def open_upload(self, token: str, *, file_name: str, file_size: int) -> UploadSession:
        """A new upload session. An abandoned one shows nowhere and expires: a lost answer is Transient."""
        body = await self._call(
            token, "POST", "/uploads", json={"file_name": file_name, "file_size": file_size}
        )
        return _upload(body)

    async def upload(self, token: str, upload_id: str) -> UploadSession:
        return _upload(await self._call(token, "GET", f"/uploads/{upload_id}"))

    async def put_file(self, upload: UploadSession, body: FileBody, content_type: str) -> None:
        """The raw file as the PUT body with its Content-Length; the link is the credential, no token."""
        headers = {"Content-Length": str(body.size), "Content-Type": content_type}
        request = self._client.build_request("PUT", upload.upload_url, content=body.stream(), headers=headers)
        response = await send(
            self._client, request, platform=PLATFORM, creates=False, body_sent=body.body_sent
        )
        checked(response)

    async def create_video(self, token: str, *, upload_id: str, title: str, description: str) -> str:
        """Publish an uploaded file; the new video's id. A lost answer comes back as OutcomeUnknown."""
        payload = {"upload_id": upload_id, "title": title, "description": description}
        body = await self._call(token, "POST", "/videos", json=payload, creates=True)
        return _text(body, "video_id")

    async def video(self, token: str, video_id: str) -> Video:
        return _video(await self._call(token, "GET", f"/videos/{video_id}"))

    async def stats(self, token: str, video_ids: Sequence[str]) -> dict[str, VideoCounters]:
        """Counters of at most STATS_MAX_IDS videos; unknown ids are left out."""
        if len(video_ids) > STATS_MAX_IDS:
            raise ValueError(f"at most {STATS_MAX_IDS} ids per stats call")
        body = await self._call(token, "GET", "/videos/stats", params={"video_ids": ",".join(video_ids)})
        items = body.get("items")
        counters: dict[str, VideoCounters] = {}
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and item.get("video_id"):
                counters[str(item["video_id"])] = VideoCounters(
                    views=_count(item, "views"),
                    likes=_count(item, "likes"),
                    comments=_count(item, "comments"),
                    shares=_count(item, "shares"),
                )
        return counters
