"""Streaming bodies and transport-failure classification, over real loopback HTTP."""

import asyncio
import hashlib
from pathlib import Path

import httpx2
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from autopost.clips.sources import FileReader, UrlReader
from autopost.platforms.errors import OutcomeUnknown, Permanent, Transient
from autopost.platforms.http import send
from autopost.platforms.media import ClipSource
from autopost.platforms.multipart import SmallFile, StreamingMultipart
from autopost_sandbox.uploads import receive_form
from tests.platforms.rendered import text_of
from tests.support.servers import free_port, serve_in_thread

PAYLOAD = bytes(range(256)) * 20_000  # ~5 MB, several chunks


async def _echo_form(request: Request) -> JSONResponse:
    form = await receive_form(request)
    return JSONResponse(
        {
            "fields": form.fields,
            "files": {
                n: {"size": f.size, "sha256": f.sha256, "name": f.filename} for n, f in form.files.items()
            },
        }
    )


async def _hang(request: Request) -> Response:
    async for _ in request.stream():
        pass
    await asyncio.sleep(2)
    return Response("late")


async def _serve_file(request: Request) -> Response:
    if request.path_params["name"] != "clip.mp4":
        return Response(status_code=404)
    return Response(PAYLOAD, media_type="video/mp4")


@pytest.fixture(scope="module")
def server_url():
    app = Starlette(
        routes=[
            Route("/form", _echo_form, methods=["POST"]),
            Route("/hang", _hang, methods=["POST"]),
            Route("/files/{name}", _serve_file),
        ]
    )
    with serve_in_thread(app, free_port()) as url:
        yield url


async def test_multipart_streams_a_file_clip_byte_exact(server_url: str, tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(PAYLOAD)
    progress: list[int] = []
    body = StreamingMultipart(
        fields={"chat_id": "@clipmaker_demo", "caption": 'Привет, "мир"'},
        clip_field="video",
        clip=ClipSource(reader=FileReader(path), size=len(PAYLOAD), filename="клип.mp4"),
        small_files={"thumbnail": SmallFile("thumb.jpg", "image/jpeg", b"\xff\xd8\xffjpeg")},
        on_progress=lambda sent, total: progress.append(sent),
    )
    async with httpx2.AsyncClient() as client:
        request = client.build_request(
            "POST", f"{server_url}/form", headers=body.headers(), content=body.stream()
        )
        response = await send(client, request, platform="test", creates=True, body_sent=body.body_sent)
    echoed = response.json()
    assert echoed["fields"] == {"chat_id": "@clipmaker_demo", "caption": 'Привет, "мир"'}
    assert echoed["files"]["video"] == {
        "size": len(PAYLOAD),
        "sha256": hashlib.sha256(PAYLOAD).hexdigest(),
        "name": "клип.mp4",
    }
    assert echoed["files"]["thumbnail"]["size"] == 7
    assert progress[-1] == len(PAYLOAD) and len(progress) > 1
    assert body.completed


async def test_url_source_streams_through(server_url: str) -> None:
    source = ClipSource(reader=UrlReader(f"{server_url}/files/clip.mp4"), size=len(PAYLOAD))
    digest = hashlib.sha256()
    async for chunk in source.chunks():
        digest.update(chunk)
    assert digest.hexdigest() == hashlib.sha256(PAYLOAD).hexdigest()


async def test_missing_sources_fail_permanently_with_the_product_message(
    server_url: str, tmp_path: Path
) -> None:
    for source in (
        ClipSource(reader=UrlReader(f"{server_url}/files/gone.mp4"), size=10),
        ClipSource(reader=FileReader(tmp_path / "gone.mp4"), size=10),
    ):
        with pytest.raises(Permanent) as error:
            async for _ in source.chunks():
                pass
        assert text_of(error.value) == "Файл клипа не найден"


async def test_a_source_with_other_bytes_than_announced_stops_the_upload(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"x" * 100)
    with pytest.raises(Permanent, match="clip_changed"):
        async for _ in ClipSource(reader=FileReader(path), size=50).chunks():
            pass


async def test_no_answer_after_a_full_create_request_is_outcome_unknown(server_url: str) -> None:
    async with httpx2.AsyncClient(timeout=0.5) as client:
        request = client.build_request("POST", f"{server_url}/hang", content=b"create")
        with pytest.raises(OutcomeUnknown):
            await send(client, request, platform="test", creates=True)
        request = client.build_request("POST", f"{server_url}/hang", content=b"read")
        with pytest.raises(Transient):
            await send(client, request, platform="test", creates=False)


async def test_unreachable_platform_is_transient() -> None:
    async with httpx2.AsyncClient(timeout=2) as client:
        request = client.build_request("POST", f"http://127.0.0.1:{free_port()}/x", content=b"x")
        with pytest.raises(Transient) as error:
            await send(client, request, platform="vk", creates=True)
    assert error.value.code == "vk.unreachable"
