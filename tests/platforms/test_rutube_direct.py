"""Rutube's studio flow through the sandbox: upload session, TUS to the upload host with browser
headers, the v2 PATCH; resumed from its checkpoint; refused by the anti-bot gateway without them."""

from __future__ import annotations

import asyncio
import hashlib
import os
from dataclasses import replace
from pathlib import Path

import httpx2
import pytest

from autopost.clips.sources import FileReader
from autopost.platforms.base import Credentials, PublishRequest, PublishState
from autopost.platforms.catalog import ConnectionKind
from autopost.platforms.errors import Permanent
from autopost.platforms.media import ClipSource
from autopost.platforms.rutube import RutubeProvider, wire
from autopost_sandbox.rutube.multipass import seeded_refresh_token
from tests.conftest import Sandbox
from tests.platforms.rutube_support import (
    CLASSIC,
    DESCRIPTION,
    SSO,
    TITLE,
    ClipServer,
    Saved,
    control,
    posts,
    provider,
    publish_request,
    resumed,
    until_done,
)
from tests.support.media import make_clip


def direct(sandbox: Sandbox) -> RutubeProvider:
    return provider(sandbox, upload="direct")


def uploads(sandbox: Sandbox) -> list[dict[str, object]]:
    with sandbox.control() as client:
        return list(client.get("/state").json()["uploads"])


def big_clip(tmp_path: Path) -> Path:
    """A real MP4 followed by 10 MiB of noise: several TUS chunks, still a video to the ingest."""
    path = make_clip(tmp_path / "big.mp4", seconds=1.0)
    with path.open("ab") as handle:
        handle.write(os.urandom(10 * 1024 * 1024))
    return path


async def test_a_direct_upload_sends_the_bytes_and_the_v2_patch_publishes(
    rutube_world: Sandbox, rutube_clips: ClipServer
) -> None:
    rutube, saved = direct(rutube_world), Saved()
    # What the engine passes: the connection's meta, where verify put the account's user id.
    known = Credentials(access_token=CLASSIC.token, meta={"user_id": str(CLASSIC.id)})

    first = await rutube.publish(request=replace(publish_request(rutube_clips, saved), credentials=known))

    assert first.state is PublishState.PROCESSING and first.remote_id
    # The session is checkpointed before any byte goes, then every acknowledged offset.
    assert saved.checkpoints[0]["video_id"] == first.remote_id and "upload_url" not in saved.checkpoints[0]
    assert saved.checkpoints[1]["upload_url"].startswith(f"{rutube_world.url}/rutube-upload/upload/")
    assert saved.last["uploaded"] is True and saved.last["remote_id"] == first.remote_id
    done = await until_done(rutube, first)
    assert done.remote_url == f"https://rutube.ru/video/{first.remote_id}/"
    [post] = posts(rutube_world)
    assert post["title"] == TITLE and post["caption"] == DESCRIPTION and post["status"] == "ready"
    assert (post["sha256"], post["bytes"]) == (rutube_clips.sha256, rutube_clips.path.stat().st_size)
    assert post["extra"]["is_hidden"] is False
    [upload] = uploads(rutube_world)
    metadata = upload["metadata"]
    assert isinstance(metadata, dict)
    assert metadata["videoId"] == first.remote_id and metadata["sessionId"] == saved.last["session_id"]
    assert metadata["userId"] == str(CLASSIC.id)
    assert not rutube_clips.requests, "no public URL was needed: Rutube never fetched the clip"


async def test_an_interrupted_direct_upload_resumes_at_the_servers_offset(
    rutube_world: Sandbox, tmp_path: Path
) -> None:
    path = big_clip(tmp_path)
    rutube, saved = direct(rutube_world), Saved()
    request = PublishRequest(
        credentials=Credentials(access_token=CLASSIC.token, meta={"user_id": str(CLASSIC.id)}),
        clip=ClipSource(reader=FileReader(path), size=path.stat().st_size),
        title=TITLE,
        description=DESCRIPTION,
        on_checkpoint=saved,
    )
    # The first PATCH after the creation's 4 MiB hangs; the attempt dies there (a killed worker).
    control(
        rutube_world, "/faults", {"platform": "rutube", "fault": "timeout", "on": "tus.patch", "delay": 5}
    )
    attempt = asyncio.create_task(rutube.publish(request=request))
    while not saved.last.get("offset"):
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.2)
    attempt.cancel()
    with pytest.raises(asyncio.CancelledError):
        await attempt
    interrupted = dict(saved.last)

    result = await rutube.publish(request=resumed(request, saved))

    assert 0 < interrupted["offset"] < path.stat().st_size and "uploaded" not in interrupted
    assert result.remote_id == interrupted["video_id"]
    await until_done(rutube, result)
    [post] = posts(rutube_world)
    [upload] = uploads(rutube_world)
    assert (post["sha256"], post["bytes"]) == (
        hashlib.sha256(path.read_bytes()).hexdigest(),
        path.stat().st_size,
    )
    assert upload["complete"] is True


async def test_without_browser_headers_the_upload_host_refuses_as_a_gateway_does(
    rutube_world: Sandbox, rutube_clips: ClipServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wire, "BROWSER_HEADERS", {})
    rutube, saved = direct(rutube_world), Saved()

    with pytest.raises(Permanent) as caught:
        await rutube.publish(request=publish_request(rutube_clips, saved))

    assert caught.value.code == "rutube.upload_refused" and caught.value.params["status"] == 403
    assert uploads(rutube_world) == []


async def test_an_sso_account_uploads_directly_with_bearer_auth(
    rutube_world: Sandbox, rutube_clips: ClipServer
) -> None:
    rutube, saved = direct(rutube_world), Saved()
    pasted = Credentials(
        access_token="", refresh_token=seeded_refresh_token(SSO.id), kind=ConnectionKind.REFRESH_TOKEN
    )
    tokens = await rutube.refresh(credentials=pasted)
    account = await rutube.verify(credentials=tokens)
    request = replace(publish_request(rutube_clips, saved), credentials=tokens)

    result = await rutube.publish(request=request)
    await until_done(rutube, result, creds=tokens)

    assert (account.account_id, account.name) == (str(SSO.id), SSO.name)
    [post] = posts(rutube_world)
    assert post["owner"] == str(SSO.id) and post["sha256"] == rutube_clips.sha256
    # A DRF "Token" header with the JWT is refused: the API knows the scheme.
    with httpx2.Client(base_url=f"{rutube_world.url}/rutube", timeout=10) as client:
        wrong = client.get("/api/video/person/", headers={"Authorization": f"Token {tokens.access_token}"})
    assert wrong.status_code == 401
