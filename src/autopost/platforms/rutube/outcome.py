"""What a Rutube video object says about our publication: still processing, published, or failed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from autopost.platforms.base import Counters, PublishResult, PublishState
from autopost.platforms.catalog import LIMITS, Platform
from autopost.platforms.errors import Permanent
from autopost.platforms.rutube import wire

# Failure reasons (ASSUMED names, as the emulator) → our codes.
FAILURES = {
    "download_failed": "rutube.download_failed",
    "not_a_video": "rutube.not_a_video",
    "file_too_large": "rutube.platform_file_too_large",
    "processing_failed": "rutube.processing_failed",
}


def video_deleted(video_id: str) -> Permanent:
    return Permanent("rutube.video_deleted", f"video {video_id}")


def result_of(video: Mapping[str, Any], checkpoint: Mapping[str, Any]) -> PublishResult:
    """Processing while action_reason says so; failed on any other reason; published when ready.

    action_reason is preferred to the ASSUMED `status`; a video with neither a
    reason nor a status counts as ready (nothing is pending on it).
    """
    video_id = str(checkpoint["remote_id"])
    if video.get("is_deleted"):
        raise video_deleted(video_id)
    reason = reason_name(video.get("action_reason"))
    status = video.get("status")
    if reason is not None and reason not in wire.IN_PROGRESS_REASONS:
        raise _failure(video_id, reason)
    if reason is None and status == wire.ERROR_STATUS:
        raise Permanent(
            "rutube.video_rejected", f"video {video_id}: status error, no reason", reason=wire.ERROR_STATUS
        )
    state = PublishState.PUBLISHED
    if reason is not None or status not in (None, wire.READY_STATUS):
        state = PublishState.PROCESSING
    return PublishResult(
        state=state,
        checkpoint=dict(checkpoint),
        remote_id=video_id,
        remote_url=wire.public_url(video_id),
        progress=100 if state is PublishState.PUBLISHED else None,
    )


def reason_name(reason: object) -> str | None:
    if isinstance(reason, Mapping) and isinstance(reason.get("name"), str):
        return str(reason["name"])
    return None


def counters_of(video: Mapping[str, Any]) -> Counters:
    """hits → views, comments_count → comments; Rutube's API shows no likes or shares."""
    return Counters(views=_count(video.get("hits")), comments=_count(video.get("comments_count")))


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _failure(video_id: str, reason: str) -> Permanent:
    code = FAILURES.get(reason)
    if code is None:
        # An unknown reason never becomes an error code: codes stay a closed set.
        return Permanent("rutube.video_rejected", f"video {video_id}: {reason}", reason=reason)
    if reason == "file_too_large":
        limit = LIMITS[Platform.RUTUBE].max_bytes
        return Permanent(code, f"video {video_id}: {reason}", limit_bytes=limit)
    return Permanent(code, f"video {video_id}: {reason}")
