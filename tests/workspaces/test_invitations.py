"""Invitations on both databases: the owner invites an address, the link arrives in the local SMTP
mailbox, the invited user accepts it once; expired, revoked, replaced and someone else's links are
refused; a stranger signs up with the invited address; only owners invite."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.db import utcnow
from autopost.security.sessions import SESSION_COOKIE
from autopost.web.auth import WORKSPACE_COOKIE
from autopost.workspaces.models import Invitation
from autopost_sandbox.mailbox import Mailbox
from tests.support.api import Api, start_api
from tests.support.mail import invitation_token
from tests.web.support import PASSWORD, csrf_of, in_database, login, new_user
from tests.workspaces.support import add_member, workspace_of


def _invite(api: Api, owner: str, workspace: str, email: str, role: str = "editor") -> dict[str, object]:
    with api.client(owner) as client:
        made = client.post(f"/api/v1/workspaces/{workspace}/members", json={"email": email, "role": role})
    assert made.status_code == 201, made.text
    return dict(made.json())


def _join(api: Api, token: str, link: str) -> tuple[int, str]:
    with api.client(token) as client:
        answer = client.post("/api/v1/workspaces/join", json={"token": link})
    code = answer.json().get("error", {}).get("code", "") if answer.status_code != 200 else ""
    return answer.status_code, code


def _stored(api: Api, invitation_id: object) -> Invitation:
    async def work(session: AsyncSession) -> Invitation:
        found = await session.get(Invitation, uuid.UUID(str(invitation_id)))
        assert found is not None
        return found

    return in_database(api.settings, work)


def test_an_invitation_is_mailed_and_its_link_joins_once(api: Api, mailbox: Mailbox) -> None:
    owner_email, owner = new_user(api)
    invitee, _ = new_user(api)
    workspace = workspace_of(api, owner)
    made = _invite(api, owner, workspace, invitee.upper(), "approver")
    assert (made["email"], made["role"], made["status"], made["invited_by"]) == (
        invitee,
        "approver",
        "pending",
        owner_email,
    )
    [mail] = mailbox.mails(invitee)
    link = invitation_token(mailbox, invitee)
    # The link goes by mail only: not in the answer, and only its hash is stored.
    assert link not in str(made) and "token" not in made
    stored = _stored(api, made["id"])
    assert stored.token_hash == hashlib.sha256(link.encode()).hexdigest() != link
    assert f"{api.settings.public_url}/invite/{link}" in mail.text
    assert owner_email in mail.subject and "приглашает" in mail.subject  # the inviter's language
    assert "Согласующий" in mail.text and "7 дней" in mail.text
    with api.client(owner) as client:
        pending = client.get(f"/api/v1/workspaces/{workspace}/invitations").json()
        assert [p["email"] for p in pending] == [invitee]

    with login(api, invitee) as browser:
        page = browser.get(f"/invite/{link}")
        assert page.status_code == 200 and "Присоединиться" in page.text, page.text
        joined = browser.post(f"/invite/{link}", data={"csrf_token": csrf_of(page.text)})
        assert joined.status_code == 303 and joined.headers["location"] == "/"
        assert browser.cookies.get(WORKSPACE_COOKIE) == workspace
        again = browser.post(f"/invite/{link}", data={"csrf_token": csrf_of(page.text)})
        assert again.status_code == 410 and "работает один раз" in again.text
        used = browser.get(f"/invite/{link}")
        assert used.status_code == 410 and "работает один раз" in used.text
    with api.client(owner) as client:
        members = client.get(f"/api/v1/workspaces/{workspace}/members").json()
        assert [(m["email"], m["role"]) for m in members] == [(owner_email, "owner"), (invitee, "approver")]
        assert client.get(f"/api/v1/workspaces/{workspace}/invitations").json() == []
        twice = client.post(
            f"/api/v1/workspaces/{workspace}/members", json={"email": invitee, "role": "viewer"}
        )
        assert twice.status_code == 409 and twice.json()["error"]["code"] == "member_exists"


def test_expired_revoked_and_replaced_links_are_refused(api: Api, mailbox: Mailbox) -> None:
    _, owner = new_user(api)
    workspace = workspace_of(api, owner)
    (late, late_token), (dropped, dropped_token), (resent, resent_token) = (new_user(api) for _ in range(3))
    expiring = _invite(api, owner, workspace, late)
    revoked = _invite(api, owner, workspace, dropped)
    replaced = _invite(api, owner, workspace, resent)
    with api.client(owner) as client:
        base = f"/api/v1/workspaces/{workspace}/invitations"
        pending_twice = client.post(
            f"/api/v1/workspaces/{workspace}/members", json={"email": dropped, "role": "viewer"}
        )
        assert (
            pending_twice.status_code == 409 and pending_twice.json()["error"]["code"] == "invitation_pending"
        )
        assert client.delete(f"{base}/{revoked['id']}").status_code == 204
        assert client.delete(f"{base}/{revoked['id']}").json()["error"]["code"] == "invitation_revoked"
        assert client.post(f"{base}/{revoked['id']}/resend").status_code == 409
        old_link = invitation_token(mailbox, resent)
        again = client.post(f"{base}/{replaced['id']}/resend")
        assert again.status_code == 200 and again.json()["status"] == "pending"

    async def expire(session: AsyncSession) -> None:
        past = utcnow() - timedelta(minutes=1)
        await session.execute(
            update(Invitation).where(Invitation.id == uuid.UUID(str(expiring["id"]))).values(expires_at=past)
        )

    in_database(api.settings, expire)
    assert _join(api, late_token, invitation_token(mailbox, late)) == (409, "invitation_expired")
    assert _join(api, dropped_token, invitation_token(mailbox, dropped)) == (409, "invitation_revoked")
    # A resend mails a new link; the old one is no link any more.
    assert len(mailbox.mails(resent)) == 2
    assert _join(api, resent_token, old_link) == (404, "invitation_unknown")
    with login(api, late) as browser:
        page = browser.get(f"/invite/{invitation_token(mailbox, late)}")
        assert page.status_code == 410 and "Срок ссылки истёк" in page.text
        assert browser.get(f"/invite/{invitation_token(mailbox, dropped)}").status_code == 410
        unknown = browser.get(f"/invite/{old_link}")
        assert unknown.status_code == 404 and "заменило более новое" in unknown.text
    assert _join(api, resent_token, invitation_token(mailbox, resent)) == (200, "")
    with api.client(owner) as client:
        assert client.get(f"/api/v1/workspaces/{workspace}/invitations").json() == []
        roles = {m["email"]: m["role"] for m in client.get(f"/api/v1/workspaces/{workspace}/members").json()}
        assert late not in roles and dropped not in roles and roles[resent] == "editor"


def test_someone_else_cannot_use_the_link(api: Api, mailbox: Mailbox) -> None:
    _, owner = new_user(api)
    workspace = workspace_of(api, owner)
    invitee, invitee_token = new_user(api)
    stranger, stranger_token = new_user(api)
    made = _invite(api, owner, workspace, invitee, "viewer")
    link = invitation_token(mailbox, invitee)
    assert _join(api, stranger_token, link) == (403, "invitation_other_email")
    with login(api, stranger) as browser:
        page = browser.get(f"/invite/{link}")
        assert page.status_code == 200 and f"Вы вошли как {stranger}" in page.text
        refused = browser.post(f"/invite/{link}", data={"csrf_token": csrf_of(page.text)})
        assert refused.status_code == 403 and "войдите с этим адресом" in refused.text
    with api.client(stranger_token) as client:
        assert client.get(f"/api/v1/workspaces/{workspace}").status_code == 404
    assert _stored(api, made["id"]).accepted_at is None
    assert _join(api, invitee_token, link) == (200, "")


def test_a_stranger_signs_up_with_the_invited_address(api: Api, mailbox: Mailbox) -> None:
    owner_email, owner = new_user(api)
    workspace = workspace_of(api, owner)
    newcomer = "newcomer-" + workspace[:8] + "@example.com"
    _invite(api, owner, workspace, newcomer, "editor")
    link = invitation_token(mailbox, newcomer)
    with api.client() as anonymous:
        page = anonymous.get(f"/invite/{link}")
        assert page.status_code == 200 and "Создать аккаунт и присоединиться" in page.text
        assert f'value="{newcomer}" readonly' in page.text
        short = anonymous.post(f"/invite/{link}/sign-up", data={"password": "short"})
        assert short.status_code == 422 and "не короче" in short.text
        made = anonymous.post(f"/invite/{link}/sign-up", data={"password": PASSWORD})
        assert made.status_code == 303, made.text
        assert anonymous.cookies.get(SESSION_COOKIE) and anonymous.cookies.get(WORKSPACE_COOKIE) == workspace
        home = anonymous.get("/")
        assert home.status_code == 200 and f"Клиент: {owner_email}" in home.text
    with api.client() as other_browser:
        used = other_browser.post(f"/invite/{link}/sign-up", data={"password": PASSWORD})
        assert used.status_code == 410 and "работает один раз" in used.text
    with api.client(owner) as client:
        roles = {m["email"]: m["role"] for m in client.get(f"/api/v1/workspaces/{workspace}/members").json()}
        assert roles[newcomer] == "editor"


def test_only_owners_invite_and_see_invitations(api: Api, mailbox: Mailbox) -> None:
    _, owner = new_user(api)
    workspace = workspace_of(api, owner)
    editor, editor_token = new_user(api)
    add_member(api, owner, workspace, editor, "editor")
    made = _invite(api, owner, workspace, "someone@example.com")
    with api.client(editor_token) as client:
        base = f"/api/v1/workspaces/{workspace}"
        for method, path, body in (
            ("POST", f"{base}/members", {"email": "x@example.com", "role": "viewer"}),
            ("GET", f"{base}/invitations", None),
            ("DELETE", f"{base}/invitations/{made['id']}", None),
            ("POST", f"{base}/invitations/{made['id']}/resend", None),
            ("GET", f"{base}/audit", None),
        ):
            refused = client.request(method, path, json=body)
            assert refused.status_code == 403 and refused.json()["error"]["code"] == "role_forbids", path
    with login(api, editor) as browser:
        browser.cookies.set(WORKSPACE_COOKIE, workspace, domain="127.0.0.1")
        page = browser.get("/settings/members").text
        assert editor in page and "someone@example.com" not in page and "/settings/members/invite" not in page
        assert 'href="/settings/audit"' not in page
    assert len(mailbox.mails("x@example.com")) == 0


@pytest.fixture
def no_mail(tmp_path: Path, database_url: str) -> Iterator[Api]:
    yield from start_api(tmp_path, database_url, None, smtp_url="")


def test_without_mail_nobody_can_be_invited_and_the_page_says_so(no_mail: Api) -> None:
    email, owner = new_user(no_mail)
    workspace = workspace_of(no_mail, owner)
    with no_mail.client(owner) as client:
        refused = client.post(
            f"/api/v1/workspaces/{workspace}/members", json={"email": "a@example.com", "role": "viewer"}
        )
        assert refused.status_code == 502 and refused.json()["error"]["code"] == "mail_not_configured"
        assert client.get(f"/api/v1/workspaces/{workspace}/invitations").json() == []
    with login(no_mail, email) as browser:
        page = browser.get("/settings/members").text
        assert "не отправляет почту" in page and "/settings/members/invite" not in page


def test_an_address_that_is_no_plain_address_is_refused(api: Api, mailbox: Mailbox) -> None:
    _, owner = new_user(api)
    workspace = workspace_of(api, owner)
    with api.client(owner) as client:
        for address in ("anna@example.com\r\nBcc: all@example.com", "a@b@example.com", "anna", "an na@x.ru"):
            refused = client.post(
                f"/api/v1/workspaces/{workspace}/members", json={"email": address, "role": "viewer"}
            )
            assert refused.status_code == 422, (address, refused.text)
            assert refused.json()["error"]["code"] == "email_invalid"
    assert mailbox.mails() == []
