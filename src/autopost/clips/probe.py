"""Clip intake: what a video file is (PyAV), and the small JPEG thumbnail Telegram wants.

Probing reads container headers and at most a few frames, never the whole file; to tell a file
cut short from a whole one it demuxes (never decodes) from the last keyframe to the end.
FFmpeg gets only the demuxers of the formats we accept and only the file protocol:
a playlist (HLS, concat) or a reference inside a file can make it open no URL.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import av.error

THUMBNAIL_MAX_SIDE = 320
THUMBNAIL_MAX_BYTES = 200 * 1024

# MP4/MOV and Matroska/WebM demuxers only; nested opens are limited to local files.
FFMPEG_OPTIONS = {"format_whitelist": "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm", "protocol_whitelist": "file"}


class ProbeError(Exception):
    """The file cannot be published as a video; `code` is the refusal's (its text is in i18n.codes)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class MediaInfo:
    duration: float
    width: int
    height: int
    video_codec: str
    container: str


def _open(source: Path | io.RawIOBase) -> av.container.InputContainer:
    return av.open(str(source) if isinstance(source, Path) else source, "r", options=FFMPEG_OPTIONS)


def _size_of(source: Path | io.RawIOBase) -> int:
    if isinstance(source, Path):
        return source.stat().st_size
    size = source.seek(0, os.SEEK_END)
    source.seek(0)
    return size


def probe(source: Path | io.RawIOBase) -> MediaInfo:
    """What the video is; `source` is a local path or a seekable file object (a remote clip)."""
    size = _size_of(source)
    try:
        with _open(source) as container:
            if not container.streams.video:
                raise ProbeError("not_a_video")
            stream = container.streams.video[0]
            duration = _duration(container, stream)
            _check_complete(container, stream, size)
            return MediaInfo(
                duration=duration,
                width=int(stream.codec_context.width),
                height=int(stream.codec_context.height),
                video_codec=str(stream.codec_context.name),
                container=str(container.format.name),
            )
    except (av.error.FFmpegError, UnicodeDecodeError) as exc:
        raise ProbeError("not_a_video") from exc


def _duration(container: av.container.InputContainer, stream: av.video.stream.VideoStream) -> float:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * Fraction(stream.time_base))
    if container.duration is not None:
        return float(container.duration) / av.time_base
    raise ProbeError("video_duration_unknown")


END_SLACK_SECONDS = Fraction(1, 2)


def _check_complete(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream, size: int
) -> None:
    """The video reads to the end its index states, or the file was cut short.

    An MP4 with its index first (faststart) opens and probes fine however much of its media data is
    missing. Its last packets then lie past the end of the file (the seek finds no packet), come back
    partial (corrupt, or ending past the file) or stop early (the stated end is never reached).
    """
    if stream.duration is None:
        return  # no stated end to reach (a live-style WebM): the header is all there is to check
    end = (stream.start_time or 0) + stream.duration
    container.seek(end, stream=stream, backward=True, any_frame=False)
    reached: int | None = None
    for packet in container.demux(stream):
        if not packet.size:
            continue  # the empty packet that flushes the demuxer
        if packet.is_corrupt or (packet.pos is not None and packet.pos + packet.size > size):
            raise ProbeError("clip_truncated")
        if packet.pts is not None:
            packet_end = packet.pts + (packet.duration or 0)
            reached = packet_end if reached is None else max(reached, packet_end)
    # Some muxers leave the last packet without a duration, or state an end slightly past the last
    # frame (edit lists, rounding): half a second of slack. A cut inside the data is caught above.
    slack = int(END_SLACK_SECONDS / stream.time_base) if stream.time_base else 0
    if reached is None or reached + slack < end:
        raise ProbeError("clip_truncated")


def make_thumbnail(path: Path) -> bytes:
    """A JPEG of an early frame, at most 320 px on its longer side and under 200 kB."""
    try:
        with _open(path) as container:
            frame = next(container.decode(video=0))
    except (av.error.FFmpegError, StopIteration) as exc:
        raise ProbeError("not_a_video") from exc
    scale = THUMBNAIL_MAX_SIDE / max(frame.width, frame.height)
    width = max(2, int(frame.width * min(1.0, scale)) // 2 * 2)
    height = max(2, int(frame.height * min(1.0, scale)) // 2 * 2)
    for quality in (4, 8, 16, 31):  # mjpeg qscale: lower is better; step down until it fits
        data = _encode_jpeg(frame.reformat(width=width, height=height, format="yuvj420p"), quality)
        if len(data) < THUMBNAIL_MAX_BYTES:
            return data
    raise ProbeError("thumbnail_too_large")


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
