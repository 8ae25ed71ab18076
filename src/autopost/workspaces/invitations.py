"""Inviting people to a workspace by e-mail, and accepting, revoking and resending invitations.

An owner (Action.MANAGE) invites an e-mail address with a role; the address gets
a single-use link `<public_url>/invite/<token>` that works for
settings.invitation_ttl_days. Only the token's SHA-256 is stored, so the link
exists in the mail alone: a resend makes a new token and the old link dies.
Whoever opens the link must be signed in with the invited address (or sign up
with it) to join.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta
from enum import StrEnum

import aiosmtplib
import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.db import utcnow
from autopost.i18n import gettext, ngettext, pick_language, render
from autopost.mail import Mail, mail_configured, send_mail
from autopost.refusals import Kind, Refused
from autopost.settings import Settings
from autopost.users.models import User
from autopost.users.plans import Plan
from autopost.users.service import create_user, normalize_email
from autopost.workspaces.access import Action, Member
from autopost.workspaces.audit import AuditAction, audit
from autopost.workspaces.models import Invitation, Membership, Role, Workspace

log = structlog.get_logger(__name__)

EMAIL_MAX = 320


class InvitationState(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REVOKED = "revoked"
    EXPIRED = "expired"


def state_of(invitation: Invitation) -> InvitationState:
    if invitation.accepted_at is not None:
        return InvitationState.ACCEPTED
    if invitation.revoked_at is not None:
        return InvitationState.REVOKED
    if invitation.expires_at <= utcnow():
        return InvitationState.EXPIRED
    return InvitationState.PENDING


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token(invitation: Invitation, settings: Settings) -> str:
    """A fresh secret for the link; the invitation keeps its hash and a new expiry."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    invitation.token_hash = _hash(token)
    invitation.sent_at = now
    invitation.expires_at = now + timedelta(days=settings.invitation_ttl_days)
    return token


def invitation_link(settings: Settings, token: str) -> str:
    return f"{settings.public_url.rstrip('/')}/invite/{token}"


def _mail(settings: Settings, member: Member, invitation: Invitation, token: str) -> Mail:
    """The invitation in the inviter's language (the invitee has no language of theirs here yet)."""
    lang = pick_language(None, member.user.locale)
    days = max(1, round(settings.invitation_ttl_days))
    params = {
        "inviter": member.user.email,
        "workspace": member.workspace.name,
        "role": render(f"role.{invitation.role.value}", lang),
    }
    subject = gettext(lang, "{inviter} invites you to {workspace} in ClipMaker · Autopost", **params)
    text = "\n\n".join(
        (
            gettext(lang, "{inviter} invites you to the workspace {workspace} as {role}.", **params),
            gettext(lang, "Open this link to join:") + "\n" + invitation_link(settings, token),
            ngettext(
                lang,
                "The link works once and for {count} day.",
                "The link works once and for {count} days.",
                days,
            ),
            gettext(lang, "If you did not expect this invitation, ignore this mail."),
        )
    )
    return Mail(to=invitation.email, subject=subject, text=text)


async def _send(settings: Settings, member: Member, invitation: Invitation, token: str) -> None:
    """Mail the link; a refusing SMTP server refuses the invitation (its transaction rolls back)."""
    try:
        await send_mail(settings, _mail(settings, member, invitation, token))
    except (aiosmtplib.SMTPException, OSError) as exc:
        log.warning("invitation_mail_failed", invitation_id=str(invitation.id), error=type(exc).__name__)
        raise Refused("invitation_mail_failed", Kind.UNAVAILABLE) from exc


def _mailable(email: str) -> str:
    """One plain address: it becomes the mail's To header and the SMTP recipient, so no spaces, line
    breaks or a second @ (a header injection, or a refusal from the SMTP server)."""
    email = normalize_email(email)
    local, _, domain = email.partition("@")
    plain = all(c.isprintable() and not c.isspace() and c not in '<>()[],;:"\\' for c in email)
    if not plain or "@" in domain or "." not in domain.strip(".") or len(email) > EMAIL_MAX or not local:
        raise Refused("email_invalid", Kind.INVALID, email=email)
    return email


