"""The rules a publication must pass: checked when it is asked for, and again by the worker."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from autopost.clips.models import Clip, ClipStatus
from autopost.connections.models import Connection, ConnectionStatus
from autopost.platforms.catalog import (
    LIMITS,
    VK_CLIP_SHAPE,
    ClipShape,
    ConnectionKind,
    Platform,
    caption_text,
)
from autopost.refusals import Refused
from autopost.settings import Settings
from autopost.users.plans import check_plan, check_size
from autopost.workspaces.models import Workspace

# The furthest ahead a publication can be scheduled. Further is a typo; it also keeps every zone's
# offset away from datetime's year-9999 edge, past which a time cannot be converted to UTC or stored.
SCHEDULE_HORIZON = timedelta(days=3653)
# An ISO 8601 time with a year of five digits or a sign ("+10000-01-01T00:00Z") that datetime cannot hold.
_EXPANDED_YEAR = re.compile(r"\s*(?:[+-]\d+|\d{5,})-")


@dataclass(frozen=True)
class Target:
    connection: Connection
    title: str
    description: str
    # The clip may already be published to this account: the user asked to publish it again.
    again: bool = False


def check_target(settings: Settings, workspace: Workspace, clip: Clip, target: Target) -> None:
    """Every rule a publication must pass, at request time and again in the worker."""
    connection = target.connection
    platform = connection.platform
    if clip.status is not ClipStatus.READY:
        raise Refused("clip_not_ready")
    refusal = check_plan(workspace.plan, platform) or check_size(
        platform, clip.size_bytes or 0, telegram_local_server=settings.telegram.local_server
    )
    if refusal:
        raise refusal
    if connection.status is not ConnectionStatus.ACTIVE:
        raise Refused("needs_reconnect", platform=platform.value)
    refusal = shape_refusal(connection, clip)
    if refusal:
        raise refusal
    check_caption(platform, target.title, target.description)


def shape_refusal(connection: Connection, clip: Clip) -> Refused | None:
    """Why the account's route cannot take this clip's length or shape (VK Clips through a web session)."""
    if connection.platform is Platform.VK and connection.kind is ConnectionKind.WEB_SESSION:
        return _clip_shape_refusal(VK_CLIP_SHAPE, clip)
    return None


def _clip_shape_refusal(shape: ClipShape, clip: Clip) -> Refused | None:
    """A clip route takes short vertical video only; what the probe could not measure is not judged."""
    duration = clip.duration_seconds
    if duration is not None and not shape.min_seconds <= duration <= shape.max_seconds:
        # Whole seconds rounded away from the range, so the figure shown is visibly outside it.
        seconds = math.floor(duration) if duration < shape.min_seconds else math.ceil(duration)
        return Refused(
            "clip_length_out_of_range",
            seconds=seconds,
            min_seconds=shape.min_seconds,
            max_seconds=shape.max_seconds,
        )
    if shape.vertical and clip.width and clip.height and clip.width >= clip.height:
        return Refused("clip_not_vertical", width=clip.width, height=clip.height)
    return None


def check_caption(platform: Platform, title: str, description: str) -> None:
    limits = LIMITS[platform]
    name = platform.value
    if limits.title_max is None:
        # One caption: title and description joined, as the provider sends it.
        length = len(caption_text(title, description))
        if limits.description_max is not None and length > limits.description_max:
            raise Refused("caption_too_long", platform=name, length=length, limit=limits.description_max)
        return
    if limits.title_required and not title.strip():
        raise Refused("title_missing", platform=name)
    if len(title) > limits.title_max:
        raise Refused("title_too_long", platform=name, length=len(title), limit=limits.title_max)
    if limits.description_max is not None and len(description) > limits.description_max:
        raise Refused(
            "description_too_long", platform=name, length=len(description), limit=limits.description_max
        )


def check_schedule(settings: Settings, scheduled_at: datetime | None, now: datetime) -> None:
    if scheduled_at is None:
        return
    if scheduled_at.tzinfo is None:
        raise Refused("scheduled_at_without_offset")
    lead = timedelta(seconds=settings.min_schedule_lead_seconds)
    if scheduled_at < now + lead:
        raise Refused("scheduled_too_soon", lead_seconds=settings.min_schedule_lead_seconds)
    # Compared as is: converting a time at the year-9999 edge to UTC would overflow.
    if scheduled_at > now + SCHEDULE_HORIZON:
        raise _out_of_range()


def refuse_expanded_year(value: object) -> object:
    """A pydantic before-validator: a year datetime cannot hold is out of range, not malformed."""
    if isinstance(value, str) and _EXPANDED_YEAR.match(value):
        raise _out_of_range()
    return value


def _out_of_range() -> Refused:
    return Refused("scheduled_at_out_of_range", horizon_seconds=int(SCHEDULE_HORIZON.total_seconds()))


def delay_ms(scheduled_at: datetime | None, now: datetime) -> int:
    """How long the queue holds a publication's job: until its time, or not at all."""
    if scheduled_at is None:
        return 0
    return max(0, int((scheduled_at - now).total_seconds() * 1000))
