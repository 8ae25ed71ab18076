"""Uploading clips in the browser: two files dropped on the Clips page, one of them cut off midway
(a PATCH dropped on the wire) and resumed from the server's offset; both end as clips with cards.
A third file dropped with them is no video: its line says so, in Russian."""

from __future__ import annotations

import base64
import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Page, Request, Route, expect

from autopost_testing.media import make_clip
from autopost_testing.world import REDIS_URL, World, world_settings
from tests.conftest import Sandbox
from tests.web.browser.conftest import DESKTOP, PHONE, Stack, login

pytestmark = pytest.mark.asyncio(loop_scope="session")

CHUNK = 16 * 1024  # several PATCHes per file, so one can be cut with bytes already stored

DROP = """([files, zone]) => {
  const transfer = new DataTransfer();
  for (const [name, data] of files) {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    transfer.items.add(new File([bytes], name, { type: "video/mp4", lastModified: 1 }));
  }
  const target = document.querySelector(zone);
  for (const type of ["dragenter", "dragover", "drop"]) {
    target.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }
}"""


@pytest_asyncio.fixture(loop_scope="session")
async def small_chunks(tmp_path: Path, database_url: str, sandbox: Sandbox) -> AsyncIterator[Stack]:
    """The browser tests' stack, its pages uploading in CHUNK-sized PATCHes."""
    settings = world_settings(
        tmp_path, database_url, sandbox_url=sandbox.url, stats_refresh_hours=0, upload_chunk_bytes=CHUNK
    )
    world = World(settings, REDIS_URL, sandbox_url=sandbox.url)
    try:
        clip_file = make_clip(tmp_path / "clip.mp4", seconds=1)
        yield Stack(world=world, sandbox=sandbox, clip_file=clip_file, url=world.serve_app())
    finally:
        await world.close()


class CutOnce:
    """Drops the first PATCH that comes after stored bytes, as a lost connection does; then records
    what the client asks of that upload."""

    def __init__(self) -> None:
        self.cut_at: int | None = None
        self.upload_url: str | None = None
        self.after_cut: list[tuple[str, str]] = []  # (method, Upload-Offset) of that upload's calls since

    async def __call__(self, route: Route, request: Request) -> None:
        offset = request.headers.get("upload-offset", "")
        if self.upload_url == request.url and self.cut_at is not None:
            self.after_cut.append((request.method, offset))
        elif request.method == "PATCH" and self.cut_at is None and int(offset) > 0:
            self.cut_at, self.upload_url = int(offset), request.url
            await route.abort("connectionreset")
            return
        await route.continue_()


def _shots(tmp_path: Path) -> Path:
    return Path(os.environ.get("AUTOPOST_SCREENSHOTS", tmp_path))


