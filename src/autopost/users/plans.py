"""Plans as data: which platforms each plan may publish to."""

from __future__ import annotations

from enum import StrEnum

from autopost.platforms.catalog import LIMITS, Platform, format_limit, format_size, max_upload_bytes
from autopost.refusals import Kind, Refused


class Plan(StrEnum):
    FREE = "free"
    START = "start"
    PRO = "pro"
    BUSINESS = "business"


PLAN_PLATFORMS: dict[Plan, frozenset[Platform]] = {
    Plan.FREE: frozenset(),
    Plan.START: frozenset({Platform.VK}),
    Plan.PRO: frozenset(Platform),
    Plan.BUSINESS: frozenset(Platform),
}


def plan_allows(plan: Plan, platform: Platform) -> bool:
    return platform in PLAN_PLATFORMS[plan]


def check_plan(plan: Plan, platform: Platform, kind: Kind = Kind.INVALID) -> Refused | None:
    """Why the plan excludes the platform (not raised: the publish dialog shows it beside the choice)."""
    if plan_allows(plan, platform):
        return None
    name = LIMITS[platform].display_name
    # The plan travels as its code; render() names it in the reader's language.
    return Refused("plan_excludes_platform", kind, platform=name, plan=plan.value)


def check_size(platform: Platform, size: int, *, telegram_local_server: bool = False) -> Refused | None:
    limit = max_upload_bytes(platform, telegram_local_server=telegram_local_server)
    if size <= limit:
        return None
    name = LIMITS[platform].display_name
    return Refused(
        "file_too_large", Kind.INVALID, size=format_size(size), platform=name, limit=format_limit(limit)
    )
