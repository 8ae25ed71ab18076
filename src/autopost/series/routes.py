"""POST /api/v1/series (plan or confirm a series) and an account's posting slots."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse

from autopost.connections.queries import owned_connection
from autopost.db import utcnow
from autopost.deps import CurrentMember, Reader, RuntimeDep, Work
from autopost.publications.schemas import PublicationOut
from autopost.series import slots as slot_rules
from autopost.series.schemas import NextSlotOut, PlannedOut, SeriesIn, SlotOut, SlotsIn
from autopost.series.usecases import create_series, plan_series

router = APIRouter(prefix="/api/v1", tags=["series"])


@router.post(
    "/series",
    status_code=201,
    response_model=list[PublicationOut],
    responses={200: {"model": list[PlannedOut], "description": "dry_run: the plan, nothing created"}},
)
async def series(
    body: SeriesIn,
    member: CurrentMember,
    lang: Reader,
    work: Work,
    runtime: RuntimeDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> list[PublicationOut] | JSONResponse:
    if body.dry_run:
        plan = await plan_series(work.session, runtime.settings, member, body.ask())
        return JSONResponse([PlannedOut.of(item, lang).model_dump(mode="json") for item in plan])
    publications = await create_series(
        work.session, work.outbox, runtime, member, body.ask(), idempotency_key
    )
    return [PublicationOut.of(p, lang) for p in publications]


@router.get("/connections/{connection_id}/slots")
async def get_slots(connection_id: uuid.UUID, member: CurrentMember, work: Work) -> list[SlotOut]:
    return [SlotOut.of(s) for s in await slot_rules.list_slots(work.session, member, connection_id)]


@router.put("/connections/{connection_id}/slots")
async def put_slots(
    connection_id: uuid.UUID, body: SlotsIn, member: CurrentMember, work: Work
) -> list[SlotOut]:
    wanted = slot_rules.parse_slots(body.weekdays, body.times)
    return [SlotOut.of(s) for s in await slot_rules.set_slots(work.session, member, connection_id, wanted)]


@router.get("/connections/{connection_id}/next-slot")
async def next_slot(
    connection_id: uuid.UUID, member: CurrentMember, work: Work, runtime: RuntimeDep
) -> NextSlotOut:
    connection = await owned_connection(work.session, member, connection_id)
    at = await slot_rules.next_free_slot(work.session, runtime.settings, member, connection, utcnow())
    return NextSlotOut(scheduled_at=at)
