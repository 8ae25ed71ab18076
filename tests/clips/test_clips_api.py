import hashlib

import pytest

from autopost.users.plans import Plan
from tests.support.api import Api


def test_upload_probes_hashes_and_lists_the_clip(api: Api) -> None:
    _, token = api.new_user()
    clip = api.upload_clip(token, title="Урок 1")
    assert clip["status"] == "ready"
    assert clip["title"] == "Урок 1"
    assert clip["sha256"] == hashlib.sha256(api.clip_file.read_bytes()).hexdigest()
    assert clip["size_bytes"] == api.clip_file.stat().st_size
    assert clip["width"] == 180 and clip["height"] == 320 and clip["video_codec"] == "h264"
    assert clip["has_thumbnail"] is True
    with api.client(token) as client:
        assert [c["id"] for c in client.get("/api/v1/clips").json()] == [clip["id"]]
        assert client.get(f"/api/v1/clips/{clip['id']}").json()["id"] == clip["id"]
        thumbnail = client.get(f"/api/v1/clips/{clip['id']}/thumbnail")
        assert thumbnail.status_code == 200 and thumbnail.content[:3] == b"\xff\xd8\xff"
        assert client.delete(f"/api/v1/clips/{clip['id']}").status_code == 204
        assert client.get(f"/api/v1/clips/{clip['id']}").status_code == 404


def test_non_video_is_refused_and_nothing_is_kept(api: Api) -> None:
    _, token = api.new_user()
    with api.client(token) as client:
        response = client.post(
            "/api/v1/clips", files={"file": ("notes.mp4", b"just some text" * 100, "video/mp4")}
        )
        assert response.status_code == 422
        assert response.json()["error"] == {
            "code": "not_a_video",
            "message": "Файл не является видео: загрузите MP4, MOV или WebM",
        }
        english = client.post(
            "/api/v1/clips",
            files={"file": ("notes.mp4", b"text" * 10, "video/mp4")},
            headers={"Accept-Language": "en-US,en;q=0.9"},
        )
        assert english.json()["error"]["message"].startswith("The file is not a video")
        assert client.get("/api/v1/clips").json() == []
    assert list(api.settings.resolved_storage_dir.rglob("*.mp4")) == []


def test_oversize_upload_is_refused_while_streaming(tmp_path, database_url) -> None:
    from tests.support.api import start_api

    for small in start_api(tmp_path, database_url, None, max_clip_bytes=50_000):
        _, token = small.new_user()
        with small.client(token) as client:
            response = client.post("/api/v1/clips", files={"file": ("big.mp4", b"\0" * 200_000, "video/mp4")})
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "clip_too_large"
        with small.client(token) as client:
            assert client.get("/api/v1/clips").json() == []


def test_clip_from_a_source_url_is_probed_in_place(tmp_path, database_url) -> None:
    from starlette.applications import Starlette
    from starlette.responses import FileResponse
    from starlette.routing import Route

    from tests.support.api import start_api
    from tests.support.servers import free_port, serve_in_thread

    port = free_port()
    # The origin is on loopback: allowed explicitly, as an operator allows a private S3.
    for api in start_api(tmp_path, database_url, None, allowed_internal_hosts=f"127.0.0.1:{port}"):

        async def serve(request, clip_file=api.clip_file):
            return FileResponse(clip_file, media_type="video/mp4")

        with serve_in_thread(Starlette(routes=[Route("/bucket/clip.mp4", serve)]), port) as origin:
            _, token = api.new_user(Plan.START)
            with api.client(token) as client:
                response = client.post(
                    "/api/v1/clips",
                    json={"source_url": f"{origin}/bucket/clip.mp4?X-Amz-Signature=secret", "title": "S3"},
                )
                assert response.status_code == 201, response.text
                clip = response.json()
                assert clip["status"] == "ready" and clip["width"] == 180
                assert clip["size_bytes"] == api.clip_file.stat().st_size
                assert "secret" not in response.text
                missing = client.post("/api/v1/clips", json={"source_url": f"{origin}/bucket/none.mp4"})
                assert missing.status_code == 422 and missing.json()["error"]["code"] == "source_unreachable"


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'{"title": "no source"}', b'"text"'])
def test_a_from_url_body_that_is_not_the_schema_is_refused_as_invalid(api: Api, body: bytes) -> None:
    _, token = api.new_user(Plan.START)
    with api.client(token) as client:
        response = client.post("/api/v1/clips", content=body, headers={"content-type": "application/json"})
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "validation_error"
        assert client.get("/api/v1/clips").json() == []


def test_a_truncated_upload_is_refused_clearly_and_nothing_is_kept(api: Api, tmp_path) -> None:
    from tests.support.media import make_clip

    data = make_clip(tmp_path / "whole.mp4", seconds=2, faststart=True).read_bytes()
    _, token = api.new_user()
    with api.client(token, **{"Accept-Language": "en"}) as client:
        response = client.post(
            "/api/v1/clips", files={"file": ("cut.mp4", data[: len(data) * 3 // 4], "video/mp4")}
        )
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "clip_truncated"
        assert response.json()["error"]["message"].startswith("The video file is cut short")
        assert client.get("/api/v1/clips").json() == []
    assert list(api.settings.resolved_storage_dir.rglob("*.mp4")) == []
