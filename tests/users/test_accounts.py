import pytest
from sqlalchemy import select

from autopost.refusals import Kind, Refused
from autopost.security.passwords import verify_password
from autopost.users.models import ApiToken
from autopost.users.plans import Plan
from autopost.users.service import create_api_token, create_user, user_for_api_token
from autopost.users.tokens import revoke_own_api_token


async def test_create_user_hashes_the_password(session) -> None:
    user, generated = await create_user(
        session, " Anna@Example.com ", plan=Plan.START, password="s3cret-pass"
    )
    assert generated is None
    assert user.email == "anna@example.com"
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password("s3cret-pass", user.password_hash)
    assert not verify_password("wrong-pass", user.password_hash)


async def test_generated_password_is_returned_once_and_works(session) -> None:
    user, generated = await create_user(session, "gen@example.com", plan=Plan.FREE)
    assert generated and verify_password(generated, user.password_hash)


async def test_duplicate_email_is_refused(session) -> None:
    await create_user(session, "dup@example.com", plan=Plan.FREE, password="password1")
    with pytest.raises(Refused) as refused:
        await create_user(session, "DUP@example.com", plan=Plan.PRO, password="password2")
    assert (refused.value.code, refused.value.kind) == ("user_exists", Kind.CONFLICT)
    assert refused.value.params == {"email": "dup@example.com"}


async def test_short_password_is_refused(session) -> None:
    with pytest.raises(Refused) as refused:
        await create_user(session, "short@example.com", plan=Plan.FREE, password="123")
    assert (refused.value.code, refused.value.params) == ("password_too_short", {"min": 8})


async def test_a_malformed_email_is_refused(session) -> None:
    with pytest.raises(Refused) as refused:
        await create_user(session, "not-an-address", plan=Plan.FREE, password="password1")
    assert (refused.value.code, refused.value.kind) == ("email_invalid", Kind.INVALID)


async def test_api_token_is_stored_only_as_a_hash_and_can_be_revoked(session) -> None:
    user, _ = await create_user(session, "tok@example.com", plan=Plan.PRO, password="password1")
    token = await create_api_token(session, user, "ci")
    stored = (await session.scalars(select(ApiToken).where(ApiToken.user_id == user.id))).all()
    assert len(stored) == 1 and token not in (stored[0].token_hash, stored[0].prefix)
    assert (await user_for_api_token(session, token)).id == user.id
    assert await user_for_api_token(session, token + "x") is None
    await revoke_own_api_token(session, user, stored[0].id)
    assert await user_for_api_token(session, token) is None
