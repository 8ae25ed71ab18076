"""A sample clip made locally with FFmpeg's test pattern: the demo's first clip, no download needed."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av


def make_sample_clip(
    path: Path, *, seconds: int = 5, width: int = 360, height: int = 640, fps: int = 25
) -> Path:
    """Write a vertical H.264/MP4 clip of FFmpeg's testsrc2 pattern."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pattern = f"testsrc2=size={width}x{height}:rate={fps}:duration={seconds}"
    with av.open(pattern, format="lavfi") as source, av.open(str(path), "w", format="mp4") as target:
        stream = target.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.time_base = Fraction(1, fps)
        for frame in source.decode(video=0):
            frame.pts = None
            for packet in stream.encode(frame.reformat(format="yuv420p")):
                target.mux(packet)
        for packet in stream.encode():
            target.mux(packet)
    return path
