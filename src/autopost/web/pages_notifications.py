"""Settings → Notifications: the member's channels (e-mail, Telegram) and linking their Telegram chat.

Each action is a use case of autopost.notifications.usecases; the deep link with its code is
shown once, on the answer to "Link Telegram", never stored in a URL of ours.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from autopost.i18n import gettext
from autopost.notifications import usecases
from autopost.refusals import Kind, Refused
from autopost.web.auth import Page, Viewer
from autopost.web.i18n import refused_text
from autopost.web.templating import render

router = APIRouter(include_in_schema=False)


async def _page(
    request: Request,
    viewer: Viewer,
    notice: dict[str, str] | None = None,
    deep_link: str | None = None,
    status_code: int = 200,
) -> Response:
    chosen = await usecases.preferences(viewer.work.session, viewer.runtime, viewer.member)
    return render(
        request,
        viewer,
        "settings_notifications.html",
        section="notifications",
        prefs=chosen,
        deep_link=deep_link,
        link_minutes=viewer.runtime.settings.notify.link_code_minutes,
        notice=notice,
        status_code=status_code,
    )


@router.get("/settings/notifications", name="settings_notifications")
async def notifications_page(request: Request, viewer: Page, saved: bool = False) -> Response:
    notice = {"kind": "ok", "text": gettext(viewer.lang, "Saved")} if saved else None
    return await _page(request, viewer, notice)


@router.post("/settings/notifications")
async def save(request: Request, viewer: Page) -> Response:
    posted = await request.form()
    await usecases.save_preferences(
        viewer.work.session,
        viewer.member,
        email=posted.get("email") == "on",
        telegram=posted.get("telegram") == "on",
    )
    return RedirectResponse("/settings/notifications?saved=true", status_code=303)


@router.post("/settings/notifications/telegram")
async def link_telegram(request: Request, viewer: Page) -> Response:
    try:
        deep_link = await usecases.telegram_deep_link(viewer.work.session, viewer.runtime, viewer.member)
    except Refused as exc:
        notice = {"kind": "error", "text": refused_text(exc, viewer.lang)}
        status = 409 if exc.kind is Kind.CONFLICT else 502  # not set up / the bot does not answer
        return await _page(request, viewer, notice, status_code=status)
    return await _page(request, viewer, deep_link=deep_link)


@router.post("/settings/notifications/telegram/unlink")
async def unlink_telegram(request: Request, viewer: Page) -> Response:
    await usecases.unlink_telegram(viewer.work.session, viewer.member)
    return RedirectResponse("/settings/notifications?saved=true", status_code=303)
