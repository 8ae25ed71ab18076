"""Users, clips and connections made the way the product makes them, against the sandbox's demo accounts."""

from __future__ import annotations

import contextlib
import hashlib
import uuid
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from autopost.clips.models import Clip, ClipStatus
from autopost.clips.probe import ProbeError, make_thumbnail, probe
from autopost.connections.models import Connection
from autopost.connections.oauth_browser import CallbackBrowser
from autopost.connections.oauth_connect import finish_oauth, start_oauth
from autopost.connections.usecases import connect_token, connect_web_session, save_connection
from autopost.db import transaction
from autopost.platforms.base import Credentials
from autopost.platforms.catalog import Platform
from autopost.runtime import Runtime
from autopost.users.models import User
from autopost.users.plans import Plan
from autopost.users.service import create_api_token, create_user
from autopost.workspaces.access import resolve_member
from autopost_sandbox.dzen.accounts import cookie_export
from autopost_testing.accounts import DEMO, VK_API_VERSION
from autopost_testing.consent import allow_async

__all__ = [
    "DEMO",
    "VK_API_VERSION",
    "api_token",
    "connect_account",
    "connect_demo",
    "connect_oauth",
    "new_user",
    "store_clip",
]


async def new_user(
    runtime: Runtime, email: str | None = None, *, plan: Plan = Plan.PRO, password: str | None = None
) -> User:
    """A user made as `autopost users create` makes one (a random address unless given)."""
    async with transaction(runtime.session_factory) as session:
        email = email or f"{uuid.uuid4().hex[:10]}@example.com"
        user, _ = await create_user(session, email, plan=plan, password=password)
        return user


async def api_token(runtime: Runtime, user: User, name: str = "test") -> str:
    async with transaction(runtime.session_factory) as session:
        return await create_api_token(session, await session.merge(user), name)


async def store_clip(runtime: Runtime, user: User, path: Path, title: str = "Клип") -> Clip:
    """A ready clip, stored and probed as an upload would be (a non-video file is stored unprobed)."""
    key = runtime.storage.new_key(user.id, ".mp4")
    stored = runtime.storage.path(key)
    stored.parent.mkdir(parents=True, exist_ok=True)
    data = path.read_bytes()
    stored.write_bytes(data)
    clip = Clip(
        workspace_id=user.id,
        title=title,
        status=ClipStatus.READY,
        storage_key=key,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    with contextlib.suppress(ProbeError):
        info = probe(stored)
        clip.duration_seconds, clip.width, clip.height = info.duration, info.width, info.height
        clip.video_codec = info.video_codec
        thumbnail = runtime.storage.new_key(user.id, ".jpg")
        runtime.storage.path(thumbnail).write_bytes(make_thumbnail(stored))
        clip.thumbnail_key = thumbnail
    async with transaction(runtime.session_factory) as session:
        session.add(clip)
    return clip


async def connect_demo(runtime: Runtime, user: User, platform: Platform) -> Connection:
    """A connection to the platform's demo account: Telegram and Rutube through the token form's
    service, Дзен through the session form's (the demo dzen.ru cookie export), VK with a ready-made
    token standing in for the consent round trip.
    (Rutube downloads clips from our /media URL: serve the app before publishing there.)"""
    demo_credentials = {
        Platform.TELEGRAM: {"bot_token": DEMO["telegram_bot"], "channel": DEMO["telegram_channel"]},
        Platform.RUTUBE: {"token": DEMO["rutube_token"]},
        Platform.DZEN: {"cookies_txt": cookie_export()},
        Platform.VK: {"access_token": DEMO["vk_token"]},
    }
    return await connect_account(runtime, user, platform, demo_credentials[platform])


async def connect_account(
    runtime: Runtime, user: User, platform: Platform, credentials: Mapping[str, str]
) -> Connection:
    """A connection to a sandbox account, from the credentials `GET /_sandbox/accounts` lists
    (or `POST /_sandbox/accounts` seeds): the same forms as connect_demo's."""
    async with transaction(runtime.session_factory) as session:
        member = await resolve_member(session, await session.merge(user), None)
        if platform is Platform.TELEGRAM:
            fields = {"bot_token": credentials["bot_token"], "channel": credentials["channel"]}
            return await connect_token(session, runtime, member, platform, fields)
        if platform is Platform.RUTUBE:
            return await connect_token(session, runtime, member, platform, {"token": credentials["token"]})
        if platform is Platform.DZEN:
            return await connect_web_session(session, runtime, member, platform, credentials["cookies_txt"])
        token = Credentials(access_token=credentials["access_token"])
        account = await runtime.provider(platform).verify(credentials=token)
        return await save_connection(session, runtime, member, platform, token, account)


async def connect_oauth(runtime: Runtime, user: User, platform: Platform) -> Connection:
    """VK ID for real: our authorize URL, the sandbox's consent page, «Разрешить»,
    our callback (in the same user's browser)."""
    async with transaction(runtime.session_factory) as session:
        member = await resolve_member(session, await session.merge(user), None)
        started = await start_oauth(session, runtime, member, platform)
    location = await allow_async(started.authorize_url)
    params = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    browser = CallbackBrowser(user_id=user.id, state_cookie=started.state_cookie)
    async with transaction(runtime.session_factory) as session:
        return await finish_oauth(session, runtime, platform, params, browser)
