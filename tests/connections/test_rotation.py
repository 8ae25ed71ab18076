import pytest
from sqlalchemy import select, text

from autopost.connections.models import Connection
from autopost.connections.rotation import RotationReport, _reseal_row, rotate_tokens
from autopost.connections.tokens import open_access_token, open_refresh_token, store_tokens
from autopost.db import make_engine, make_session_factory, transaction
from autopost.migrations import runner
from autopost.platforms.catalog import ConnectionKind, Platform
from autopost.security.vault import Vault, generate_key
from autopost.users.models import User
from autopost.users.plans import Plan
from autopost.workspaces.usecases import create_workspace

CONNECTIONS = 25


class Interrupted(Exception):
    pass


async def _seed(factory, vault: Vault) -> list[str]:
    async with transaction(factory) as session:
        user = User(email="rot@example.com", password_hash="x")
        session.add(user)
        await session.flush()
        await create_workspace(session, user, user.email, plan=Plan.PRO, workspace_id=user.id)
        ids = []
        for n in range(CONNECTIONS):
            connection = Connection(
                workspace_id=user.id, platform=Platform.VK, kind=ConnectionKind.OAUTH, account_id=str(n)
            )
            store_tokens(connection, vault, access_token=f"access-{n}", refresh_token=f"refresh-{n}")
            session.add(connection)
            ids.append(str(connection.id))
        return ids


async def _all_tokens(factory, vault: Vault) -> dict[str, tuple[str | None, str | None, str, str]]:
    async with transaction(factory) as session:
        rows = (await session.scalars(select(Connection))).all()
        return {
            c.account_id: (
                open_access_token(c, vault),
                open_refresh_token(c, vault),
                c.access_token.key_id,
                c.refresh_token.key_id,
            )
            for c in rows
        }


async def test_rotation_reseals_everything_and_survives_interruption(fresh_database_url: str) -> None:
    await runner.upgrade_async(fresh_database_url)
    engine = make_engine(fresh_database_url)
    factory = make_session_factory(engine)
    old_key, new_key = generate_key(), generate_key()
    old_vault = Vault([old_key])
    await _seed(factory, old_vault)
    ring = Vault([new_key, old_key])

    def stop_after_first_batch(report: RotationReport) -> None:
        raise Interrupted

    with pytest.raises(Interrupted):
        await rotate_tokens(factory, ring, batch_size=10, on_batch=stop_after_first_batch)

    # Mid-rotation: some rows under the new key, the rest under the old one, all readable.
    midway = await _all_tokens(factory, ring)
    key_ids = {v[2] for v in midway.values()}
    assert key_ids == {ring.primary_key_id, old_vault.primary_key_id}
    assert all(v[0] == f"access-{k}" and v[1] == f"refresh-{k}" for k, v in midway.items())

    report = await rotate_tokens(factory, ring, batch_size=10)
    assert report.unreadable == []
    assert report.resealed == 2 * CONNECTIONS - 10

    done = await _all_tokens(factory, Vault([new_key]))
    assert all(v[2] == v[3] == ring.primary_key_id for v in done.values())
    assert all(v[0] == f"access-{k}" for k, v in done.items())

    again = await rotate_tokens(factory, ring, batch_size=10)
    assert again.resealed == 0
    await engine.dispose()


async def test_rotation_never_overwrites_a_token_refreshed_meanwhile(fresh_database_url: str) -> None:
    await runner.upgrade_async(fresh_database_url)
    engine = make_engine(fresh_database_url)
    factory = make_session_factory(engine)
    old_key, new_key = generate_key(), generate_key()
    await _seed(factory, Vault([old_key]))
    ring = Vault([new_key, old_key])
    async with transaction(factory) as session:
        connection = await session.scalar(select(Connection).where(Connection.account_id == "0"))
        stale = connection.access_token
        # A worker refreshes the token after rotation read the row but before it writes.
        store_tokens(connection, ring, access_token="refreshed-by-worker")
    report = RotationReport()
    async with transaction(factory) as session:
        await _reseal_row(session, Connection, "access_token", connection.id, stale, ring, report)
    assert report.skipped_changed == 1 and report.resealed == 0
    async with transaction(factory) as session:
        fresh = await session.get(Connection, connection.id)
        assert open_access_token(fresh, ring) == "refreshed-by-worker"
    await engine.dispose()


async def test_no_plaintext_token_in_the_database(session) -> None:
    vault = Vault([generate_key()])
    user = User(email="raw@example.com", password_hash="x")
    session.add(user)
    await session.flush()
    await create_workspace(session, user, user.email, plan=Plan.PRO, workspace_id=user.id)
    connection = Connection(
        workspace_id=user.id,
        platform=Platform.TELEGRAM,
        kind=ConnectionKind.TOKEN,
        account_id="@clipmaker_demo",
    )
    store_tokens(
        connection, vault, access_token="1000001:AAHplaintextBotToken", refresh_token="refresh-plain-xyz"
    )
    session.add(connection)
    await session.flush()
    rows = (await session.execute(text("SELECT * FROM connections"))).all()
    raw = " ".join(str(value) for row in rows for value in row)
    assert "AAHplaintextBotToken" not in raw
    assert "refresh-plain-xyz" not in raw
    assert "v1:" in raw
