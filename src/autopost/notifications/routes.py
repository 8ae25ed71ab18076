"""The caller's notification settings: channels per workspace, and linking their Telegram chat."""

from __future__ import annotations

from fastapi import APIRouter, Response

from autopost.deps import CurrentMember, RuntimeDep, Work
from autopost.notifications import usecases
from autopost.notifications.schemas import PreferencesIn, PreferencesOut, TelegramLinkOut

router = APIRouter(tags=["notifications"])


@router.get("/api/v1/notifications/preferences")
async def get_preferences(member: CurrentMember, work: Work, runtime: RuntimeDep) -> PreferencesOut:
    return PreferencesOut.of(await usecases.preferences(work.session, runtime, member))


@router.put("/api/v1/notifications/preferences")
async def put_preferences(
    body: PreferencesIn, member: CurrentMember, work: Work, runtime: RuntimeDep
) -> PreferencesOut:
    await usecases.save_preferences(work.session, member, email=body.email, telegram=body.telegram)
    return PreferencesOut.of(await usecases.preferences(work.session, runtime, member))


@router.post("/api/v1/notifications/telegram", status_code=201)
async def link_telegram(member: CurrentMember, work: Work, runtime: RuntimeDep) -> TelegramLinkOut:
    return TelegramLinkOut(url=await usecases.telegram_deep_link(work.session, runtime, member))


@router.delete("/api/v1/notifications/telegram", status_code=204)
async def unlink_telegram(member: CurrentMember, work: Work) -> Response:
    await usecases.unlink_telegram(work.session, member)
    return Response(status_code=204)
