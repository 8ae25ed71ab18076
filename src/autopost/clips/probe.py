"""Clip intake: what a video file is (PyAV), and the small JPEG thumbnail Telegram wants.

Probing reads container headers and at most a few frames, never the whole file.
FFmpeg gets only the demuxers of the formats we accept and only the file protocol:
a playlist (HLS, concat) or a reference inside a file can make it open no URL.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import av.error

THUMBNAIL_MAX_SIDE = 320
THUMBNAIL_MAX_BYTES = 200 * 1024

NOT_A_VIDEO = "Файл не является видео: загрузите MP4, MOV или WebM"

# MP4/MOV and Matroska/WebM demuxers only; nested opens are limited to local files.
FFMPEG_OPTIONS = {"format_whitelist": "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm", "protocol_whitelist": "file"}


class ProbeError(Exception):
    """The file cannot be published as a video (message is for people)."""


@dataclass(frozen=True)
class MediaInfo:
    duration: float
    width: int
    height: int
    video_codec: str
    container: str


def _open(source: Path | io.RawIOBase) -> av.container.InputContainer:
    return av.open(str(source) if isinstance(source, Path) else source, "r", options=FFMPEG_OPTIONS)


def probe(source: Path | io.RawIOBase) -> MediaInfo:
    """What the video is; `source` is a local path or a seekable file object (a remote clip)."""
    try:
        with _open(source) as container:
            if not container.streams.video:
                raise ProbeError(NOT_A_VIDEO)
            stream = container.streams.video[0]
            duration = _duration(container, stream)
            return MediaInfo(
                duration=duration,
                width=int(stream.codec_context.width),
                height=int(stream.codec_context.height),
                video_codec=str(stream.codec_context.name),
                container=str(container.format.name),
            )
    except (av.error.FFmpegError, UnicodeDecodeError) as exc:
        raise ProbeError(NOT_A_VIDEO) from exc


def _duration(container: av.container.InputContainer, stream: av.video.stream.VideoStream) -> float:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * Fraction(stream.time_base))
    if container.duration is not None:
        return float(container.duration) / av.time_base
    raise ProbeError("Не удалось определить длительность видео")


def make_thumbnail(path: Path) -> bytes:
    """A JPEG of an early frame, at most 320 px on its longer side and under 200 kB."""
    try:
        with _open(path) as container:
            frame = next(container.decode(video=0))
    except (av.error.FFmpegError, StopIteration) as exc:
        raise ProbeError(NOT_A_VIDEO) from exc
    scale = THUMBNAIL_MAX_SIDE / max(frame.width, frame.height)
    width = max(2, int(frame.width * min(1.0, scale)) // 2 * 2)
    height = max(2, int(frame.height * min(1.0, scale)) // 2 * 2)
    for quality in (4, 8, 16, 31):  # mjpeg qscale: lower is better; step down until it fits
        data = _encode_jpeg(frame.reformat(width=width, height=height, format="yuvj420p"), quality)
        if len(data) < THUMBNAIL_MAX_BYTES:
            return data
    raise ProbeError("Не удалось сделать обложку нужного размера")


def _encode_jpeg(frame: av.VideoFrame, quality: int) -> bytes:
    codec = av.CodecContext.create("mjpeg", "w")
    codec.width = frame.width
    codec.height = frame.height
    codec.pix_fmt = "yuvj420p"
    codec.time_base = Fraction(1, 25)
    codec.qmin = codec.qmax = quality
    packets = [*codec.encode(frame), *codec.encode(None)]
    buffer = io.BytesIO()
    for packet in packets:
        buffer.write(bytes(packet))
    return buffer.getvalue()
