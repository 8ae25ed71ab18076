"""What POST /api/v1/series and the slot routes take and say."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from autopost.i18n import render
from autopost.platforms.catalog import Platform
from autopost.series.plan import Cadence
from autopost.series.slots import Slot
from autopost.series.usecases import Planned, SeriesAsk


class CadenceIn(BaseModel):
    # Exactly one: every N days (1 = every day), or weekdays (0 = Monday … 6 = Sunday).
    every_days: int | None = None
    weekdays: list[int] | None = Field(default=None, max_length=7)


class SeriesIn(BaseModel):
    clip_ids: list[uuid.UUID] = Field(min_length=1, max_length=100)
    start_date: date
    cadence: CadenceIn
    # Connection id -> "HH:MM", in the workspace's time zone.
    times: dict[uuid.UUID, str] = Field(min_length=1, max_length=20)
    skip_dates: list[date] = Field(default_factory=list, max_length=400)
    # True: answer with the plan and create nothing.
    dry_run: bool = False

    def ask(self) -> SeriesAsk:
        weekdays = None if self.cadence.weekdays is None else frozenset(self.cadence.weekdays)
        return SeriesAsk(
            clip_ids=self.clip_ids,
            start_date=self.start_date,
            cadence=Cadence(every_days=self.cadence.every_days, weekdays=weekdays),
            times=self.times,
            skip_dates=frozenset(self.skip_dates),
        )


class ProblemOut(BaseModel):
    code: str
    message: str


class PlannedOut(BaseModel):
    clip_id: uuid.UUID
    connection_id: uuid.UUID
    platform: Platform
    date: date
    scheduled_at: datetime
    # Why this entry cannot be created (confirming would refuse the series), else null.
    problem: ProblemOut | None
    # The account already has another live publication at this time.
    conflict: bool

    @classmethod
    def of(cls, item: Planned, lang: str) -> PlannedOut:
        problem = item.problem
        return cls(
            clip_id=item.clip.id,
            connection_id=item.connection.id,
            platform=item.connection.platform,
            date=item.day,
            scheduled_at=item.scheduled_at,
            problem=None
            if problem is None
            else ProblemOut(code=problem.code, message=render(problem.code, lang, **problem.params)),
            conflict=item.conflict,
        )


class SlotsIn(BaseModel):
    # Each weekday (0 = Monday) at each time: {"weekdays": [0,1,2,3,4], "times": ["18:00"]}.
    weekdays: list[int] = Field(max_length=7)
    times: list[str] = Field(max_length=12)


class SlotOut(BaseModel):
    weekday: int
    time: str

    @classmethod
    def of(cls, slot: Slot) -> SlotOut:
        return cls(weekday=slot.weekday, time=slot.text)


class NextSlotOut(BaseModel):
    # Null: the account has no slots, or none is free in the next three months.
    scheduled_at: datetime | None
