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
    with pytest.raises(ProbeError) as refused:
        probe(path)
    assert refused.value.code == "not_a_video"


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


@pytest.mark.parametrize("keyframe_every", [None, 10])
@pytest.mark.parametrize("kept", [0.8, 0.97])
def test_a_faststart_mp4_cut_short_is_refused_though_its_header_is_intact(
    tmp_path: Path, keyframe_every: int | None, kept: float
) -> None:
    whole = make_clip(tmp_path / "whole.mp4", seconds=3, faststart=True, keyframe_every=keyframe_every)
    data = whole.read_bytes()
    assert data.find(b"moov") < data.find(b"mdat"), "the index comes first"
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * kept)])
    assert probe(whole).duration == pytest.approx(3.0, abs=0.1)
    with pytest.raises(ProbeError) as refused:
        probe(cut)
    assert refused.value.code == "clip_truncated"


def test_a_file_cut_by_its_last_bytes_is_refused(tmp_path: Path) -> None:
    data = make_clip(tmp_path / "whole.mp4", seconds=1, faststart=True).read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[:-50])
    with pytest.raises(ProbeError) as refused:
        probe(cut)
    assert refused.value.code == "clip_truncated"


def test_a_whole_clip_probes_from_a_file_object_too(tmp_path: Path) -> None:
    whole = make_clip(tmp_path / "whole.mp4", seconds=2, faststart=True, keyframe_every=10)
    with whole.open("rb") as handle:
        assert probe(handle).width == 180
