"""The Clips page: the grid of clip cards, a card's live fragment, and the publish dialog."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from autopost.clips.models import Clip
from autopost.clips.queries import owned_clip
from autopost.connections.queries import list_connections
from autopost.i18n import gettext
from autopost.publications.models import Publication
from autopost.publications.queries import taken_on
from autopost.publications.usecases import publish_clip
from autopost.refusals import Refused
from autopost.series.slots import publish_in_next_slots
from autopost.templates.usecases import list_templates
from autopost.web import publish_form as forms
from autopost.web.auth import Page, Viewer
from autopost.web.formatting import zone_label
from autopost.web.queries import clip_card, clip_cards
from autopost.web.templating import render
from autopost.web.views import publication_view
from autopost.workspaces.access import Action

router = APIRouter(include_in_schema=False)

CARDS_PER_PAGE = 24


@router.get("/", name="clips")
async def clips_page(
    request: Request, viewer: Page, page: Annotated[int, Query(ge=1, le=10_000)] = 1
) -> Response:
    session, member = viewer.work.session, viewer.member
    cards = await clip_cards(
        session, member, viewer.now, limit=CARDS_PER_PAGE + 1, offset=(page - 1) * CARDS_PER_PAGE
    )
    return render(
        request,
        viewer,
        "clips.html",
        section="clips",
        cards=cards[:CARDS_PER_PAGE],
        has_next=len(cards) > CARDS_PER_PAGE,
        page=page,
        page_url=lambda number: f"/?page={number}",
        has_connections=bool(await list_connections(session, member)),
    )


@router.get("/clips/{clip_id}/card", name="clip_card")
async def card_fragment(request: Request, clip_id: uuid.UUID, viewer: Page) -> Response:
    card = await clip_card(viewer.work.session, viewer.member, clip_id, viewer.now)
    return render(request, viewer, "_clip_card.html", card=card)


async def _dialog(
    request: Request, viewer: Viewer, clip: Clip, form: forms.PublishForm, **values: Any
) -> Response:
    settings = viewer.runtime.settings
    return render(
        request,
        viewer,
        "publish_dialog.html",
        clip=clip,
        ready=forms.clip_is_ready(clip),
        groups=await _groups(viewer, clip, form, values.pop("problems", None)),
        snippets=await list_templates(viewer.work.session, viewer.member),
        later=form.later,
        slot=form.slot,
        when_value=form.when or forms.default_local(settings, viewer),
        when_min=forms.earliest_local(settings, viewer),
        zone_name=zone_label(viewer.zone, viewer.now, viewer.lang),
        lead_seconds=settings.min_schedule_lead_seconds,
        results=values.pop("results", None),
        error=values.pop("error", None),
        **values,
    )


async def _groups(
    viewer: Viewer, clip: Clip, form: forms.PublishForm, problems: dict[uuid.UUID, str] | None = None
) -> list[forms.PlatformGroup]:
    session, member = viewer.work.session, viewer.member
    connections = await list_connections(session, member)
    taken = await taken_on(session, member, clip.id)
    return forms.platform_groups(viewer, clip, connections, form, taken, problems)


@router.get("/clips/{clip_id}/publish", name="publish_dialog")
async def publish_dialog(request: Request, clip_id: uuid.UUID, viewer: Page, mode: str = "now") -> Response:
    clip = await owned_clip(viewer.work.session, viewer.member, clip_id, to=Action.EDIT)
    return await _dialog(request, viewer, clip, forms.PublishForm(later=mode == "later"))


@router.post("/clips/{clip_id}/publish")
async def publish(request: Request, clip_id: uuid.UUID, viewer: Page) -> Response:
    """Create the publications; a refusal re-renders the dialog with everything the user typed."""
    session, member = viewer.work.session, viewer.member
    clip = await owned_clip(session, member, clip_id, to=Action.EDIT)
    form = forms.PublishForm.parse(await request.form())
    groups = await _groups(viewer, clip, form)
    scheduled_at = forms.scheduled_at(form, viewer)
    if form.later and scheduled_at is None:
        return await _dialog(
            request, viewer, clip, form, error=gettext(viewer.lang, "Choose the date and time")
        )
    targets, outbox = forms.targets_of(form, groups), viewer.work.outbox
    try:
        if form.slot:
            publications = await publish_in_next_slots(
                session, outbox, viewer.runtime, member, clip.id, targets
            )
        else:
            publications = await publish_clip(
                session, outbox, viewer.runtime, member, clip.id, targets, scheduled_at
            )
    except Refused as exc:
        error, problems = forms.problems_of(exc, viewer.lang)
        return await _dialog(request, viewer, clip, form, error=error, problems=problems)
    return await _published(request, viewer, clip, form, groups, publications)


async def _published(
    request: Request,
    viewer: Viewer,
    clip: Clip,
    form: forms.PublishForm,
    groups: list[forms.PlatformGroup],
    publications: list[Publication],
) -> Response:
    """The dialog lists what was created; the clip's card is swapped in out of band."""
    connections = {a.connection.id: a.connection for g in groups for a in g.accounts}
    results = [publication_view(p, connections.get(p.connection_id), viewer.now) for p in publications]
    card = await clip_card(viewer.work.session, viewer.member, clip.id, viewer.now)
    return await _dialog(request, viewer, clip, form, results=results, card=card)
