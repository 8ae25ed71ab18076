"""The publish dialog: which accounts can be chosen (and why not), reading what the user posted."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from starlette.datastructures import FormData

from autopost.clips.models import Clip, ClipStatus
from autopost.connections.models import Connection, ConnectionStatus
from autopost.i18n import gettext
from autopost.platforms.catalog import LIMITS, Platform, caption_text
from autopost.publications.usecases import TargetChoice
from autopost.refusals import Refused
from autopost.settings import Settings
from autopost.users.plans import check_plan, check_size
from autopost.web.auth import Viewer
from autopost.web.formatting import local_input_value, parse_local
from autopost.web.i18n import refusal_text


@dataclass
class AccountChoice:
    connection: Connection
    disabled_reason: str | None
    checked: bool
    # The clip is already published here: choosing it needs "Publish again".
    published: bool = False
    again: bool = False


@dataclass
class PlatformGroup:
    """One platform in the dialog: its accounts and the texts that will go there."""

    platform: Platform
    accounts: list[AccountChoice]
    # Set when no account of this platform can be chosen at all (plan, file size).
    blocked: str | None
    title: str
    description: str

    @property
    def title_max(self) -> int | None:
        return LIMITS[self.platform].title_max

    @property
    def description_max(self) -> int | None:
        return LIMITS[self.platform].description_max

    @property
    def single_caption(self) -> bool:
        """Telegram: no title, one caption (title and description joined, as it is sent)."""
        return self.title_max is None

    @property
    def selectable(self) -> bool:
        return any(a.disabled_reason is None for a in self.accounts)


@dataclass
class PublishForm:
    """What the user has chosen and typed (kept across a refusal)."""

    chosen: set[uuid.UUID] = field(default_factory=set)
    again: set[uuid.UUID] = field(default_factory=set)
    titles: dict[Platform, str] = field(default_factory=dict)
    descriptions: dict[Platform, str] = field(default_factory=dict)
    later: bool = False
    when: str = ""

    @classmethod
    def parse(cls, form: FormData) -> PublishForm:
        titles, descriptions = {}, {}
        for platform in Platform:
            if f"title_{platform.value}" in form:
                titles[platform] = str(form[f"title_{platform.value}"])
            if f"description_{platform.value}" in form:
                descriptions[platform] = str(form[f"description_{platform.value}"])
        return cls(
            chosen=_ids(form.getlist("account")),
            again=_ids(form.getlist("again")),
            titles=titles,
            descriptions=descriptions,
            later=form.get("when") == "later",
            when=str(form.get("scheduled_at", "")),
        )


def _ids(values: Sequence[object]) -> set[uuid.UUID]:
    ids = set()
    for value in values:
        try:
            ids.add(uuid.UUID(str(value)))
        except ValueError:
            continue
    return ids


def _platform_refusal(viewer: Viewer, clip: Clip, platform: Platform) -> Refused | None:
    settings = viewer.runtime.settings
    return check_plan(viewer.member.workspace.plan, platform) or check_size(
        platform, clip.size_bytes or 0, telegram_local_server=settings.telegram.local_server
    )


def _default_texts(clip: Clip, platform: Platform) -> tuple[str, str]:
    if LIMITS[platform].title_max is None:
        return "", caption_text(clip.title, clip.description)
    return clip.title, clip.description


def platform_groups(
    viewer: Viewer,
    clip: Clip,
    connections: list[Connection],
    form: PublishForm,
    published_to: set[uuid.UUID],
) -> list[PlatformGroup]:
    """Every platform, with each connected account and the reason it cannot be chosen, if any."""
    groups = []
    for platform in Platform:
        refusal = _platform_refusal(viewer, clip, platform)
        blocked = refusal_text(refusal, viewer.lang) if refusal else None
        accounts = []
        for connection in (c for c in connections if c.platform is platform):
            reason = blocked
            if reason is None and connection.status is not ConnectionStatus.ACTIVE:
                reason = gettext(viewer.lang, "Needs reconnecting")
            chosen = reason is None and connection.id in form.chosen
            published = connection.id in published_to
            accounts.append(AccountChoice(connection, reason, chosen, published, connection.id in form.again))
        title, description = _default_texts(clip, platform)
        groups.append(
            PlatformGroup(
                platform=platform,
                accounts=accounts,
                blocked=blocked,
                title=form.titles.get(platform, title),
                description=form.descriptions.get(platform, description),
            )
        )
    return groups


def targets_of(form: PublishForm, groups: list[PlatformGroup]) -> list[TargetChoice]:
    """The chosen accounts with the texts typed for their platform (disabled ones are ignored)."""
    return [
        TargetChoice(account.connection.id, group.title, group.description, again=account.again)
        for group in groups
        for account in group.accounts
        if account.connection.id in form.chosen and account.disabled_reason is None
    ]


def earliest_local(settings: Settings, viewer: Viewer) -> str:
    """The datetime-local `min`: now plus the minimum lead, rounded up to a whole minute."""
    earliest = viewer.now + timedelta(seconds=settings.min_schedule_lead_seconds)
    if earliest.second or earliest.microsecond:
        earliest = earliest.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return local_input_value(earliest, viewer.zone)


def default_local(settings: Settings, viewer: Viewer) -> str:
    """A sensible first suggestion: an hour from now, on the hour or half hour."""
    start = viewer.now + timedelta(hours=1, seconds=settings.min_schedule_lead_seconds)
    start = start.replace(minute=0 if start.minute < 30 else 30, second=0, microsecond=0)
    return local_input_value(start, viewer.zone)


def scheduled_at(form: PublishForm, viewer: Viewer) -> datetime | None:
    return parse_local(form.when, viewer.zone) if form.later else None


def clip_is_ready(clip: Clip) -> bool:
    return clip.status is ClipStatus.READY
