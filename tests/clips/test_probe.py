from pathlib import Path

import av
import pytest

from autopost.clips.probe import THUMBNAIL_MAX_BYTES, ProbeError, make_thumbnail, probe
from tests.support.media import make_clip


def test_probe_reads_duration_size_and_codec(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "clip.mp4", seconds=2, width=180, height=320)
    info = probe(clip)
    assert info.width == 180 and info.height == 320
    assert info.video_codec == "h264"
    assert info.duration == pytest.approx(2.0, abs=0.1)


@pytest.mark.parametrize(
    "content", [b"", b"hello, this is text, not a video\n" * 100, bytes(range(256)) * 64]
)
def test_non_video_files_are_refused_clearly(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "not-a-video.mp4"
    path.write_bytes(content)
    with pytest.raises(ProbeError, match="не является видео"):
        probe(path)


def test_thumbnail_is_a_small_jpeg_within_320_px(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "tall.mp4", seconds=0.5, width=720, height=1280)
    data = make_thumbnail(clip)
    assert data[:3] == b"\xff\xd8\xff"
    assert len(data) < THUMBNAIL_MAX_BYTES
    thumb = tmp_path / "thumb.jpg"
    thumb.write_bytes(data)
    with av.open(str(thumb)) as container:
        frame = next(container.decode(video=0))
    assert max(frame.width, frame.height) <= 320
    assert frame.height > frame.width
