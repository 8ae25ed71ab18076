import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from autopost.clips.models import Clip, ClipStatus
from autopost.connections.models import Connection
from autopost.platforms.catalog import ConnectionKind, Platform
from autopost.publications.models import Publication, PublicationStatus
from autopost.users.models import User
from autopost.users.plans import Plan
from autopost.workspaces.usecases import create_workspace


async def _clip_and_connection(session):
    user = User(email="c@example.com", password_hash="x")
    session.add(user)
    await session.flush()
    await create_workspace(session, user, user.email, plan=Plan.PRO, workspace_id=user.id)
    clip = Clip(workspace_id=user.id, title="Клип", status=ClipStatus.READY)
    connection = Connection(
        workspace_id=user.id, platform=Platform.VK, kind=ConnectionKind.OAUTH, account_id="1001"
    )
    session.add_all([clip, connection])
    await session.flush()
    return user, clip, connection


def _publication(user, clip, connection, status, generation=0):
    return Publication(
        workspace_id=user.id,
        clip_id=clip.id,
        connection_id=connection.id,
        platform=Platform.VK,
        status=status,
        generation=generation,
    )


async def test_two_live_publications_of_one_clip_to_one_connection_are_refused(session) -> None:
    user, clip, connection = await _clip_and_connection(session)
    session.add(_publication(user, clip, connection, PublicationStatus.SCHEDULED))
    await session.flush()
    with pytest.raises(IntegrityError):
        async with session.begin_nested():
            session.add(_publication(user, clip, connection, PublicationStatus.PUBLISHING))
            await session.flush()


async def test_failed_and_cancelled_publications_do_not_block_a_new_one(session) -> None:
    user, clip, connection = await _clip_and_connection(session)
    for status in (PublicationStatus.FAILED, PublicationStatus.CANCELLED):
        session.add(_publication(user, clip, connection, status))
    session.add(_publication(user, clip, connection, PublicationStatus.SCHEDULED))
    await session.flush()


async def test_a_published_clip_takes_its_generation_and_publishing_again_is_the_next(session) -> None:
    user, clip, connection = await _clip_and_connection(session)
    session.add(_publication(user, clip, connection, PublicationStatus.PUBLISHED))
    await session.flush()
    with pytest.raises(IntegrityError):
        async with session.begin_nested():
            session.add(_publication(user, clip, connection, PublicationStatus.SCHEDULED))
            await session.flush()
    session.add(_publication(user, clip, connection, PublicationStatus.SCHEDULED, generation=1))
    await session.flush()


async def test_unknown_status_is_refused_by_the_database(session) -> None:
    await _clip_and_connection(session)
    with pytest.raises(IntegrityError):
        async with session.begin_nested():
            await session.execute(
                text("UPDATE clips SET status = 'exploded' WHERE title = :t"), {"t": "Клип"}
            )
