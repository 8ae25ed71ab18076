"""Upload progress written to the publication row about once a second, not once per chunk."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from types import TracebackType

from sqlalchemy import update

from autopost.db import transaction, utcnow
from autopost.publications.models import Phase, Publication
from autopost.runtime import Runtime

WRITE_EVERY_SECONDS = 1.0


class ProgressWriter:
    def __init__(self, runtime: Runtime, publication_id: uuid.UUID, total: int) -> None:
        self._runtime = runtime
        self._publication_id = publication_id
        self._total = max(total, 1)
        self._percent = -1  # nothing sent yet: a resumed check must not look like an upload
        self._written = -1
        self._task: asyncio.Task[None] | None = None

    def update(self, sent: int, total: int) -> None:
        # Upload is the long part; the last percent waits for the platform's answer.
        self._percent = min(99, sent * 100 // max(total or self._total, 1))

    async def _write(self) -> None:
        if self._percent < 0 or self._percent == self._written:
            return
        self._written = self._percent
        async with transaction(self._runtime.session_factory) as session:
            await session.execute(
                update(Publication)
                .where(Publication.id == self._publication_id)
                .values(phase=Phase.UPLOADING, progress=self._percent, updated_at=utcnow())
                .execution_options(synchronize_session=False)
            )

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(WRITE_EVERY_SECONDS)
            await self._write()

    async def __aenter__(self) -> ProgressWriter:
        self._task = asyncio.create_task(self._loop())
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if exc_type is None:
            await self._write()