async def invite(
    session: AsyncSession, settings: Settings, member: Member, email: str, role: Role
) -> Invitation:
    """Invite an e-mail address to the member's workspace with `role`, by mail."""
    member.require(Action.MANAGE)
    if not mail_configured(settings):
        raise Refused("mail_not_configured", Kind.UNAVAILABLE)
    email = _mailable(email)
    joined = await session.scalar(
        select(Membership.id)
        .join(User, User.id == Membership.user_id)
        .where(Membership.workspace_id == member.workspace_id, User.email == email)
    )
    if joined is not None:
        raise Refused("member_exists", Kind.CONFLICT, email=email)
    if any(i.email == email for i in await pending_invitations(session, member)):
        raise Refused("invitation_pending", Kind.CONFLICT, email=email)
    invitation = Invitation(
        workspace_id=member.workspace_id,
        email=email,
        role=role,
        invited_by_id=member.user.id,
        invited_by_email=member.user.email,
    )
    token = _new_token(invitation, settings)
    session.add(invitation)
    audit(session, member, AuditAction.INVITED, email=email, role=role.value)
    await session.flush()
    await _send(settings, member, invitation, token)
    return invitation


async def pending_invitations(session: AsyncSession, member: Member) -> list[Invitation]:
    """The workspace's invitations nobody has used, revoked or let expire yet, oldest first."""
    member.require(Action.MANAGE)
    rows = await session.scalars(
        select(Invitation)
        .where(
            Invitation.workspace_id == member.workspace_id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > utcnow(),
        )
        .order_by(Invitation.created_at, Invitation.id)
    )
    return list(rows)


async def _owned(session: AsyncSession, member: Member, invitation_id: uuid.UUID) -> Invitation:
    """The workspace's own invitation, still pending; another workspace's is not found."""
    found = await session.scalar(
        select(Invitation).where(
            Invitation.id == invitation_id, Invitation.workspace_id == member.workspace_id
        )
    )
    if found is None:
        raise Refused("not_found", Kind.NOT_FOUND)
    member.require(Action.MANAGE)
    if state_of(found) is not InvitationState.PENDING:
        raise Refused(f"invitation_{state_of(found).value}", Kind.CONFLICT)
    return found


async def revoke(session: AsyncSession, member: Member, invitation_id: uuid.UUID) -> Invitation:
    invitation = await _owned(session, member, invitation_id)
    invitation.revoked_at = utcnow()
    audit(session, member, AuditAction.INVITATION_REVOKED, email=invitation.email)
    await session.flush()
    return invitation


async def resend(
    session: AsyncSession, settings: Settings, member: Member, invitation_id: uuid.UUID
) -> Invitation:
    """Mail a new link (the old one stops working) that is good for the full time again."""
    invitation = await _owned(session, member, invitation_id)
    if not mail_configured(settings):
        raise Refused("mail_not_configured", Kind.UNAVAILABLE)
    token = _new_token(invitation, settings)
    await session.flush()
    await _send(settings, member, invitation, token)
    return invitation


async def find_invitation(session: AsyncSession, token: str, *, lock: bool = False) -> Invitation:
    """The invitation of a link's token; an unknown token is not found."""
    query = select(Invitation).where(Invitation.token_hash == _hash(token))
    # Two tabs accepting one link at once: the row serializes them (PostgreSQL).
    found = await session.scalar(query.with_for_update() if lock else query)
    if found is None:
        raise Refused("invitation_unknown", Kind.NOT_FOUND)
    return found


def _require_pending(invitation: Invitation) -> None:
    state = state_of(invitation)
    if state is not InvitationState.PENDING:
        raise Refused(f"invitation_{state.value}", Kind.CONFLICT)


async def accept(session: AsyncSession, user: User, token: str) -> Member:
    """The signed-in user with the invited address joins with the invited role; the link is spent."""
    invitation = await find_invitation(session, token, lock=True)
    _require_pending(invitation)
    if user.email != invitation.email:
        raise Refused("invitation_other_email", Kind.FORBIDDEN, email=invitation.email)
    workspace = await session.get(Workspace, invitation.workspace_id)
    assert workspace is not None  # the invitation's foreign key
    joined = await session.scalar(
        select(Membership.id).where(Membership.workspace_id == workspace.id, Membership.user_id == user.id)
    )
    if joined is not None:
        raise Refused("member_exists", Kind.CONFLICT, email=user.email)
    invitation.accepted_at = utcnow()
    session.add(Membership(workspace_id=workspace.id, user_id=user.id, role=invitation.role))
    member = Member(user, workspace, invitation.role)
    audit(session, member, AuditAction.JOINED, role=invitation.role.value)
    await session.flush()
    return member


async def sign_up_and_accept(session: AsyncSession, token: str, password: str) -> Member:
    """Someone new signs up with the invited address (and a personal workspace of their own) and joins."""
    invitation = await find_invitation(session, token, lock=True)
    _require_pending(invitation)
    user, _ = await create_user(session, invitation.email, plan=Plan.FREE, password=password)
    return await accept(session, user, token)