async def test_two_dropped_files_one_cut_off_and_resumed_both_become_clips(
    page: Page, small_chunks: Stack, tmp_path: Path
) -> None:
    stack = small_chunks
    email, _ = await stack.new_user()
    await login(page, stack, email)
    lesson = make_clip(tmp_path / "lesson.mp4", seconds=3, width=360, height=640)
    teaser = make_clip(tmp_path / "teaser.mp4", seconds=2, width=360, height=640)
    assert lesson.stat().st_size > 3 * CHUNK
    cut = CutOnce()
    await page.route("**/api/v1/uploads/*", cut)

    zone = page.get_by_text("Перетащите клипы сюда или")
    await expect(zone).to_be_visible()
    notes = tmp_path / "notes.mp4"
    notes.write_text("not a video at all, only a name that says so\n" * 100)
    files = [[p.name, base64.b64encode(p.read_bytes()).decode()] for p in (lesson, teaser, notes)]
    await page.evaluate(DROP, [files, "[data-drop-zone]"])

    uploads = page.locator("#upload-list .upload-item")
    await expect(uploads).to_have_count(3)
    await expect(uploads.filter(has_text="Загружено")).to_have_count(2)
    refused = uploads.filter(has_text="notes.mp4")
    await expect(refused).to_contain_text("Ошибка: Файл не является видео: загрузите MP4, MOV или WebM")
    grid = page.locator("#clip-grid")
    await expect(grid.get_by_role("heading", name="lesson")).to_be_visible()
    await expect(grid.get_by_role("heading", name="teaser")).to_be_visible()
    # The cut PATCH was followed by HEAD (where is it?) and a PATCH from exactly the stored offset.
    assert cut.cut_at is not None
    assert cut.after_cut[:2] == [("HEAD", ""), ("PATCH", str(cut.cut_at))], cut.after_cut
    await page.unroute("**/api/v1/uploads/*")

    card = page.locator(".clip-card", has=page.get_by_role("heading", name="lesson"))
    await card.get_by_text("Смотреть").click()
    video = card.locator("video")
    await expect(video).to_have_attribute("src", re.compile(r"^/media/[0-9a-f]{32}\."))
    duration = await video.evaluate(
        "v => new Promise(done => { v.preload = 'metadata'; v.onloadedmetadata = () => done(v.duration); v.load(); })"
    )
    assert 2.5 < duration < 3.5  # the browser reads the stored clip back through its signed URL
    await page.screenshot(path=str(_shots(tmp_path) / "upload-desktop.png"), full_page=True)
    await page.set_viewport_size(PHONE)
    await page.screenshot(path=str(_shots(tmp_path) / "upload-phone.png"), full_page=True)
    await page.set_viewport_size(DESKTOP)

    await card.get_by_role("button", name="Удалить").click()
    dialog = page.locator("dialog#delete-clip-dialog[open]")
    await expect(dialog).to_contain_text("У этого клипа нет запланированных публикаций.")
    await page.screenshot(path=str(_shots(tmp_path) / "delete-clip-dialog-desktop.png"))
    await page.set_viewport_size(PHONE)
    await page.screenshot(path=str(_shots(tmp_path) / "delete-clip-dialog-phone.png"))
    await page.set_viewport_size(DESKTOP)
    await dialog.get_by_role("button", name="Удалить").click()
    await expect(page.locator("#notice")).to_contain_text("Клип «lesson» удалён.")
    await expect(grid.get_by_role("heading", name="lesson")).to_have_count(0)
    await expect(grid.get_by_role("heading", name="teaser")).to_be_visible()


async def test_a_reloaded_page_resumes_the_same_file_where_the_server_has_it(
    page: Page, small_chunks: Stack, tmp_path: Path
) -> None:
    stack = small_chunks
    email, _ = await stack.new_user()
    await login(page, stack, email)
    lesson = make_clip(tmp_path / "lesson.mp4", seconds=3, width=360, height=640)
    files = [[lesson.name, base64.b64encode(lesson.read_bytes()).decode()]]
    calls: list[tuple[str, str]] = []

    async def offline_after_two_chunks(route: Route, request: Request) -> None:
        calls.append((request.method, request.headers.get("upload-offset", "")))
        if request.method == "PATCH" and int(request.headers["upload-offset"]) >= 2 * CHUNK:
            await route.abort("internetdisconnected")
        else:
            await route.continue_()

    await page.route("**/api/v1/uploads**", offline_after_two_chunks)
    await page.evaluate(DROP, [files, "[data-drop-zone]"])
    await expect(page.locator("#upload-list .upload-item")).to_contain_text("Связь прервалась: продолжаем…")
    assert ("PATCH", str(2 * CHUNK)) in calls

    # The tab closed and opened again (still offline meanwhile: no retry slips through), then the
    # same file is dropped once more.
    await page.reload()
    await page.unroute("**/api/v1/uploads**")
    calls.clear()
    await page.route("**/api/v1/uploads**", _recorder(calls))
    await page.evaluate(DROP, [files, "[data-drop-zone]"])
    await expect(page.locator("#upload-list .upload-item")).to_contain_text("Загружено")
    await expect(page.locator("#clip-grid").get_by_role("heading", name="lesson")).to_be_visible()
    # No new upload: the stored one is asked for its offset and continued from there.
    assert calls[:2] == [("HEAD", ""), ("PATCH", str(2 * CHUNK))], calls


def _recorder(calls: list[tuple[str, str]]) -> Callable[[Route, Request], Awaitable[None]]:
    async def record(route: Route, request: Request) -> None:
        calls.append((request.method, request.headers.get("upload-offset", "")))
        await route.continue_()

    return record
