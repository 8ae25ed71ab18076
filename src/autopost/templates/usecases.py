"""A workspace's templates and hashtag sets: list, create, change, delete.

Every member reads them (the publish dialog offers them to whoever publishes);
changing them needs Action.EDIT, as publishing does. Another workspace's id is
not found (checked before the role, as everywhere). A text is capped at the
longest description any platform takes: a longer one could never be published
whole. Whether it fits a given platform is the publish dialog's counter and, in
the end, the publish use case's check, as for any typed text.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.platforms.catalog import LIMITS
from autopost.refusals import Kind, Refused
from autopost.templates.models import NAME_MAX, TemplateKind, TextTemplate
from autopost.workspaces.access import Action, Member

TEXT_MAX = max(limits.description_max or 0 for limits in LIMITS.values())

# What platforms make a hashtag of: letters, digits and underscores after the "#" (VK, Telegram).
HASHTAG = re.compile(r"#\w+")
# How hashtags typed in one field are told apart: spaces, commas, semicolons.
SEPARATORS = re.compile(r"[\s,;]+")


def _name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > NAME_MAX:
        raise Refused("template_name_invalid", Kind.INVALID, max=NAME_MAX)
    return name


def _text(text: str) -> str:
    text = text.strip()
    if not text:
        raise Refused("template_text_empty", Kind.INVALID)
    if len(text) > TEXT_MAX:
        raise Refused("template_text_too_long", Kind.INVALID, length=len(text), limit=TEXT_MAX)
    return text


def split_hashtags(typed: str) -> list[str]:
    """Hashtags typed in one field ("#montage, lesson #cut"), one item each, for normalise_hashtags."""
    return [part for part in SEPARATORS.split(typed) if part]


def normalise_hashtags(hashtags: Sequence[str]) -> str:
    """The set as it is inserted: each with its leading #, one space apart, each once (the first
    spelling of tags that differ only in case: platforms treat them as one)."""
    kept: dict[str, str] = {}
    for given in hashtags:
        tag = given.strip()
        if not tag:
            continue
        if any(c.isspace() for c in tag):
            raise Refused("hashtag_has_space", Kind.INVALID, hashtag=tag)
        tag = "#" + tag.lstrip("#")
        if not HASHTAG.fullmatch(tag):
            raise Refused("hashtag_invalid", Kind.INVALID, hashtag=tag)
        kept.setdefault(tag.casefold(), tag)
    if not kept:
        raise Refused("hashtags_empty", Kind.INVALID)
    return _text(" ".join(kept.values()))


def _content(kind: TemplateKind, text: str | None, hashtags: Sequence[str] | None) -> str:
    if kind is TemplateKind.HASHTAGS:
        return normalise_hashtags(hashtags if hashtags is not None else split_hashtags(text or ""))
    return _text(text or "")


async def _check_name_free(
    session: AsyncSession, member: Member, name: str, but: uuid.UUID | None = None
) -> None:
    query = select(TextTemplate.id).where(
        TextTemplate.workspace_id == member.workspace_id, TextTemplate.name == name
    )
    if but is not None:
        query = query.where(TextTemplate.id != but)
    if await session.scalar(query) is not None:
        raise Refused("template_name_taken", Kind.CONFLICT, name=name)


async def list_templates(session: AsyncSession, member: Member) -> list[TextTemplate]:
    """The workspace's templates, then its hashtag sets, each by name."""
    rows = await session.scalars(
        select(TextTemplate)
        .where(TextTemplate.workspace_id == member.workspace_id)
        .order_by(TextTemplate.kind.desc(), TextTemplate.name, TextTemplate.id)
    )
    return list(rows)


async def owned_template(session: AsyncSession, member: Member, template_id: uuid.UUID) -> TextTemplate:
    """The workspace's template (else not found), for a member who may edit (else 403)."""
    template = await session.scalar(
        select(TextTemplate).where(
            TextTemplate.id == template_id, TextTemplate.workspace_id == member.workspace_id
        )
    )
    if template is None:
        raise Refused("not_found", Kind.NOT_FOUND)
    member.require(Action.EDIT)
    return template


async def create_template(
    session: AsyncSession,
    member: Member,
    kind: TemplateKind,
    name: str,
    *,
    text: str | None = None,
    hashtags: Sequence[str] | None = None,
) -> TextTemplate:
    """A new template (its text) or hashtag set (a list, or the hashtags typed in `text`)."""
    member.require(Action.EDIT)
    name = _name(name)
    content = _content(kind, text, hashtags)
    await _check_name_free(session, member, name)
    template = TextTemplate(workspace_id=member.workspace_id, kind=kind, name=name, text=content)
    session.add(template)
    await session.flush()
    return template


async def update_template(
    session: AsyncSession,
    member: Member,
    template_id: uuid.UUID,
    *,
    name: str | None = None,
    text: str | None = None,
    hashtags: Sequence[str] | None = None,
) -> TextTemplate:
    """Another name or content; the kind stays what it was made as."""
    template = await owned_template(session, member, template_id)
    if name is not None:
        name = _name(name)
        await _check_name_free(session, member, name, but=template.id)
        template.name = name
    if text is not None or hashtags is not None:
        template.text = _content(template.kind, text, hashtags)
    await session.flush()
    return template


async def delete_template(session: AsyncSession, member: Member, template_id: uuid.UUID) -> None:
    template = await owned_template(session, member, template_id)
    await session.delete(template)
    await session.flush()
