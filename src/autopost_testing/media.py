"""Real test clips made with PyAV (H.264 in MP4), small and fast to encode."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np


def make_clip(
    path: Path,
    *,
    seconds: float = 1.0,
    width: int = 180,
    height: int = 320,
    fps: int = 25,
    faststart: bool = False,
    keyframe_every: int | None = None,
) -> Path:
    """Write an H.264/MP4 clip of moving colour bars; returns its path.

    `faststart` puts the index (moov) before the media data, as web-ready MP4s have it.
    """
    options = {"movflags": "+faststart"} if faststart else {}
    with av.open(str(path), "w", format="mp4", options=options) as container:
        stream = container.add_stream("libx264", rate=fps)
        if keyframe_every:
            stream.codec_context.gop_size = keyframe_every
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.time_base = Fraction(1, fps)
        for index in range(int(seconds * fps)):
            image = np.zeros((height, width, 3), dtype=np.uint8)
            image[:, :, 0] = (np.arange(width) * 255 // width + index * 8) % 256
            image[:, :, 1] = (np.arange(height)[:, None] * 255 // height) % 256
            image[:, :, 2] = (index * 10) % 256
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path
