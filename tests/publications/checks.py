"""Assertions the engine tests share: both sides of a publication's outcome."""

from __future__ import annotations

import uuid
from typing import Any

from autopost.publications.models import Publication, PublicationStatus
from tests.support.stack import Stack


async def assert_published_once(stack: Stack, publication: Publication) -> dict[str, Any]:
    """The row is published and the platform holds exactly one post of exactly the clip's bytes."""
    assert publication.status is PublicationStatus.PUBLISHED, publication.error_code
    post = await stack.post_of(publication)
    assert (post["sha256"], post["bytes"]) == (stack.clip.sha256, stack.clip.size_bytes)
    assert post["url"] == publication.remote_url
    return post


async def milestones(stack: Stack, publication_id: uuid.UUID) -> list[str]:
    """The publication's history without the steps whose presence depends on timing.

    `processing` shows only when the platform was still encoding at the first look; `requeued`
    when the sweeper looked between the commit and the enqueue (harmless: same job id).
    """
    return [k for k in await stack.event_kinds(publication_id) if k not in ("processing", "requeued")]
