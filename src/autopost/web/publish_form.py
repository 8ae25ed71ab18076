"""The publish dialog: which accounts can be chosen (and why not), reading what the user posted."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from starlette.datastructures import FormData

from autopost.clips.models import Clip, ClipStatus
from autopost.connections.models import Connection, ConnectionStatus
from autopost.i18n import gettext, ngettext
from autopost.platforms.catalog import LIMITS, Platform, caption_text
from autopost.publications.models import Publication, PublicationStatus
from autopost.publications.rules import shape_refusal
from autopost.publications.usecases import TargetChoice
from autopost.refusals import Refused
from autopost.settings import Settings
from autopost.users.plans import check_plan, check_size
from autopost.web.auth import Viewer
from autopost.web.formatting import format_datetime, local_input_value, parse_local
from autopost.web.i18n import refusal_text


@dataclass
class AccountChoice:
    connection: Connection
    disabled_reason: str | None
    checked: bool
    # Where the clip already is on this account (published, scheduled, being published), as the
    # dialog says it: choosing it needs "Publish again".
    already: str | None = None
    again: bool = False
    # Why the last submit could not publish here, shown beside the account.
    problem: str | None = None
    # The account is disabled until it is reconnected: its reason links to the settings.
    reconnect: bool = False


@dataclass
class PlatformGroup:
    """One platform in the dialog: its accounts and the texts that will go there."""

    platform: Platform
    accounts: list[AccountChoice]
    # Set when no account of this platform can be chosen at all (plan, file size).
    blocked: str | None
    title: str
    description: str
    # The texts section stays open across a refused submit: the user had it open, or it has a problem.
    texts_open: bool = False

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
    # "In the next slot": each account at its own next free posting slot.
    slot: bool = False
    when: str = ""
    # The platforms whose texts section was open when the form was sent.
    open_texts: set[str] = field(default_factory=set)

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
            slot=form.get("when") == "slot",
            when=str(form.get("scheduled_at", "")),
            open_texts={str(value) for value in form.getlist("open")},
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


def problems_of(refusal: Refused, lang: str) -> tuple[str | None, dict[uuid.UUID, str]]:
    """Every problem a refused submit carries: the request's own (shown on top) and each account's."""
    general, per_account = [], {}
    for one in (refusal, *refusal.also):
        text = refusal_text(one, lang)
        if isinstance(one.about, uuid.UUID):
            per_account[one.about] = text
        else:
            general.append(text)
    if per_account and not general:
        count = len(per_account)
        general.append(
            ngettext(lang, "Fix the problem marked below", "Fix the {count} problems marked below", count)
        )
    return " ".join(general), per_account


def platform_groups(
    viewer: Viewer,
    clip: Clip,
    connections: list[Connection],
    form: PublishForm,
    taken: dict[uuid.UUID, Publication],
    problems: dict[uuid.UUID, str] | None = None,
) -> list[PlatformGroup]:
    """Every platform, with each connected account and the reason it cannot be chosen, if any."""
    problems = problems or {}
    groups = []
    for platform in Platform:
        refusal = _platform_refusal(viewer, clip, platform)
        blocked = refusal_text(refusal, viewer.lang) if refusal else None
        accounts = []
        for connection in (c for c in connections if c.platform is platform):
            reason = blocked
            reconnect = reason is None and connection.status is not ConnectionStatus.ACTIVE
            if reconnect:
                reason = gettext(viewer.lang, "Needs reconnecting")
            shape = None if reason else shape_refusal(connection, clip)
            if shape:
                reason = refusal_text(shape, viewer.lang)
            chosen = reason is None and connection.id in form.chosen
            already = _already(taken.get(connection.id), viewer)
            again = connection.id in form.again
            problem = problems.get(connection.id)
            accounts.append(AccountChoice(connection, reason, chosen, already, again, problem, reconnect))
        title, description = _default_texts(clip, platform)
        groups.append(
            PlatformGroup(
                platform=platform,
                accounts=accounts,
                blocked=blocked,
                title=form.titles.get(platform, title),
                description=form.descriptions.get(platform, description),
                texts_open=platform.value in form.open_texts or any(a.problem for a in accounts),
            )
        )
    return groups


def _already(publication: Publication | None, viewer: Viewer) -> str | None:
    if publication is None:
        return None
    if publication.status is PublicationStatus.PUBLISHED:
        return gettext(viewer.lang, "The clip is already published to this account.")
    if publication.status is PublicationStatus.AWAITING_APPROVAL:
        return gettext(viewer.lang, "The clip is already awaiting approval for this account.")
    if publication.status is PublicationStatus.SCHEDULED and publication.scheduled_at is not None:
        when = format_datetime(publication.scheduled_at, viewer.zone)
        return gettext(viewer.lang, "The clip is already scheduled here for {when}.", when=when)
    return gettext(viewer.lang, "The clip is already being published to this account.")


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
