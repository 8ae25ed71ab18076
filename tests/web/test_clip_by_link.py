"""«По ссылке» on the Clips page: the clip is probed where it lies, its card is put on the grid, and a
link that cannot be used says why in the list of uploads (the field keeps what was typed)."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from tests.support.api import start_api
from tests.support.servers import free_port, serve_in_thread
from tests.web.support import csrf_of, htmx, login, new_user, visible_text


def test_a_clip_by_link_gets_its_card_and_a_bad_link_its_reason(tmp_path: Path, database_url: str) -> None:
    port = free_port()
    # The origin is on loopback: allowed explicitly, as an operator allows a private S3.
    for api in start_api(tmp_path, database_url, None, allowed_internal_hosts=f"127.0.0.1:{port}"):

        async def serve(request: Request, clip_file: Path = api.clip_file) -> Response:
            return FileResponse(clip_file, media_type="video/mp4")

        with serve_in_thread(Starlette(routes=[Route("/bucket/clip.mp4", serve)]), port) as origin:
            email, _ = new_user(api)
            with login(api, email) as browser:
                page = browser.get("/").text
                assert 'id="clip-grid"' in page and "По ссылке" in visible_text(page)
                headers = htmx(browser, csrf_of(page))
                added = browser.post(
                    "/clips/from-url", data={"source_url": f"{origin}/bucket/clip.mp4"}, headers=headers
                )
                assert added.status_code == 200
                assert 'hx-swap-oob="afterbegin:#clip-grid"' in added.text and "upload-done" in added.text
                missing = browser.post(
                    "/clips/from-url", data={"source_url": f"{origin}/bucket/none.mp4"}, headers=headers
                )
                assert "upload-failed" in missing.text and "clip-grid" not in missing.text
                assert "Ошибка:" in visible_text(missing.text)
                grid = browser.get("/").text
            assert grid.count('class="clip-card"') == 1
