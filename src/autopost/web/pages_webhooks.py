"""Settings → Webhooks: the workspace's endpoints, adding one (its secret shown once), pausing,
rotating the secret, deleting, and each endpoint's delivery log with «Retry».

Each action is the webhooks use case the API calls; only members who may manage
the workspace see or change webhooks (the use cases refuse the rest with 403).
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from autopost.i18n import gettext
from autopost.refusals import Kind, Refused
from autopost.web.auth import Page, Viewer
from autopost.web.i18n import refused_text
from autopost.web.templating import render
from autopost.webhooks import usecases
from autopost.webhooks.models import EVENTS, WebhookEndpoint
from autopost.workspaces.access import Action

router = APIRouter(include_in_schema=False)

# A page showing a secret must not be kept by the browser or a proxy.
NO_STORE = {"Cache-Control": "no-store"}


async def _page(
    request: Request,
    viewer: Viewer,
    *,
    notice: dict[str, str] | None = None,
    revealed: tuple[WebhookEndpoint, str] | None = None,
    form: dict[str, object] | None = None,
    status_code: int = 200,
) -> Response:
    endpoints, logs = [], {}
    if viewer.member.may(Action.MANAGE):
        endpoints = await usecases.list_endpoints(viewer.work.session, viewer.member)
        for endpoint in endpoints:
            logs[endpoint.id] = await usecases.list_deliveries(
                viewer.work.session, viewer.member, endpoint.id
            )
    return render(
        request,
        viewer,
        "settings_webhooks.html",
        section="webhooks",
        endpoints=endpoints,
        logs=logs,
        events=EVENTS,
        revealed=revealed,
        form=form or {"url": "", "events": []},
        notice=notice,
        status_code=status_code,
        headers=NO_STORE if revealed else None,
    )


async def _refusal_page(
    request: Request, viewer: Viewer, exc: Refused, form: dict[str, object] | None = None
) -> Response:
    """The page again with why not; a foreign or unknown id stays a 404, as on every route."""
    if exc.kind is Kind.NOT_FOUND:
        raise exc
    status = {Kind.FORBIDDEN: 403, Kind.CONFLICT: 409}.get(exc.kind, 422)
    notice = {"kind": "error", "text": refused_text(exc, viewer.lang)}
    return await _page(request, viewer, notice=notice, form=form, status_code=status)


@router.get("/settings/webhooks", name="settings_webhooks")
async def webhooks_page(request: Request, viewer: Page, retried: bool = False) -> Response:
    notice = {"kind": "ok", "text": gettext(viewer.lang, "Sent again")} if retried else None
    return await _page(request, viewer, notice=notice)


@router.post("/settings/webhooks")
async def add_webhook(request: Request, viewer: Page) -> Response:
    posted = await request.form()
    url, events = str(posted.get("url", "")), [str(e) for e in posted.getlist("events")]
    try:
        made = await usecases.create_endpoint(viewer.work.session, viewer.runtime, viewer.member, url, events)
    except Refused as exc:
        return await _refusal_page(request, viewer, exc, {"url": url, "events": events})
    return await _page(request, viewer, revealed=made)


@router.post("/settings/webhooks/{webhook_id}/rotate")
async def rotate(request: Request, viewer: Page, webhook_id: uuid.UUID) -> Response:
    try:
        rotated = await usecases.rotate_secret(viewer.work.session, viewer.runtime, viewer.member, webhook_id)
    except Refused as exc:
        return await _refusal_page(request, viewer, exc)
    return await _page(request, viewer, revealed=rotated)


@router.post("/settings/webhooks/{webhook_id}/active")
async def set_active(request: Request, viewer: Page, webhook_id: uuid.UUID) -> Response:
    """Pause or resume the endpoint (the form says which)."""
    posted = await request.form()
    try:
        await usecases.update_endpoint(
            viewer.work.session, viewer.member, webhook_id, active=posted.get("active") == "true"
        )
    except Refused as exc:
        return await _refusal_page(request, viewer, exc)
    return RedirectResponse(f"/settings/webhooks#webhook-{webhook_id}", status_code=303)


@router.post("/settings/webhooks/{webhook_id}/delete")
async def delete(request: Request, viewer: Page, webhook_id: uuid.UUID) -> Response:
    try:
        await usecases.delete_endpoint(viewer.work.session, viewer.member, webhook_id)
    except Refused as exc:
        return await _refusal_page(request, viewer, exc)
    return RedirectResponse("/settings/webhooks", status_code=303)


@router.post("/settings/webhooks/{webhook_id}/deliveries/{delivery_id}/retry")
async def retry(request: Request, viewer: Page, webhook_id: uuid.UUID, delivery_id: uuid.UUID) -> Response:
    try:
        await usecases.retry_delivery(
            viewer.work.session, viewer.work.outbox, viewer.member, webhook_id, delivery_id
        )
    except Refused as exc:
        return await _refusal_page(request, viewer, exc)
    return RedirectResponse(f"/settings/webhooks?retried=true#webhook-{webhook_id}", status_code=303)
