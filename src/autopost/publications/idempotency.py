"""Idempotency-Key for publish requests: the same key returns the same publications."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from autopost.publications.models import IdempotencyKey, Publication
from autopost.refusals import Refused
from autopost.workspaces.access import Member


def request_hash(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


async def claim_key(
    session: AsyncSession, member: Member, key: str, digest: str
) -> list[Publication] | IdempotencyKey:
    """Either the publications an earlier request with this key made, or a fresh claim to fill in."""
    existing = await _find(session, member, key)
    if existing is None:
        claim = IdempotencyKey(
            workspace_id=member.workspace_id, key=key, request_hash=digest, publication_ids=[]
        )
        try:
            async with session.begin_nested():
                session.add(claim)
                await session.flush()
            return claim
        except IntegrityError:
            # Another request with the same key won the race: answer with its result.
            existing = await _find(session, member, key)
            assert existing is not None
    if existing.request_hash != digest:
        raise Refused("idempotency_conflict")
    ids = [uuid.UUID(i) for i in existing.publication_ids]
    rows = (await session.scalars(select(Publication).where(Publication.id.in_(ids)))).all()
    return sorted(rows, key=lambda p: ids.index(p.id))


async def _find(session: AsyncSession, member: Member, key: str) -> IdempotencyKey | None:
    return await session.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.workspace_id == member.workspace_id, IdempotencyKey.key == key
        )
    )
