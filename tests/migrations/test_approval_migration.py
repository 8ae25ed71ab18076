"""0011: publications may await approval (the CHECK takes the status, the live indexes count it);
going down, what still awaits approval is cancelled rather than let fire unapproved."""

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from autopost.migrations import runner
from tests.migrations.test_migrations import _insert, _run
from tests.migrations.test_workspaces_migration import _two_users

_PUBLICATIONS = sa.table("publications", sa.column("id", sa.Uuid()), sa.column("status", sa.String()))


def _status_of(url: str, publication_id: uuid.UUID) -> str:
    def read(sync_connection):  # type: ignore[no-untyped-def]
        query = sa.select(_PUBLICATIONS.c.status).where(_PUBLICATIONS.c.id == publication_id)
        return sync_connection.execute(query).scalar_one()

    return str(asyncio.run(_run(url, read)))


def _set_status(url: str, publication_id: uuid.UUID, status: str) -> None:
    def write(sync_connection):  # type: ignore[no-untyped-def]
        table = _PUBLICATIONS
        sync_connection.execute(table.update().where(table.c.id == publication_id).values(status=status))

    asyncio.run(_run(url, write))


def _second_of(url: str, ids: dict[str, uuid.UUID], status: str) -> None:
    """Another publication of ann's clip to her account, in `status`."""

    def write(sync_connection):  # type: ignore[no-untyped-def]
        now = datetime.now(UTC)
        _insert(
            sync_connection,
            "publications",
            id=uuid.uuid4(),
            workspace_id=ids["ann"],
            created_by_id=ids["ann"],
            clip_id=ids["ann_clip"],
            connection_id=ids["ann_conn"],
            platform="telegram",
            status=status,
            phase="queued",
            progress=0,
            attempts=0,
            title="",
            description="",
            checkpoint={},
            generation=0,
            created_at=now,
            updated_at=now,
        )

    asyncio.run(_run(url, write))


def test_0011_takes_awaiting_approval_as_live_and_cancels_it_going_down(fresh_database_url: str) -> None:
    runner.upgrade(fresh_database_url, "0006")
    ids = asyncio.run(_run(fresh_database_url, _two_users))
    runner.upgrade(fresh_database_url, "0010")
    with pytest.raises(sa.exc.IntegrityError):
        _set_status(fresh_database_url, ids["ann_pub"], "awaiting_approval")

    runner.upgrade(fresh_database_url, "0011")
    _set_status(fresh_database_url, ids["ann_pub"], "awaiting_approval")
    assert _status_of(fresh_database_url, ids["ann_pub"]) == "awaiting_approval"
    # Live: a second publication of the clip to that account is refused while the first waits.
    with pytest.raises(sa.exc.IntegrityError):
        _second_of(fresh_database_url, ids, "scheduled")
    with pytest.raises(sa.exc.IntegrityError):
        _set_status(fresh_database_url, ids["bob_pub"], "waiting")

    runner.downgrade(fresh_database_url, "0010")
    assert _status_of(fresh_database_url, ids["ann_pub"]) == "cancelled"
    assert _status_of(fresh_database_url, ids["bob_pub"]) == "scheduled"
    with pytest.raises(sa.exc.IntegrityError):
        _set_status(fresh_database_url, ids["bob_pub"], "awaiting_approval")
    # Down, the live index is back to scheduled and publishing: the cancelled one takes no place.
    _second_of(fresh_database_url, ids, "scheduled")
