"""The demo user of `autopost up --sandbox`: Business plan, one sample clip, ready to publish."""

from __future__ import annotations

import asyncio
import hashlib

from autopost.clips.models import Clip, ClipStatus
from autopost.clips.probe import make_thumbnail, probe
from autopost.clips.sample import make_sample_clip
from autopost.clips.storage import LocalStorage
from autopost.db import make_engine, make_session_factory, transaction
from autopost.i18n import gettext
from autopost.settings import Settings
from autopost.users.plans import Plan
from autopost.users.service import create_api_token, create_user, get_user_by_email
from autopost.workspaces.access import resolve_member


async def ensure_demo_user(settings: Settings, email: str, password: str) -> str | None:
    """Create the demo user and its sample clip once; returns a new API token only on creation."""
    engine = make_engine(settings.resolved_database_url)
    try:
        async with transaction(make_session_factory(engine)) as session:
            if await get_user_by_email(session, email) is not None:
                return None
            user, _ = await create_user(session, email, plan=Plan.BUSINESS, password=password)
            token = await create_api_token(session, user, "demo")
            workspace = (await resolve_member(session, user, None)).workspace
            storage = LocalStorage(settings.resolved_storage_dir)
            key, thumb_key = storage.new_key(workspace.id, ".mp4"), storage.new_key(workspace.id, ".jpg")
            path = await asyncio.to_thread(make_sample_clip, storage.path(key))
            info = await asyncio.to_thread(probe, path)
            storage.path(thumb_key).write_bytes(await asyncio.to_thread(make_thumbnail, path))
            data = path.read_bytes()  # a few hundred kB made just now
            session.add(
                Clip(
                    workspace_id=workspace.id,
                    # Content of the demo user's own, so in their language (Russian by default).
                    title=gettext(user.locale, "Sample clip"),
                    description=gettext(user.locale, "A ClipMaker clip for your first publication"),
                    status=ClipStatus.READY,
                    storage_key=key,
                    thumbnail_key=thumb_key,
                    size_bytes=len(data),
                    sha256=hashlib.sha256(data).hexdigest(),
                    duration_seconds=info.duration,
                    width=info.width,
                    height=info.height,
                    video_codec=info.video_codec,
                )
            )
            return token
    finally:
        await engine.dispose()
