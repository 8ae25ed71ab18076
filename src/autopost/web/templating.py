"""The Jinja2 environment: templates, gettext for the reader's language, formatting helpers, responses.

jinja2.ext.i18n provides `_()` and `ngettext()`; the callables installed here
translate with the catalog of the page's `lang` (each request renders with its
reader's language) and fill `{name}` parameters as autopost.i18n does.
`msg(code)` renders a code of the code table (plan and status names).
"""

from __future__ import annotations

import functools
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2
from babel.dates import format_date
from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.responses import Response

from autopost import i18n
from autopost.clips.media import sign_media_token
from autopost.connections.models import Connection, connection_error
from autopost.db import utcnow
from autopost.platforms.catalog import Platform
from autopost.publications.models import Publication, publication_error
from autopost.users.plans import Plan
from autopost.web import formatting
from autopost.web.auth import Viewer
from autopost.web.i18n import plans_text
from autopost.web.links import post_href, web_url
from autopost.web.marks import platform_mark, platform_name
from autopost.web.sparkline import sparkline
from autopost.workspaces.access import Action

TEMPLATES = Path(__file__).parent / "templates"
STATIC_VERSION = "3"


@jinja2.pass_context
def _gettext(context: Any, msgid: str, **params: Any) -> str:
    return i18n.gettext(context["lang"], msgid, **params)


@jinja2.pass_context
def _pgettext(context: Any, msgctxt: str, msgid: str, **params: Any) -> str:
    return i18n.pgettext(context["lang"], msgctxt, msgid, **params)


@jinja2.pass_context
def _ngettext(context: Any, singular: str, plural: str, n: int, **params: Any) -> str:
    return i18n.ngettext(context["lang"], singular, plural, n, **params)


@jinja2.pass_context
def _msg(context: Any, code: str, **params: Any) -> str:
    return i18n.render(code, context["lang"], **params)


@jinja2.pass_context
def _error_of(context: Any, publication: Publication) -> str | None:
    return publication_error(publication, context["lang"])


@jinja2.pass_context
def _connection_error(context: Any, connection: Connection) -> str | None:
    return connection_error(connection, context["lang"])


@jinja2.pass_context
def _platform_name(context: Any, platform: Platform) -> str:
    return platform_name(platform, context["lang"])


@jinja2.pass_context
def _mark(context: Any, platform: Platform, size: int = 20) -> Markup:
    return platform_mark(platform, context["lang"], size)


@jinja2.pass_context
def _dt(context: Any, value: datetime | None) -> str:
    return formatting.format_datetime(value, context["zone"]) if value else "—"


@jinja2.pass_context
def _day_label(context: Any, value: date, pattern: str) -> str:
    """A calendar day in the reader's language: a short weekday, "30 November", "November 2026"."""
    return format_date(value, pattern, locale=context["lang"])


@jinja2.pass_context
def _ago(context: Any, value: datetime | None) -> str:
    return formatting.format_relative(value, utcnow(), context["lang"]) if value else "—"


@jinja2.pass_context
def _num(context: Any, value: int | None) -> str:
    return formatting.format_count(value, context["lang"])


@jinja2.pass_context
def _size(context: Any, value: int | None) -> str:
    return formatting.format_size_for(value, context["lang"])


@jinja2.pass_context
def _size_limit(context: Any, value: int) -> str:
    return formatting.format_limit_for(value, context["lang"])


@jinja2.pass_context
def _plans(context: Any, plans: list[Plan]) -> str:
    return plans_text(plans, context["lang"])


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(),
        # A misspelt variable fails loudly in tests instead of rendering as nothing.
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # Old-style callables: they are called as they are (ours fill `{name}` parameters themselves).
    env.install_gettext_callables(  # type: ignore[attr-defined]
        _gettext, _ngettext, newstyle=False, pgettext=_pgettext
    )
    env.globals.update(
        msg=_msg,
        error_of=_error_of,
        connection_error=_connection_error,
        dt=_dt,
        ago=_ago,
        day_label=_day_label,
        num=_num,
        size=_size,
        size_limit=_size_limit,
        plans_text=_plans,
        spark=sparkline,
        duration=formatting.format_duration,
        mark=_mark,
        platform_name=_platform_name,
        static_version=STATIC_VERSION,
        web_url=web_url,
        post_href=post_href,
    )
    return env


templates = Jinja2Templates(env=_environment())


def base_context(viewer: Viewer) -> dict[str, Any]:
    return {
        "user": viewer.user,
        "member": viewer.member,
        "workspace": viewer.member.workspace,
        "workspaces": viewer.workspaces,
        # What the viewer's role allows: pages leave out what the use case would refuse.
        "can": {action.value: viewer.member.may(action) for action in Action},
        "lang": viewer.lang,
        "zone": viewer.zone,
        "csrf": viewer.csrf,
        "post_page_url": viewer.runtime.settings.post_page_url,
        "notice": None,
        "max_clip_bytes": viewer.runtime.settings.max_clip_bytes,
        "upload_chunk_bytes": viewer.runtime.settings.upload_chunk_bytes,
        "media_src": functools.partial(_media_src, viewer.runtime.settings.resolved_secret_key()),
    }


def _media_src(secret: str, clip_id: uuid.UUID) -> str:
    """The clip's signed /media path: same origin (the CSP allows no other), expiring, shareable."""
    return f"/media/{sign_media_token(secret, clip_id)}"


def render(
    request: Request,
    viewer: Viewer,
    name: str,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **values: Any,
) -> Response:
    """A page or fragment for the signed-in viewer."""
    back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    context = {**base_context(viewer), "section": None, "back_path": back, **values}
    return templates.TemplateResponse(request, name, context, status_code=status_code, headers=headers)


def render_anonymous(request: Request, name: str, lang: str, **values: Any) -> Response:
    context: dict[str, Any] = {
        "user": None,
        "member": None,
        "workspace": None,
        "workspaces": [],
        "can": {},
        "lang": lang,
        "zone": formatting.user_zone(None),
        "csrf": "",
        "notice": None,
        "section": None,
        "back_path": "/",
    }
    return templates.TemplateResponse(request, name, {**context, **values})


def notice_html(text: str, kind: str = "ok") -> Markup:
    """An out-of-band update of the page's notice area (aria-live), sent along with a fragment."""
    return Markup(
        '<div id="notice" hx-swap-oob="innerHTML"><p class="notice notice-{kind}">{text}</p></div>'
    ).format(kind=kind, text=text)
