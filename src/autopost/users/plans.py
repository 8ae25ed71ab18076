"""Plans as data: which platforms each plan may publish to."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from autopost.i18n import render
from autopost.platforms.catalog import Platform, max_upload_bytes


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


@dataclass(frozen=True)
class Refusal:
    """Why a clip cannot go to a platform: a stable code and the parameters of its message."""

    code: str
    params: dict[str, object] = field(default_factory=dict)

    def render(self, lang: str = "ru") -> str:
        return render(self.code, lang, **self.params)

    @property
    def message(self) -> str:
        return self.render("ru")


def plan_allows(plan: Plan, platform: Platform) -> bool:
    return platform in PLAN_PLATFORMS[plan]


def check_plan(plan: Plan, platform: Platform) -> Refusal | None:
    if plan_allows(plan, platform):
        return None
    # Plan and platform travel as codes; render() names them in the reader's language.
    return Refusal("plan_excludes_platform", {"platform": platform.value, "plan": plan.value})


def check_size(platform: Platform, size: int, *, telegram_local_server: bool = False) -> Refusal | None:
    limit = max_upload_bytes(platform, telegram_local_server=telegram_local_server)
    if size <= limit:
        return None
    # Raw bytes: the sizes are written out when the text is rendered, in the reader's language.
    return Refusal("file_too_large", {"size_bytes": size, "platform": platform.value, "limit_bytes": limit})
