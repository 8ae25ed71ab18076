"""The platform's "processing is over" call (Rutube's callback_url after an import by URL).

The URL carries a signed, expiring token naming the publication; the call only
wakes the publication's delayed poll, so a forged or repeated call can do no
more than make us look at the platform sooner. What the body says is not
trusted: the poll reads the video's state from the platform itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid

import structlog
from fastapi import APIRouter, Response
from sqlalchemy import select

from autopost.deps import RuntimeDep
from autopost.publications.models import Publication
from autopost.runtime import Runtime
from autopost.settings import Settings

log = structlog.get_logger()
router = APIRouter(include_in_schema=False)
# A video imported by URL is processed within hours; the callback is useless after that.
CALLBACK_TTL_SECONDS = 24 * 3600


def _signature(secret: str, publication_id: uuid.UUID, expires: int) -> str:
    message = f"platform-callback:{publication_id}:{expires}".encode()
    return base64.urlsafe_b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()[:43]


def callback_url(settings: Settings, publication_id: uuid.UUID) -> str:
    expires = int(time.time()) + CALLBACK_TTL_SECONDS
    signature = _signature(settings.resolved_secret_key(), publication_id, expires)
    return f"{settings.public_url.rstrip('/')}/hooks/platform/{publication_id.hex}.{expires}.{signature}"


def verify_callback(settings: Settings, token: str, now: float | None = None) -> uuid.UUID | None:
    """The publication the token names, or None if it is forged, malformed or expired."""
    try:
        id_hex, expires_text, signature = token.split(".")
        publication_id, expires = uuid.UUID(hex=id_hex), int(expires_text)
    except ValueError:
        return None
    expected = _signature(settings.resolved_secret_key(), publication_id, expires)
    if not hmac.compare_digest(expected, signature) or expires < (now or time.time()):
        return None
    return publication_id


def _wake_key(runtime: Runtime, publication_id: uuid.UUID) -> str:
    return f"{runtime.settings.redis_namespace}:wake:{publication_id}"


async def wake_publication(runtime: Runtime, publication_id: uuid.UUID) -> bool:
    """Run the publication's delayed poll now; False when it has none waiting.

    A job still running (Rutube may call back before our own calls end) finds the mark
    when it next waits, and polls at once instead (take_wake).
    """
    async with runtime.session_factory() as session:
        platform = await session.scalar(select(Publication.platform).where(Publication.id == publication_id))
    if platform is None:
        return False
    await runtime.redis.set(_wake_key(runtime, publication_id), "1", ex=CALLBACK_TTL_SECONDS)
    return await runtime.queues.promote_publication(publication_id, platform)


async def take_wake(runtime: Runtime, publication_id: uuid.UUID) -> bool:
    """Whether the platform called back since the job last looked (and forget that it did)."""
    return bool(await runtime.redis.getdel(_wake_key(runtime, publication_id)))


@router.post("/hooks/platform/{token}")
async def platform_callback(token: str, runtime: RuntimeDep) -> Response:
    publication_id = verify_callback(runtime.settings, token)
    if publication_id is None:
        return Response(status_code=404)
    woke = await wake_publication(runtime, publication_id)
    log.info("platform_callback", publication_id=str(publication_id), woke=woke)
    return Response(status_code=204)
