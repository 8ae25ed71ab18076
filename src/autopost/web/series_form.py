"""The series dialog's form: what the user chose (kept across a refusal) and the ask it makes."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from starlette.datastructures import ImmutableMultiDict

from autopost.connections.models import Connection, ConnectionStatus
from autopost.i18n import gettext
from autopost.refusals import Refused
from autopost.series.plan import Cadence
from autopost.series.usecases import SeriesAsk
from autopost.users.plans import plan_allows
from autopost.web.auth import Viewer

DEFAULT_TIME = "18:00"
WEEKDAYS = range(7)
_DAY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


class FormProblem(Exception):
    """What the form could not read, as the sentence to show above it."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


@dataclass
class SeriesForm:
    clip_ids: list[uuid.UUID]
    start: str
    # "daily", "every" (every N days) or "weekdays".
    cadence: str = "daily"
    every_days: str = "2"
    weekdays: set[int] = field(default_factory=lambda: set(range(5)))
    chosen: set[uuid.UUID] = field(default_factory=set)
    times: dict[uuid.UUID, str] = field(default_factory=dict)
    skip: str = ""
    # The dialog's Idempotency-Key: a second click on Schedule repeats, never doubles.
    key: str = field(default_factory=lambda: uuid.uuid4().hex)

    @classmethod
    def fresh(
        cls, viewer: Viewer, clip_ids: list[uuid.UUID], connections: Sequence[Connection]
    ) -> SeriesForm:
        """Tomorrow, every day, every account that can take clips, each at its first slot or 18:00."""
        tomorrow = (viewer.now.astimezone(viewer.zone) + timedelta(days=1)).date()
        usable = [c for c in connections if usable_account(viewer, c)]
        return cls(
            clip_ids=clip_ids,
            start=tomorrow.isoformat(),
            chosen={c.id for c in usable},
            times={c.id: DEFAULT_TIME for c in connections},
        )

    @classmethod
    def parse(cls, form: ImmutableMultiDict[str, Any]) -> SeriesForm:
        """The dialog's fields (a POST form), or the clips the clips page sends (a query string)."""
        return cls(
            clip_ids=_ids(form.getlist("clip")),
            start=str(form.get("start_date", "")),
            cadence=str(form.get("cadence", "daily")),
            every_days=str(form.get("every_days", "2")),
            weekdays={
                int(v) for v in form.getlist("weekday") if str(v).isdigit() and int(str(v)) in WEEKDAYS
            },
            chosen=set(_ids(form.getlist("account"))),
            times={
                uuid.UUID(name[5:]): str(value)
                for name, value in form.items()
                if name.startswith("time_") and _is_id(name[5:])
            },
            skip=str(form.get("skip_dates", ""))[:2000],
            key=str(form.get("key", ""))[:64] or uuid.uuid4().hex,
        )

    def ask(self, lang: str) -> SeriesAsk:
        """The use case's ask; what cannot be read is refused with a message for the form."""
        try:
            start = date.fromisoformat(self.start)
        except ValueError:
            raise FormProblem(gettext(lang, "Choose the start date")) from None
        return SeriesAsk(
            clip_ids=self.clip_ids,
            start_date=start,
            cadence=self._cadence(lang),
            times={cid: self.times.get(cid, DEFAULT_TIME) for cid in self.chosen},
            skip_dates=frozenset(skip_dates(self.skip, lang)),
        )

    def _cadence(self, lang: str) -> Cadence:
        if self.cadence == "weekdays":
            return Cadence(weekdays=frozenset(self.weekdays))
        if self.cadence == "every":
            if not self.every_days.isdigit():
                raise Refused("series_cadence_invalid")
            return Cadence(every_days=int(self.every_days))
        return Cadence(every_days=1)


def usable_account(viewer: Viewer, connection: Connection) -> bool:
    """Chosen by default: active and on the workspace's plan (the rest the preview explains)."""
    allowed = plan_allows(viewer.member.workspace.plan, connection.platform)
    return connection.status is ConnectionStatus.ACTIVE and allowed


def skip_dates(text: str, lang: str) -> list[date]:
    """Dates to skip as the user types them: 31.12.2026 or 2026-12-31, by commas or spaces."""
    found = []
    for word in re.split(r"[\s,;]+", text.strip()):
        if not word:
            continue
        match = _DAY.match(word)
        try:
            if match:
                found.append(date(int(match[3]), int(match[2]), int(match[1])))
            else:
                found.append(date.fromisoformat(word))
        except ValueError:
            raise FormProblem(gettext(lang, "{value} is not a date", value=word[:20])) from None
    return found


def _is_id(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _ids(values: Sequence[object]) -> list[uuid.UUID]:
    """Ids in the order given, each once (a clip ticked twice is one clip)."""
    ids: list[uuid.UUID] = []
    for value in values:
        if _is_id(str(value)) and uuid.UUID(str(value)) not in ids:
            ids.append(uuid.UUID(str(value)))
    return ids
